"""The allocation assistant: shares what remains in a region's envelope among its requests under review,
pro rata of the annual hours asked, never above what was asked, in whole hours (largest remainder), so that
the proposals add up exactly to what remains, or to the total asked when that is less."""

from dataclasses import dataclass
from decimal import Decimal

from allocations.apportion import apportion
from allocations.services import region_allocated, requested_caps
from requests_app.models import LEVEL_KEYS, Request


@dataclass
class Proposal:
    request: Request
    asked_weekly: dict
    asked_annual: dict
    caps: dict
    hours: dict

    @property
    def total(self) -> int:
        return sum(self.hours.values())

    @property
    def asked_total(self) -> Decimal:
        return sum(self.asked_annual.values(), Decimal(0))

    def levels(self):
        return [
            {
                "key": key,
                "weekly": self.asked_weekly[key],
                "annual": self.asked_annual[key],
                "cap": self.caps[key],
                "hours": self.hours[key],
            }
            for key in LEVEL_KEYS
        ]


@dataclass
class Assistant:
    envelope_hours: int
    already_allocated: int
    proposals: list

    @property
    def remaining(self) -> int:
        return self.envelope_hours - self.already_allocated

    @property
    def proposed(self) -> int:
        return sum(p.total for p in self.proposals)

    @property
    def asked(self) -> int:
        return sum(sum(p.caps.values()) for p in self.proposals)


def propose(envelope, requests) -> Assistant:
    """``requests``: the region's requests under review (with campaign loaded)."""
    requests = list(requests)
    envelope_hours = envelope.hours if hasattr(envelope, "hours") else envelope.total_hours()
    already = region_allocated(envelope.campaign_id, envelope.region_id, [r.pk for r in requests])
    remaining = max(envelope_hours - already, 0)
    caps = {r.pk: requested_caps(r) for r in requests}
    asked = {r.pk: {k: r.campaign.annual_hours(r.weekly(k) or Decimal(0)) for k in LEVEL_KEYS} for r in requests}
    totals = apportion(
        remaining,
        weights={pk: sum(levels.values(), Decimal(0)) for pk, levels in asked.items()},
        caps={pk: sum(levels.values()) for pk, levels in caps.items()},
    )
    proposals = []
    for request in requests:
        per_level = apportion(totals[request.pk], weights=asked[request.pk], caps=caps[request.pk])
        proposals.append(
            Proposal(
                request=request,
                asked_weekly={k: request.weekly(k) or Decimal(0) for k in LEVEL_KEYS},
                asked_annual=asked[request.pk],
                caps=caps[request.pk],
                hours=per_level,
            )
        )
    return Assistant(envelope_hours=envelope_hours, already_allocated=already, proposals=proposals)
