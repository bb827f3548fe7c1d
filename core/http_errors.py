"""The 400 page, rendered with the request (so that the page has its header and navigation) for Django's own
refusals (``handler400``) and for the guard against hostile input (``core.middleware``)."""

from django.shortcuts import render


def bad_request(request, exception=None, reason: str = ""):
    return render(request, "400.html", {"reason": reason}, status=400)
