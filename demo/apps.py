from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The one generator of demo and benchmark data (``seed_demo``, ``bench/dataset.py``): on top of every app,
    imported by none."""

    name = "demo"
    verbose_name = "Données de démonstration"
