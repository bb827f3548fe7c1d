"""The figures and words of the May qualitative review (bilan qualitatif des usages), regional and national.

The indicators are those of the fiche « Mettre en œuvre l'accompagnement personnalisé » (seed 004, « Exemples
d'indicateurs de suivi »), computed from the establishments' usage reports by the database (one aggregate
query for a region or the country, one grouped query for every region at once): actions conducted and their
nature, proportion of teachers involved, pluridisciplinary, cultural or international projects, pupils going on
with their studies, effects on teaching practices, surveys, positioning and follow-up tools, communication and
promotion, pupils' involvement in their personal work. The regional review also carries the establishments'
own words (an annex of their texts, by establishment); the national one each region's synthesis.
"""

from decimal import Decimal

from django.db.models import Count, Q

from core.aggregates import total, total_decimal
from core.formatting import NARROW_NBSP, format_number
from reports.documents import fingerprint
from requests_app.models import (
    AXES,
    AXIS_SHORT_LABELS,
    CHOICE_GROUPS,
    LEVEL_KEYS,
    LEVELS,
    PROMOTION,
    SURVEYS,
    TOOLS,
    Decision,
    UsageReport,
)

SUBMITTED = Q(status=UsageReport.Status.SUBMITTED)


def _any(prefix: str) -> Q:
    condition = Q(pk__in=[])
    for key, _label in CHOICE_GROUPS[prefix]:
        condition |= Q(**{f"{prefix}_{key}": True})
    return condition


def report_sums() -> dict:
    """The aggregates over submitted usage reports behind every figure of the review (for ``aggregate`` or a
    grouped ``annotate``)."""
    with_staff = Q(teaching_staff__isnull=False, teachers_involved__isnull=False)
    with_continuing = Q(pupils_continuing__isnull=False, pupils_supported__isnull=False)
    with_involvement = Q(
        personal_work_assessed=True, pupils_more_involved__isnull=False, pupils_supported__isnull=False
    )
    return {
        "n": Count("pk"),
        "used": total_decimal("hours_used_total"),
        "pupils": total("pupils_supported"),
        "teachers": total("teachers_involved"),
        **{f"u_{k}": total_decimal(f"hours_used_{k}") for k in LEVEL_KEYS},
        **{f"a_{k}": total(f"actions_{k}_count") for k, _l in AXES},
        **{f"r_{k}": Count("pk", filter=Q(**{f"actions_{k}_count__gt": 0})) for k, _l in AXES},
        "staff_reports": Count("pk", filter=with_staff),
        "staff_involved": total("teachers_involved", filter=with_staff),
        "staff": total("teaching_staff", filter=with_staff),
        "projects_total": total("projects_count"),
        "projects_reports": Count("pk", filter=Q(projects_count__gt=0)),
        "continuing_reports": Count("pk", filter=with_continuing),
        "continuing": total("pupils_continuing", filter=with_continuing),
        "continuing_pupils": total("pupils_supported", filter=with_continuing),
        "practices": Count("pk", filter=~Q(effects_practices="")),
        **{f"n_{p}_{k}": Count("pk", filter=Q(**{f"{p}_{k}": True})) for p, g in CHOICE_GROUPS.items() for k, _l in g},
        **{f"n_{p}_any": Count("pk", filter=_any(p)) for p in CHOICE_GROUPS},
        "assessed": Count("pk", filter=Q(personal_work_assessed=True)),
        "more_involved": total("pupils_more_involved", filter=with_involvement),
        "assessed_pupils": total("pupils_supported", filter=with_involvement),
    }


def _rate(part, whole) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else None


def _plural(n: int, word: str) -> str:
    return f"{format_number(n)} {word}{'s' if n > 1 else ''}"


def indicators_from(allocated: dict, used: dict) -> dict:
    """The review's indicators from the sums of ``report_sums`` (``used``) and of the notified allocations
    (``allocated``: ``count``, ``hours``, ``with_report``, ``h_<level>``)."""
    allocated_with_report = allocated.get("with_report", 0)
    indicators = {
        "establishments": allocated.get("count", 0),
        "received": used.get("n", 0),
        "missing": allocated.get("count", 0) - used.get("n", 0),
        "allocated": allocated.get("hours", 0),
        "allocated_with_report": allocated_with_report,
        "used": used.get("used", Decimal(0)),
        "usage_rate": _rate(used.get("used", 0), allocated_with_report),
        "pupils": used.get("pupils", 0),
        "teachers": used.get("teachers", 0),
        "levels": [
            {"label": label, "allocated": allocated.get(f"h_{key}", 0), "used": used.get(f"u_{key}", Decimal(0))}
            for key, label in LEVELS
        ],
        "axes": [
            {"label": AXIS_SHORT_LABELS[key], "actions": used.get(f"a_{key}", 0), "reports": used.get(f"r_{key}", 0)}
            for key, _label in AXES
        ],
        "actions": sum(used.get(f"a_{key}", 0) for key, _label in AXES),
        "staff_reports": used.get("staff_reports", 0),
        "staff_involved": used.get("staff_involved", 0),
        "staff": used.get("staff", 0),
        "teachers_rate": _rate(used.get("staff_involved", 0), used.get("staff", 0)),
        "projects": used.get("projects_total", 0),
        "projects_reports": used.get("projects_reports", 0),
        "continuing": used.get("continuing", 0),
        "continuing_pupils": used.get("continuing_pupils", 0),
        "continuing_rate": _rate(used.get("continuing", 0), used.get("continuing_pupils", 0)),
        "practices": used.get("practices", 0),
        "assessed": used.get("assessed", 0),
        "more_involved": used.get("more_involved", 0),
        "assessed_pupils": used.get("assessed_pupils", 0),
        "more_involved_rate": _rate(used.get("more_involved", 0), used.get("assessed_pupils", 0)),
    }
    for prefix, group in (("survey", SURVEYS), ("tool", TOOLS), ("promotion", PROMOTION)):
        indicators[f"{prefix}_any"] = used.get(f"n_{prefix}_any", 0)
        indicators[f"{prefix}_counts"] = [
            {"label": label, "count": used.get(f"n_{prefix}_{key}", 0)} for key, label in group
        ]
    indicators["seed"] = seed_rows(indicators)
    return indicators


def _percent(value) -> str:
    return "—" if value is None else f"{format_number(value, 1)}{NARROW_NBSP}%"


def seed_rows(i: dict) -> list[dict]:
    """The indicators of seed 004, in the fiche's words, with their value and what it is made of."""
    establishments = lambda n: _plural(n, "établissement")  # noqa: E731
    return [
        {
            "title": "Nombre et nature des actions conduites au titre de l'accompagnement personnalisé",
            "value": _plural(i["actions"], "action"),
            "detail": " ; ".join(f"{a['label']} : {format_number(a['actions'])}" for a in i["axes"]),
        },
        {
            "title": "Proportion des enseignants impliqués",
            "value": _percent(i["teachers_rate"]),
            "detail": f"{format_number(i['staff_involved'])} intervenants impliqués sur un effectif de "
            f"{format_number(i['staff'])} enseignants et personnels d'éducation "
            f"({_plural(i['staff_reports'], 'bilan')})",
        },
        {
            "title": "Projets et actions à caractère pluridisciplinaire, culturel ou ouvert à l'international",
            "value": _plural(i["projects"], "projet"),
            "detail": f"dans {establishments(i['projects_reports'])}",
        },
        {
            "title": "Effets sur le nombre d'élèves poursuivant leurs études",
            "value": _percent(i["continuing_rate"]),
            "detail": f"{format_number(i['continuing'])} élèves poursuivent leur formation ou leurs études, sur "
            f"{format_number(i['continuing_pupils'])} élèves accompagnés",
        },
        {
            "title": "Effets sur l'évolution des pratiques pédagogiques",
            "value": establishments(i["practices"]),
            "detail": "en décrivent (leurs mots en annexe)",
        },
        {
            "title": "Enquêtes auprès des élèves, des parents ou des équipes",
            "value": establishments(i["survey_any"]),
            "detail": " ; ".join(f"{c['label']} : {format_number(c['count'])}" for c in i["survey_counts"]),
        },
        {
            "title": "Outils de positionnement et de suivi (portfolio, relevé de compétences…)",
            "value": establishments(i["tool_any"]),
            "detail": " ; ".join(f"{c['label']} : {format_number(c['count'])}" for c in i["tool_counts"]),
        },
        {
            "title": "Stratégies de communication et de valorisation",
            "value": establishments(i["promotion_any"]),
            "detail": " ; ".join(f"{c['label']} : {format_number(c['count'])}" for c in i["promotion_counts"]),
        },
        {
            "title": "Implication des élèves dans leur travail personnel",
            "value": f"évaluée dans {establishments(i['assessed'])}",
            "detail": f"{format_number(i['more_involved'])} élèves plus impliqués sur "
            f"{format_number(i['assessed_pupils'])} accompagnés ({_percent(i['more_involved_rate'])})",
        },
    ]


def _allocated_sums():
    filed = Q(request__usage_report__status=UsageReport.Status.SUBMITTED)
    return {
        "with_report": total("total", filter=filed),
        "hours": total("total"),
        "count": Count("pk"),
        **{f"h_{k}": total(f"hours_{k}") for k in LEVEL_KEYS},
    }


def usage_indicators(campaign, region=None) -> dict:
    """The indicators of a region (or of the country): two aggregate queries."""
    decisions = Decision.objects.allocations().notified().filter(request__campaign=campaign)
    reports = UsageReport.objects.filter(SUBMITTED, request__campaign=campaign)
    if region is not None:
        decisions = decisions.filter(request__establishment__region=region)
        reports = reports.filter(request__establishment__region=region)
    return indicators_from(decisions.aggregate(**_allocated_sums()), reports.aggregate(**report_sums()))


def _fingerprinted(indicators: dict) -> dict:
    return {key: value for key, value in indicators.items() if key != "seed"}


def regional_review(campaign, region, synthesis) -> dict:
    indicators = usage_indicators(campaign, region)
    statuses = (
        Decision.objects.allocations()
        .notified()
        .in_region(campaign.pk, region.pk)
        .order_by("request__establishment__sort_name")
        .values_list(
            "request__establishment__uai",
            "request__establishment__name",
            "total",
            "request__usage_report__status",
            "request__usage_report__hours_used_total",
        )
    )
    establishments = [
        {
            "uai": uai,
            "name": name,
            "allocated": total_hours,
            "filed": status == UsageReport.Status.SUBMITTED,
            "used": used if status == UsageReport.Status.SUBMITTED else None,
        }
        for uai, name, total_hours, status, used in statuses
    ]
    reports = (
        UsageReport.objects.filter(SUBMITTED, request__campaign=campaign, request__establishment__region=region)
        .select_related("request__establishment")
        .order_by("request__establishment__sort_name")
    )
    own_words = [
        {
            "uai": report.request.establishment.uai,
            "name": report.request.establishment.name,
            "commune": report.request.establishment.commune,
            "texts": report.own_words(),
        }
        for report in reports
    ]
    texts = {
        "what_worked": synthesis.what_worked if synthesis else "",
        "difficulties": synthesis.difficulties if synthesis else "",
        "recommendations": synthesis.recommendations if synthesis else "",
    }
    data = {
        "campaign": campaign.label,
        "region": region.code,
        "indicators": _fingerprinted(indicators),
        "texts": texts,
        "establishments": [(e["uai"], e["filed"], e["used"]) for e in establishments],
        "own_words": [(w["uai"], w["texts"]) for w in own_words],
    }
    return {
        "campaign": campaign,
        "region": region,
        "indicators": indicators,
        "establishments": establishments,
        "own_words": own_words,
        "synthesis": texts,
        "fingerprint": fingerprint(data),
    }


def national_review(campaign, regions, syntheses, transmissions) -> dict:
    """Indicators per region and nationally (one grouped query per source, not one per region), with each
    region's synthesis."""
    decisions = Decision.objects.allocations().notified().filter(request__campaign=campaign)
    reports = UsageReport.objects.filter(SUBMITTED, request__campaign=campaign)
    region_key = "request__establishment__region_id"
    allocated = {row[region_key]: row for row in decisions.values(region_key).annotate(**_allocated_sums()).order_by()}
    used = {row[region_key]: row for row in reports.values(region_key).annotate(**report_sums()).order_by()}
    rows = [
        {
            "region": region,
            "indicators": indicators_from(allocated.get(region.pk, {}), used.get(region.pk, {})),
            "transmission": transmissions.get(region.pk),
            "synthesis": syntheses.get(region.pk),
        }
        for region in regions
    ]
    national = usage_indicators(campaign)
    return {
        "campaign": campaign,
        "rows": rows,
        "national": national,
        "fingerprint": fingerprint(
            {
                "campaign": campaign.label,
                "national": _fingerprinted(national),
                "rows": [(r["region"].code, _fingerprinted(r["indicators"])) for r in rows],
            }
        ),
    }
