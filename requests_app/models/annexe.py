"""The vocabulary of the Annexe 1: the four levels of section 6 and the three axes of the note."""

from django.db import models
from django.db.models.functions import Coalesce

LEVELS = (
    ("cap", "CAP agricole"),
    ("bac_pro", "Baccalauréat professionnel"),
    ("bac_gt", "Baccalauréat général et/ou technologique"),
    ("sup", "Supérieur court"),
)
LEVEL_LABELS = dict(LEVELS)
LEVEL_KEYS = tuple(key for key, _label in LEVELS)

AXES = (
    (
        "methodological",
        "Consolidation de compétences méthodologiques (lecture de consignes, gestion de la trace écrite, "
        "organisation du travail, autonomie, appropriation de l'outil documentaire…)",
    ),
    (
        "civic",
        "Consolidation de compétences civiques, sociales (ambition scolaire, citoyenneté, vie en société, "
        "respect d'autrui…)",
    ),
    (
        "dropout",
        "Élèves ou étudiants en situation de décrochage ou ayant accumulé des lacunes importantes dans leurs "
        "apprentissages",
    ),
)
AXIS_SHORT_LABELS = {
    "methodological": "Compétences méthodologiques",
    "civic": "Compétences civiques et sociales",
    "dropout": "Décrochage ou lacunes importantes",
}


def sum_of_levels(prefix: str, max_digits: int):
    """``prefix``cap + ``prefix``bac_pro + … with empty levels counted as 0 (a database expression)."""
    zero = models.Value(0, output_field=models.DecimalField(max_digits=max_digits, decimal_places=1))
    return (
        Coalesce(f"{prefix}cap", zero)
        + Coalesce(f"{prefix}bac_pro", zero)
        + Coalesce(f"{prefix}bac_gt", zero)
        + Coalesce(f"{prefix}sup", zero)
    )
