"""The reports' campaign is now ``campaigns.Campaign`` (same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("campaigns", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="pdfjob",
                    name="campaign",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="campaigns.campaign"),
                ),
                migrations.AlterField(
                    model_name="regionalreview",
                    name="campaign",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="regional_reviews", to="campaigns.campaign", verbose_name="campagne"),
                ),
                migrations.AlterField(
                    model_name="transmission",
                    name="campaign",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="transmissions", to="campaigns.campaign", verbose_name="campagne"),
                ),
            ],
            database_operations=[],
        ),
    ]
