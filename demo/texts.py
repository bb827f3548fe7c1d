"""What the demo's establishments and regions write: Annexe 1 requests, usage reports (with the indicators of
seed 004), regional syntheses. Drawn from small pools with a seeded random generator, so every run writes the
same."""

from decimal import Decimal

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


def request_values(rng, establishment, head_name: str) -> dict:
    """A plausible Annexe 1, drawn with ``rng``; most heads also give the optional pupils count and axes."""
    values = {
        "head_name": head_name,
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
        "axis_methodological": rng.random() < 0.9,
        "axis_civic": rng.random() < 0.5,
        "axis_dropout": rng.random() < 0.6,
    }
    if rng.random() < 0.15:  # only what the paper Annexe 1 asks
        values.update(pupils_count=None, axis_methodological=False, axis_civic=False, axis_dropout=False)
    levels = ["bac_pro"] if establishment.network == "mfr" else ["cap", "bac_pro", "bac_gt", "sup"]
    chosen = rng.sample(levels, k=min(len(levels), rng.randint(1, 3)))
    for key in ("cap", "bac_pro", "bac_gt", "sup"):
        ticked = key in chosen
        values[f"level_{key}"] = ticked
        values[f"hse_{key}"] = Decimal(rng.choice(WEEKLY_CHOICES)) if ticked else None
    return values


# --- Usage reports (bilan d'utilisation) --------------------------------------------------------------------

ACTIONS = {
    "methodological": [
        "Ateliers de méthodologie et de lecture de consignes en petits groupes.",
        "Séances d'organisation du travail personnel avec un carnet de bord hebdomadaire.",
    ],
    "civic": [
        "Projets de classe autour de la vie en société et de l'engagement (conseil de vie lycéenne, éco-délégués).",
        "Débats argumentés et préparation d'un oral citoyen.",
    ],
    "dropout": [
        "Tutorat individuel des élèves repérés en risque de décrochage, entretiens avec les familles.",
        "Remédiation en mathématiques et en français pour les élèves arrivés avec des lacunes importantes.",
    ],
}
PROJECT_TEXTS = [
    "Exposition avec le musée départemental sur l'histoire de l'agriculture locale.",
    "Échange à distance avec un lycée agricole irlandais, préparé en anglais et en agronomie.",
    "Projet pluridisciplinaire « du champ à l'assiette » mené avec la cantine et un producteur voisin.",
]
EFFECTS_PRACTICES = [
    "Les enseignants préparent davantage leurs séances à deux et partagent des grilles d'évaluation communes.",
    "Les équipes ont adopté le positionnement de rentrée dans toutes les classes de seconde.",
    "Des pratiques de différenciation issues de l'accompagnement passent dans les cours ordinaires.",
]
OBSERVATIONS = [
    "Assiduité en hausse chez les élèves suivis ; progrès nets en organisation du travail.",
    "Moins d'abandons en cours d'année ; les élèves suivis prennent plus souvent la parole en classe.",
    "Résultats en hausse aux évaluations de fin de trimestre pour deux tiers des élèves accompagnés.",
]
EVALUATIONS = [
    "Positionnements de début et de fin d'année, suivi de l'assiduité, entretiens de bilan.",
    "Grille d'auto-évaluation des élèves, résultats trimestriels, bilan en conseil pédagogique.",
]
DIFFICULTIES = [
    "Disponibilité des intervenants en fin d'année.",
    "Créneaux difficiles à trouver dans l'emploi du temps des internes.",
    "",
]


def usage_values(rng, decision) -> dict:
    """A usage report for ``decision`` (a notified allocation): hours used 80 to 100 % of each level, and the
    indicators of seed 004."""
    rate = Decimal(rng.randint(80, 100)) / 100
    pupils = rng.randint(10, 80)
    staff = rng.randint(15, 70)
    values = {
        f"hours_used_{key}": (Decimal(decision.hours(key)) * rate).quantize(Decimal("0.1"))
        for key in ("cap", "bac_pro", "bac_gt", "sup")
    }
    counts = {key: rng.choice([0, 1, 2, 3, 4, 6]) for key in ACTIONS}
    counts["methodological"] = max(counts["methodological"], 1)
    for key, count in counts.items():
        values[f"actions_{key}_count"] = count
        values[f"actions_{key}"] = rng.choice(ACTIONS[key]) if count else ""
    projects = rng.choice([0, 0, 1, 1, 2, 3])
    assessed = rng.random() < 0.6
    values.update(
        pupils_supported=pupils,
        teachers_involved=rng.randint(2, min(12, staff)),
        teaching_staff=staff,
        projects_count=projects,
        projects=rng.choice(PROJECT_TEXTS) if projects else "",
        pupils_continuing=pupils - rng.randint(0, max(1, pupils // 8)),
        effects_practices=rng.choice(EFFECTS_PRACTICES),
        survey_pupils=rng.random() < 0.6,
        survey_parents=rng.random() < 0.3,
        survey_staff=rng.random() < 0.4,
        surveys="Les élèves disent mieux s'organiser ; les familles demandent que l'accompagnement continue."
        if rng.random() < 0.4
        else "",
        tool_positioning=rng.random() < 0.7,
        tool_dashboard=rng.random() < 0.4,
        tool_portfolio=rng.random() < 0.35,
        tool_skills_record=rng.random() < 0.5,
        personal_work_assessed=assessed,
        pupils_more_involved=rng.randint(0, pupils) if assessed else None,
        personal_work="Carnet de bord relu chaque mois avec le tuteur." if assessed else "",
        promotion_families=rng.random() < 0.6,
        promotion_website=rng.random() < 0.35,
        promotion_event=rng.random() < 0.25,
        communication="Présentation des actions aux portes ouvertes et dans la lettre aux familles."
        if rng.random() < 0.5
        else "",
        evaluation=rng.choice(EVALUATIONS),
        observations=rng.choice(OBSERVATIONS),
        difficulties=rng.choice(DIFFICULTIES),
    )
    return values


SYNTHESES = {
    "what_worked": "Le tutorat individuel et les ateliers de méthodologie ont été bien investis par les élèves de "
    "seconde ; les établissements qui ont articulé l'appui personnalisé avec le suivi des élèves en difficulté "
    "du PACTE ont touché les publics visés.",
    "difficulties": "La notification tardive des dotations a compliqué l'organisation des emplois du temps à la "
    "rentrée ; certains établissements peinent à mobiliser des intervenants volontaires en fin d'année.",
    "recommendations": "Notifier les enveloppes plus tôt, mutualiser les outils de positionnement entre "
    "établissements et partager les pratiques remarquables lors d'une journée régionale.",
}
