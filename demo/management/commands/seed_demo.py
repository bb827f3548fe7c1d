import time

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from demo.generator import build_demo
from demo.people import DEMO_PASSWORD

DEMO_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration : les campagnes rejouées par les services de l'application, chaque "
        "étape à sa date, jusqu'à aujourd'hui (idempotent : relancer ne duplique rien)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=0.25,
            help="0.25 (défaut) : environ 220 établissements ; 1 : l'échelle nationale, environ 800 établissements.",
        )

    def handle(self, *args, scale, **options):
        if not 0 < scale <= 1:
            raise CommandError("--scale : un nombre entre 0 (exclu) et 1.")
        started = time.monotonic()
        # The demo's e-mails go through the outbox to nobody; its background work (letters, e-mails, national PDFs)
        # runs in line, each task as it is enqueued, at the demo's date (and inside a transaction when asked).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend", TASKS=DEMO_TASKS):
            summary = build_demo(scale, log=self.stdout.write)
        self.stdout.write(
            f"Campagnes : {', '.join(summary['campaigns'])} ; {summary['requests']} demandes déposées, "
            f"{summary['decisions']} décisions notifiées (avec leur lettre), {summary['usage_reports']} bilans "
            f"d'utilisation, {summary['transmissions']} transmissions à la DGER — en {time.monotonic() - started:.0f} s"
        )
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        width = max(len(email) for email, _ in summary["accounts"])
        for email, description in summary["accounts"]:
            self.stdout.write(f"  {email.ljust(width)}  {description}")
        self.stdout.write("")
