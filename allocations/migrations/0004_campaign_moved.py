"""The envelope's campaign is now ``campaigns.Campaign`` (same table); CampaignEvent left for campaigns."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("allocations", "0003_letter_sent_at"),
        ("campaigns", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="envelope",
                    name="campaign",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="envelopes", to="campaigns.campaign", verbose_name="campagne"),
                ),
                migrations.DeleteModel(name="CampaignEvent"),
            ],
            database_operations=[],
        ),
    ]
