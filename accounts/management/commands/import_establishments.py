from django.core.management.base import BaseCommand, CommandError

from accounts.importer import ImportFormatError, import_directory


class Command(BaseCommand):
    help = (
        "Importe les établissements d'enseignement agricole d'un extrait CSV de l'« Annuaire de l'éducation » "
        "(séparateur point-virgule, UTF-8). Relancer l'import sur le même fichier ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="chemin du fichier CSV")

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as stream:
                report = import_directory(stream)
        except FileNotFoundError:
            raise CommandError(f"Fichier introuvable : {file}") from None
        except (ImportFormatError, UnicodeDecodeError) as exc:
            raise CommandError(f"Fichier illisible : {exc}") from None
        for line, reason in report.rejected:
            self.stderr.write(f"ligne {line} rejetée : {reason}")
        self.stdout.write(report.summary())
