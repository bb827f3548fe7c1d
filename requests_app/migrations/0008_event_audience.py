"""Each history entry says who reads it: internal to the authority, or shared with the establishment. Entries
already recorded take the audience their action has today: the decisions themselves (allocation, change,
refusal, with the envelope figures and the internal reasons) stay internal; everything else is shared."""

from django.db import migrations, models

INTERNAL_ACTIONS = ("allocated", "allocation_changed", "refused")


def share_existing(apps, schema_editor):
    event = apps.get_model("requests_app", "RequestEvent")
    event.objects.exclude(action__in=INTERNAL_ACTIONS).update(audience="shared")


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0007_decision_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="requestevent",
            name="audience",
            field=models.CharField(
                choices=[("internal", "Interne à l'autorité"), ("shared", "Partagé avec l'établissement")],
                default="internal",
                max_length=8,
                verbose_name="lecteurs",
            ),
        ),
        migrations.RunPython(share_existing, migrations.RunPython.noop),
    ]
