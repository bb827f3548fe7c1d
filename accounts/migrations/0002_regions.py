"""Ship the 22 regional authorities (13 metropolitan regions, 5 overseas departments, 4 overseas
collectivities) from accounts/data/regions.csv."""

from django.db import migrations

from accounts.regions_data import load_regions


def forwards(apps, schema_editor):
    load_regions(apps.get_model("accounts", "Region"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
