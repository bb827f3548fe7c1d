"""The head's usage report pages (bilan d'utilisation)."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.access import enforce
from core.drafts import DraftFormView
from core.stash import keeps_post_on_expiry
from requests_app import permissions, usage_services
from requests_app.forms import UsageReportForm
from requests_app.models import LEVEL_KEYS, LEVEL_LABELS, UsageReport
from requests_app.views import visible_request


def _allocated(req) -> dict:
    decision = req.notified_allocation
    return {key: decision.hours(key) if decision else 0 for key in LEVEL_KEYS}


def _report(user, req) -> UsageReport:
    report = UsageReport.objects.visible_to(user).select_related("request").filter(request=req).first()
    if report is None:
        raise Http404
    return report


@require_POST
def usage_report_start(request, pk):
    req = visible_request(request.user, pk)
    enforce(permissions.can_start_usage_report(request.user, req))
    usage_services.start_usage_report(request.user, req)
    messages.info(request, "Votre bilan d'utilisation est créé en brouillon : vous pouvez l'enregistrer à tout moment.")
    return redirect("requests:usage_report", req.pk)


class UsageReportView(DraftFormView):
    """Heads edit their draft here (see ``core.drafts``); once deposited, and for regional staff and DGER, the
    page is read-only."""

    template_name = "requests_app/usage_report_edit.html"
    editable_fields = usage_services.EDITABLE_FIELDS

    def form_field_of(self, model_field):
        for name, (prefix, _label) in UsageReportForm.GROUPS.items():
            if model_field.startswith(f"{prefix}_"):
                return name
        return model_field

    deposit_refused = "le bilan n'a pas été déposé"
    deposited_message = "Votre bilan d'utilisation est déposé. Un accusé de réception vous a été envoyé."

    def get_object(self, request, pk):
        req = visible_request(request.user, pk)
        report = _report(request.user, req)
        report.request = req
        return report

    def permission(self, user, obj):
        return permissions.can_edit_usage_report(user, obj)

    def is_owner(self, user, obj):
        return user.works_for(obj.request.establishment)

    def make_form(self, obj, data=None):
        form = UsageReportForm(data, instance=obj, allocated=_allocated(obj.request))
        if not self.request.user.is_head_of(obj.request.establishment):  # the team fills, the head deposits
            form.helper.inputs = [button for button in form.helper.inputs if button.name != "submit"]
        return form

    def save(self, user, obj, values, version):
        return usage_services.save_usage_report(user, obj, values, version)

    def deposit(self, user, obj, version):
        return usage_services.submit_usage_report(user, obj, version)

    def saved_url(self, obj):
        return reverse("requests:usage_report", args=[obj.request_id])

    deposited_url = saved_url

    def extra_context(self, obj, form):
        return {"req": obj.request, "report": obj}

    def read_only_response(self, request, obj):
        req = obj.request
        allocated = _allocated(req)
        rows = [{"label": LEVEL_LABELS[k], "allocated": allocated[k], "used": obj.used(k)} for k in LEVEL_KEYS]
        return render(request, "requests_app/usage_report_detail.html", {"req": req, "report": obj, "rows": rows})


usage_report = keeps_post_on_expiry(UsageReportView.as_view())


def usage_report_pdf(request, pk):
    req = visible_request(request.user, pk)
    report = _report(request.user, req)
    enforce(permissions.can_download_usage_report(request.user, report))
    report = usage_services.ensure_usage_report_pdf(report)
    return FileResponse(report.pdf.open("rb"), content_type="application/pdf", filename=f"{req.reference}-bilan.pdf")
