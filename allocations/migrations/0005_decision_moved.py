"""Decision left for requests_app (same rows)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("allocations", "0004_campaign_moved"),
        ("requests_app", "0006_decision_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Decision")], database_operations=[]),
    ]
