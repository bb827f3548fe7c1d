"""A request's state as the viewer may see it (``lifecycle.shown_status``), with its label and colour from the
lifecycle's declaration."""

from django import template
from django.utils.html import format_html

from requests_app.lifecycle import BADGES, shown_status

register = template.Library()


def _viewer(context):
    return context.get("user") or getattr(context.get("request"), "user", None)


@register.simple_tag(takes_context=True)
def badge(context, request_or_status, label=None):
    """``{% badge req %}``: the state's badge, as the signed-in viewer may see it (a filter-free tag, cheap in
    long lists)."""
    status = shown_status(getattr(request_or_status, "status", request_or_status), _viewer(context))
    if label is None:
        label = status.label
    return format_html(
        '<span class="fr-badge fr-badge--sm fr-badge--no-icon {}">{}</span>', BADGES.get(status, ""), label
    )


@register.simple_tag(takes_context=True)
def status_label(context, status):
    """``{% status_label req.status %}``: the state's label as the viewer may see it."""
    return shown_status(status, _viewer(context)).label if status else ""
