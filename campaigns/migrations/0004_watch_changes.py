"""Every write to these tables counts in ``core.changes.data_version`` (database triggers): the boards' figures kept
in memory are built again once they changed."""

from django.db import migrations

from core.migration_helpers import watch_changes


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0003_regional_deadline"),
        ("core", "0002_data_change"),
    ]

    operations = [watch_changes("campaigns_campaign")]
