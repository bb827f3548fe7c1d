"""Decision moves here from allocations: a decision is the outcome of a request's instruction and sets its
state. The state moves, the rows stay (the table is renamed in 0007), the content type follows."""

import django.db.models.deletion
import django.db.models.expressions
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from core.migration_helpers import move_content_types

forwards, backwards = move_content_types([("allocations", "requests_app", "decision")])


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("requests_app", "0005_campaign_moved"),
        ("allocations", "0004_campaign_moved"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Decision",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("outcome", models.CharField(choices=[("attribution", "Attribution"), ("refus", "Refus")], max_length=12, verbose_name="décision")),
                        ("hours_cap", models.PositiveIntegerField(default=0, verbose_name="heures/an, CAP agricole")),
                        ("hours_bac_pro", models.PositiveIntegerField(default=0, verbose_name="heures/an, baccalauréat professionnel")),
                        ("hours_bac_gt", models.PositiveIntegerField(default=0, verbose_name="heures/an, baccalauréat général et/ou technologique")),
                        ("hours_sup", models.PositiveIntegerField(default=0, verbose_name="heures/an, supérieur court")),
                        ("total", models.GeneratedField(db_persist=True, expression=django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(django.db.models.expressions.CombinedExpression(models.F("hours_cap"), "+", models.F("hours_bac_pro")), "+", models.F("hours_bac_gt")), "+", models.F("hours_sup")), output_field=models.PositiveIntegerField(), verbose_name="total")),
                        ("justification", models.TextField(blank=True, verbose_name="justification ou motif")),
                        ("decided_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="décidée le")),
                        ("version", models.PositiveIntegerField(default=1)),
                        ("notified_at", models.DateTimeField(blank=True, null=True, verbose_name="notifiée le")),
                        ("letter", models.FileField(blank=True, upload_to="notifications/%Y/", verbose_name="lettre de notification")),
                        ("letter_sent_at", models.DateTimeField(blank=True, null=True, verbose_name="lettre envoyée le")),
                        ("letter_sha256", models.CharField(blank=True, max_length=64, verbose_name="empreinte SHA-256 de la lettre")),
                        ("decided_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="par")),
                        ("notified_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="notifiée par")),
                        ("request", models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="decision", to="requests_app.request", verbose_name="demande")),
                    ],
                    options={
                        "verbose_name": "décision",
                        "db_table": "allocations_decision",
                        "constraints": [models.CheckConstraint(condition=models.Q(("outcome", "attribution"), models.Q(("hours_bac_gt", 0), ("hours_bac_pro", 0), ("hours_cap", 0), ("hours_sup", 0)), _connector="OR"), name="refusal_has_no_hours")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
