"""Data that stresses a layout: the longest establishment names and communes, four levels asked, figures of
five or six digits (PDF geometry and screen layout tests)."""

from decimal import Decimal

from django.utils import timezone

from accounts.models import Establishment
from allocations import services as allocation_services
from tests import factories

LONG_NAME = "Lycée d'enseignement général, technologique et professionnel agricole et horticole {n} — site de {c}"
LONG_COMMUNE = "Saint-Germain-en-Laye-Chambourcy-sur-Seine"
NETWORKS = [n for n, _l in Establishment.Network.choices]


def weekly(n):
    """Up to the largest request the form accepts per level (20 HSE per week)."""
    levels = ("cap", "bac_pro", "bac_gt", "sup")
    return {f"hse_{k}": Decimal(19 - (n + i) % 7) + Decimal("0.5") for i, k in enumerate(levels)}


def long_requests(region, campaign, count, prefix):
    requests = []
    for n in range(count):
        establishment = factories.EstablishmentFactory(
            region=region,
            name=LONG_NAME.format(n=f"{prefix}{n:03d}", c=LONG_COMMUNE),
            commune=LONG_COMMUNE,
            status=Establishment.Status.PRIVATE if n % 2 else Establishment.Status.PUBLIC,
            network=NETWORKS[n % len(NETWORKS)],
        )
        values = factories.complete_values(level_bac_gt=True, level_sup=True, **weekly(n))
        requests.append(
            factories.HseRequestFactory(
                campaign=campaign, establishment=establishment, status="deposee", submitted_at=timezone.now(), **values
            )
        )
    return requests


def read(stored) -> bytes:
    with stored.open("rb") as stream:
        return stream.read()


def allocate_all(regional, requests):
    allocation_services.start_review(regional, requests)
    for request in requests:
        request.refresh_from_db()
        hours = {k: int(request.weekly(k) * 36) - 7 for k in ("cap", "bac_pro", "bac_gt", "sup")}
        allocation_services.allocate(regional, request, hours, "Répartition au prorata, arrondie.", 0)
