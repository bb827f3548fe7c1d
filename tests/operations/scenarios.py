"""Data for the operations tests, made through the services at the real time (the subprocesses run on the
machine's clock, not the test's)."""

from django.utils import timezone

from accounts.models import Region
from allocations import services as allocation_services
from allocations.models import Envelope
from tests import factories


def notified_region(establishments: int = 3):
    """Bretagne with ``establishments`` allocated requests, each with one head, then the decisions notified:
    one letter each to build and e-mail. Returns ``(campaign, region, regional, requests)``."""
    campaign = factories.CampaignFactory(start_year=2027)
    bretagne = factories.region("53")
    national = factories.NationalFactory(email="dger.ops@example.org")
    regional = factories.RegionalFactory(email="agent.ops@example.org", region=bretagne)
    allocation_services.set_initial_envelopes(
        national, campaign, {r.pk: 1000 if r.code == "53" else 0 for r in Region.objects.all()}
    )
    # Envelopes notified without their e-mails, so that the outbox holds only the letters.
    Envelope.objects.filter(campaign=campaign).update(notified_at=timezone.now(), notified_by=national)
    requests = []
    for number in range(establishments):
        establishment = factories.EstablishmentFactory(region=bretagne, name=f"Lycée agricole {number:02d}")
        factories.HeadFactory(email=f"chef.{number:02d}@example.org", establishments=[establishment])
        request = factories.HseRequestFactory(
            campaign=campaign, establishment=establishment, status="en_instruction", complete=True
        )
        allocation_services.allocate(regional, request, {"cap": 10 + number}, "", 0)
        requests.append(request)
    allocation_services.notify_decisions(regional, campaign, bretagne)
    return campaign, bretagne, regional, requests
