"""Demo campaigns: one completed two years back, one in progress (allocations notified, spring review to
come) and one open for requests whose deadline is after today."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from requests_app.models import Campaign

NATIONAL_VOLUMES = {-2: 72_000, -1: 74_000, 0: 76_000}


def open_campaign_year(today: datetime.date) -> int:
    """The first school year whose request deadline (12 July) is after ``today``."""
    return today.year if today < datetime.date(today.year, 7, 12) else today.year + 1


@transaction.atomic
def seed_campaigns(today=None) -> list[Campaign]:
    today = today or timezone.localdate()
    year = open_campaign_year(today)
    campaigns = []
    for offset, volume in NATIONAL_VOLUMES.items():
        campaign, _created = Campaign.objects.get_or_create(
            start_year=year + offset,
            defaults={**Campaign.default_calendar(year + offset), "national_volume": volume},
        )
        campaigns.append(campaign)
    return campaigns


# --- Demo requests ------------------------------------------------------------------------------------------

PROJECTS = [
    "Le projet d'établissement fait de l'accompagnement individuel un axe prioritaire : tutorat par un enseignant "
    "référent, entretiens d'étape et ateliers de méthodologie dès la rentrée.",
    "Le volet « réussite de tous » du projet d'établissement prévoit un repérage précoce des difficultés et des "
    "parcours d'appui personnalisés, construits avec l'équipe pédagogique et la vie scolaire.",
    "L'établissement accueille un public rural varié ; son projet vise à consolider les compétences de base et "
    "l'autonomie des apprenants par un suivi individualisé tout au long de l'année.",
]
NEEDS = [
    "Difficultés de lecture de consignes et d'organisation du travail repérées aux positionnements de rentrée, "
    "surtout en seconde professionnelle et en première année de CAP.",
    "Élèves en risque de décrochage (absentéisme, résultats en baisse) et élèves arrivant d'autres voies avec des "
    "lacunes importantes en mathématiques et en expression écrite.",
    "Besoin de méthodes de travail et de confiance en soi chez les élèves de première et de terminale, et "
    "d'accompagnement vers la poursuite d'études pour les étudiants de BTSA.",
]
ARTICULATIONS = [
    "Une heure hebdomadaire inscrite à l'emploi du temps en petits groupes, complétée par des créneaux de tutorat "
    "individuel sur la base du volontariat le mercredi après-midi.",
    "Des séances d'appui individuel placées sur les heures d'étude, et un dispositif volontaire d'aide aux devoirs "
    "à l'internat en soirée.",
]
DISCIPLINES = [
    "Lettres, mathématiques, agronomie",
    "Français, histoire-géographie, zootechnie",
    "Mathématiques, physique-chimie, biologie-écologie",
    "Lettres, anglais, économie, documentation",
]
ROLES = [
    "Tutorat individuel, remédiation méthodologique, entretiens de suivi avec l'élève et la famille.",
    "Ateliers de méthodologie, aide à l'organisation du travail personnel, suivi des progrès dans un livret.",
]
OBJECTIVES = [
    "Réduire les sorties sans qualification et améliorer l'assiduité ; faire progresser chaque élève suivi sur "
    "deux compétences méthodologiques identifiées au positionnement.",
    "Consolider l'autonomie et la confiance en soi des élèves suivis ; diminuer le nombre d'élèves en grande "
    "difficulté à l'issue du premier trimestre.",
]
EVALUATIONS = [
    "Positionnement en début et fin d'année, suivi de l'assiduité et des résultats, questionnaire de satisfaction "
    "des élèves, bilan en conseil pédagogique.",
    "Indicateurs de réussite aux évaluations, entretiens individuels de bilan, enquête auprès des familles et des "
    "enseignants impliqués.",
]
WEEKLY_CHOICES = ["1", "1.5", "2", "2.5", "3", "4", "5", "6"]


def demo_request_values(rng, establishment) -> dict:
    values = {
        "head_name": f"Direction — {establishment.name}"[:150],
        "contact_details": "\n".join(p for p in (establishment.full_address, establishment.phone) if p),
        "contact_email": establishment.email or f"direction.{establishment.uai.lower()}@example.org",
        "project": rng.choice(PROJECTS),
        "needs": rng.choice(NEEDS),
        "pupils_count": rng.randint(12, 90),
        "articulation": rng.choice(ARTICULATIONS),
        "intervenants_count": rng.randint(2, 12),
        "disciplines": rng.choice(DISCIPLINES),
        "roles": rng.choice(ROLES),
        "objectives": rng.choice(OBJECTIVES),
        "evaluation": rng.choice(EVALUATIONS),
        "axis_methodological": True,
        "axis_civic": rng.random() < 0.5,
        "axis_dropout": rng.random() < 0.6,
    }
    levels = ["bac_pro"] if establishment.network == "mfr" else ["cap", "bac_pro", "bac_gt", "sup"]
    chosen = rng.sample(levels, k=min(len(levels), rng.randint(1, 3)))
    for key in ("cap", "bac_pro", "bac_gt", "sup"):
        ticked = key in chosen
        values[f"level_{key}"] = ticked
        values[f"hse_{key}"] = Decimal(rng.choice(WEEKLY_CHOICES)) if ticked else None
    return values
