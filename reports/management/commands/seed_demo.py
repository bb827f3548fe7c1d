from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from accounts.demo import DEMO_PASSWORD, seed_accounts, seed_establishments
from accounts.models import Establishment
from allocations.demo import seed_allocations
from reports.demo import seed_reports
from requests_app.demo import seed_campaigns


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent : relancer ne duplique rien)."

    def handle(self, *args, **options):
        # The demo's notifications are not e-mailed to anybody.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._seed()

    def _seed(self):
        result = seed_establishments()
        self.stdout.write(f"Établissements réels (extrait de l'Annuaire de l'éducation) : {result['real'].summary()}")
        self.stdout.write(
            f"Établissements générés créés : {result['generated']} ; "
            f"total : {Establishment.objects.count()} établissements"
        )
        campaigns = seed_campaigns()
        self.stdout.write("Campagnes : " + ", ".join(c.label for c in campaigns))
        accounts = seed_accounts()
        counts = seed_allocations(sorted(campaigns, key=lambda c: c.start_year))
        self.stdout.write(
            "Enveloppes notifiées ; demandes : " + ", ".join(f"{label} : {n}" for label, n in counts.items())
        )
        reports = seed_reports(sorted(campaigns, key=lambda c: c.start_year))
        self.stdout.write(
            f"Bilans : {reports['usage_reports']} bilans d'utilisation, "
            f"{reports['transmissions']} transmissions à la DGER"
        )
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        width = max(len(email) for email, _ in accounts)
        for email, description in accounts:
            self.stdout.write(f"  {email.ljust(width)}  {description}")
        self.stdout.write("")
