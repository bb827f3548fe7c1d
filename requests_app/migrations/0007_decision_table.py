"""The moved decision table takes its app's name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0006_decision_moved"),
        ("allocations", "0005_decision_moved"),
    ]

    operations = [
        migrations.AlterModelTable(name="decision", table=None),
    ]
