"""The tables behind the pages, as header + rows, shared by the CSV/XLSX exports and the PDFs."""

from django.utils import timezone

from core.formatting import format_date
from reports.board import NationalBoard
from requests_app.models import LEVEL_KEYS, LEVELS


def national_board_table(board: NationalBoard):
    headers = [
        "Région",
        "Code",
        "Enveloppe (h)",
        "Établissements",
        *[f"Demandes : {status.label.lower()}" for status in board.status_columns],
        "Demandé (HSE/semaine)",
        "Demandé (h/an)",
        "Attribué (h)",
        "Reste (h)",
        "Part utilisée (%)",
        *[f"{item['watched'].short} ({format_date(item['due'])})" for item in board.watched],
    ]
    rows = []
    for row in [*board.rows, board.total]:
        if row.work is not None:
            watches = [row.work.watch(item["watched"].field).text for item in board.watched]
        else:  # the total: how many regions are late
            watches = [f"{item['late']} région{'s' if item['late'] > 1 else ''} en retard" for item in board.watched]
        rows.append(
            [
                row.label,
                row.key if row.key != "total" else "",
                row.envelope,
                row.establishments,
                *[n for _status, n in row.statuses()],
                row.requested_weekly,
                row.requested_annual,
                row.allocated,
                row.remaining,
                row.share_used,
                *watches,
            ]
        )
    return headers, rows


def requests_table(queryset):
    headers = [
        "Campagne",
        "Région",
        "UAI",
        "Établissement",
        "Commune",
        "Statut",
        "Réseau",
        "Référence",
        "État de la demande",
        "Déposée le",
        *[f"Demandé {label} (HSE/semaine)" for _k, label in LEVELS],
        "Demandé total (HSE/semaine)",
        "Demandé total (h/an)",
        *[f"Attribué {label} (h/an)" for _k, label in LEVELS],
        "Attribué total (h/an)",
        "Décision",
        "Notifiée le",
    ]

    def rows():
        for request in queryset.select_related("campaign", "establishment__region", "decision").iterator(
            chunk_size=500
        ):
            decision = getattr(request, "decision", None)
            establishment = request.establishment
            yield [
                request.campaign.label,
                establishment.region.name,
                establishment.uai,
                establishment.name,
                establishment.commune,
                establishment.get_status_display(),
                establishment.get_network_display(),
                request.reference,
                request.get_status_display(),
                timezone.localtime(request.submitted_at).strftime("%d/%m/%Y %H:%M") if request.submitted_at else "",
                *[request.weekly(k) for k in LEVEL_KEYS],
                request.hse_total_weekly,
                request.campaign.annual_hours(request.hse_total_weekly),
                *[decision.hours(k) if decision else None for k in LEVEL_KEYS],
                decision.total if decision else None,
                decision.get_outcome_display() if decision else "",
                timezone.localtime(decision.notified_at).strftime("%d/%m/%Y")
                if decision and decision.notified_at
                else "",
            ]

    return headers, rows()
