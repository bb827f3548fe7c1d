from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, seed_accounts, seed_establishments
from accounts.models import Establishment
from requests_app.demo import seed_campaigns


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent : relancer ne duplique rien)."

    def handle(self, *args, **options):
        result = seed_establishments()
        self.stdout.write(f"Établissements réels (extrait de l'Annuaire de l'éducation) : {result['real'].summary()}")
        self.stdout.write(
            f"Établissements générés créés : {result['generated']} ; "
            f"total : {Establishment.objects.count()} établissements"
        )
        campaigns = seed_campaigns()
        self.stdout.write("Campagnes : " + ", ".join(c.label for c in campaigns))
        accounts = seed_accounts()
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        width = max(len(email) for email, _ in accounts)
        for email, description in accounts:
            self.stdout.write(f"  {email.ljust(width)}  {description}")
        self.stdout.write("")
