from django.apps import AppConfig


class AllocationsConfig(AppConfig):
    name = "allocations"
    verbose_name = "Enveloppes et attributions"

    def ready(self):
        from allocations.services.envelopes import volume_covers_envelopes
        from campaigns.services import register_guard

        register_guard(volume_covers_envelopes)
