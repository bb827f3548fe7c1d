"""Every write to these tables counts in ``core.changes.data_version`` (database triggers): the boards' figures kept
in memory are built again once they changed."""

from django.db import migrations

from core.migration_helpers import watch_changes


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0011_request_french_order"),
        ("core", "0002_data_change"),
    ]

    operations = [watch_changes("requests_app_request", "requests_app_decision", "requests_app_usagereport")]
