"""Campaign left for the campaigns app (same table, renamed there)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0004_letter_sent_event"),
        ("campaigns", "0001_initial"),
        ("allocations", "0004_campaign_moved"),
        ("reports", "0002_campaign_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="request",
                    name="campaign",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="requests", to="campaigns.campaign", verbose_name="campagne"),
                ),
                migrations.AlterField(
                    model_name="extension",
                    name="campaign",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="extensions", to="campaigns.campaign", verbose_name="campagne"),
                ),
                migrations.DeleteModel(name="Campaign"),
            ],
            database_operations=[],
        ),
    ]
