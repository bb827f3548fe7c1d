"""A request's state as the viewer may see it (``lifecycle.shown_status``), with its label and colour from the
lifecycle's declaration."""

from django import template

from requests_app.lifecycle import shown_status
from requests_app.rows import badge_html

register = template.Library()


def _viewer(context):
    return context.get("user") or getattr(context.get("request"), "user", None)


@register.simple_tag(takes_context=True)
def badge(context, request_or_status, label=None):
    """``{% badge req %}``: the state's badge, as the signed-in viewer may see it (a filter-free tag, cheap in
    long lists)."""
    return badge_html(getattr(request_or_status, "status", request_or_status), _viewer(context), label)


@register.simple_tag(takes_context=True)
def status_label(context, status):
    """``{% status_label req.status %}``: the state's label as the viewer may see it."""
    return shown_status(status, _viewer(context)).label if status else ""
