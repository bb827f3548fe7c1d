from django.apps import AppConfig


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = "Demandes (Annexe 1) et décisions"

    def ready(self):
        from campaigns.services import register_guard
        from requests_app.services import weeks_frozen_once_deposited

        register_guard(weeks_frozen_once_deposited)
