"""Templated e-mails, written to the durable outbox (``core.outbox``) in the caller's transaction and sent by a
worker: nothing is sent if the change is rolled back, nothing is lost if the mail server is down."""

from django.conf import settings
from django.template.loader import render_to_string

from core.outbox import enqueue_email


def send_templated(to, subject: str, template: str, context: dict, attachments=(), *, about=None, on_outcome=""):
    """Render ``template`` and put the e-mail in the outbox. ``attachments``: ``(name, stored document,
    mimetype)`` where the document is a ``FieldFile`` (or its name in the storage): frozen documents are
    attached as stored, never copied. Links use ``SITE_URL`` (the address served, see the README)."""
    body = render_to_string(template, {**context, "SITE_URL": settings.SITE_URL, "SERVICE_NAME": settings.SERVICE_NAME})
    return enqueue_email(
        to,
        subject,
        body,
        attachments=attachments,
        about=about,
        topic=template.rsplit("/", 1)[-1].removesuffix(".txt")[:40],
        on_outcome=on_outcome,
    )
