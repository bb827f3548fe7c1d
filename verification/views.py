"""The public check page: anyone holding a document (an establishment's partner, an auditor, DGER) checks
that it was issued by the service, by whom and when, and that the file is the one issued. No sign-in; a
rate limit per client address."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from core import verification
from verification import checks, throttle
from verification.forms import CheckForm


@login_not_required
@require_http_methods(["GET", "POST"])
def check(request):
    if request.method == "POST":
        form = CheckForm(request.POST, request.FILES)
    elif "code" in request.GET:  # the QR code's link
        form = CheckForm({"code": request.GET["code"]})
    else:
        form = CheckForm()
    context = {"form": form, "outcome": None, "Verdict": checks.Verdict}
    if not form.is_bound:
        return render(request, "verification/check.html", context)
    if not throttle.allow(request):
        context["throttled"] = True
        return render(request, "verification/check.html", context, status=429)
    if not form.is_valid():
        return render(request, "verification/check.html", context, status=422)
    code, upload = form.cleaned_data["code"], form.cleaned_data["document"]
    context["outcome"] = checks.check(code, upload)
    context["code"] = verification.display(code) if code else ""
    context["filename"] = upload.name if upload else ""
    return render(request, "verification/check.html", context)
