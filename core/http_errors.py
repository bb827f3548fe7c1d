"""The 400 page, rendered with the request (so that the page has its header and navigation) for Django's own
refusals (``handler400``) and for the guard against hostile input (``core.middleware``)."""

from django.shortcuts import render


def bad_request(request, exception=None, reason: str = ""):
    return render(request, "400.html", {"reason": reason}, status=400)


def method_not_allowed_page(request, response):
    """Django answers a method a view does not take (``require_POST``, a GET on an action) with an empty 405: the
    page says so in French, keeping the ``Allow`` header."""
    page = render(request, "405.html", {"allowed": response.get("Allow", "")}, status=405)
    page["Allow"] = response.get("Allow", "")
    return page
