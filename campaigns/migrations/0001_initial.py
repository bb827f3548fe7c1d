"""Campaign (from requests_app) and CampaignEvent (from allocations) move here: the state moves, the rows stay
where they are (their tables are renamed in 0002), their content types follow."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from core.migration_helpers import move_content_types

forwards, backwards = move_content_types(
    [("requests_app", "campaigns", "campaign"), ("allocations", "campaigns", "campaignevent")]
)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("requests_app", "0004_letter_sent_event"),
        ("allocations", "0003_letter_sent_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Campaign",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("start_year", models.PositiveSmallIntegerField(help_text="2024 pour la campagne 2024-2025", unique=True, validators=[django.core.validators.MinValueValidator(2000), django.core.validators.MaxValueValidator(2100)], verbose_name="année de rentrée")),
                        ("envelopes_date", models.DateField(verbose_name="notification des enveloppes régionales (début juin)")),
                        ("request_deadline", models.DateField(verbose_name="date limite de transmission des demandes (12 juillet)")),
                        ("allocation_deadline", models.DateField(verbose_name="date limite de notification des dotations (23 août)")),
                        ("summary_deadline", models.DateField(verbose_name="date limite du bilan de la répartition (30 septembre)")),
                        ("review_deadline", models.DateField(verbose_name="date limite du bilan qualitatif (mai)")),
                        ("weeks_per_year", models.PositiveSmallIntegerField(default=36, help_text="Une HSE par semaine sur l'année scolaire vaut ce nombre d'heures annuelles.", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(52)], verbose_name="semaines par année scolaire")),
                        ("national_volume", models.PositiveIntegerField(default=0, verbose_name="volume national (heures annuelles)")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créée le")),
                    ],
                    options={"verbose_name": "campagne", "ordering": ["-start_year"], "db_table": "requests_app_campaign"},
                ),
                migrations.CreateModel(
                    name="CampaignEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="le")),
                        ("action", models.CharField(choices=[("created", "Campagne créée"), ("updated", "Campagne modifiée"), ("envelopes_set", "Enveloppes régionales fixées"), ("envelopes_notified", "Enveloppes régionales notifiées")], max_length=24, verbose_name="action")),
                        ("message", models.TextField(blank=True, verbose_name="message")),
                        ("data", models.JSONField(blank=True, default=dict, verbose_name="détails")),
                        ("actor", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="par")),
                        ("campaign", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="events", to="campaigns.campaign", verbose_name="campagne")),
                    ],
                    options={"verbose_name": "événement de campagne", "ordering": ["at", "pk"], "db_table": "allocations_campaignevent"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
