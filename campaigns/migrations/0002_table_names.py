"""The moved tables take their app's name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("requests_app", "0005_campaign_moved"),
        ("allocations", "0004_campaign_moved"),
        ("reports", "0002_campaign_moved"),
    ]

    operations = [
        migrations.AlterModelTable(name="campaign", table=None),
        migrations.AlterModelTable(name="campaignevent", table=None),
    ]
