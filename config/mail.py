"""Templated e-mails, sent once the surrounding transaction has committed."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string


def send_templated(to, subject: str, template: str, context: dict, attachments=()) -> None:
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    body = render_to_string(template, {**context, "SITE_URL": settings.SITE_URL, "SERVICE_NAME": settings.SERVICE_NAME})

    def _send():
        message = EmailMessage(subject=subject, body=body, to=recipients)
        for name, content, mimetype in attachments:
            message.attach(name, content, mimetype)
        message.send()

    transaction.on_commit(_send)
