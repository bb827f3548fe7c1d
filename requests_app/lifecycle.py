"""The request lifecycle, declared once.

    brouillon → déposée → en instruction → attribuée / refusée → notifiée
                   ↘ à compléter ↗ (the region sends it back; the head completes and deposits again)
    déposée, en instruction or à compléter → retirée → brouillon (the head withdraws, then takes it up again)

Every change of a request's state is one of the transitions below: from which states, to which state, who
may do it, and what is recorded in the request's history. The services move requests only through
``requests_app.services.transition`` (which refuses anything this table does not allow), the permission
functions derive their answers from it, templates show the badge and the actions it allows, and the admin
shows it. Status labels are declared once, on ``Status``.

What the establishment sees is declared here too: each transition says whether its history entry is shared
with the establishment or internal to the authority (``Audience``), and ``shown_status`` gives the state as a
viewer may see it (an establishment learns a decision from its notification, not before).
"""

from dataclasses import dataclass
from enum import Enum

from django.db import models

from core.access import ALLOWED, Permission


class Status(models.TextChoices):
    DRAFT = "brouillon", "Brouillon"
    SUBMITTED = "deposee", "Déposée"
    UNDER_REVIEW = "en_instruction", "En instruction"
    TO_COMPLETE = "a_completer", "À compléter"
    ALLOCATED = "attribuee", "Attribuée"
    REFUSED = "refusee", "Refusée"
    NOTIFIED = "notifiee", "Notifiée"
    WITHDRAWN = "retiree", "Retirée"


class Action(models.TextChoices):
    """What a history entry of a request records."""

    CREATED = "created", "Demande commencée"
    SUBMITTED = "submitted", "Demande déposée"
    RESUBMITTED = "resubmitted", "Demande complétée et déposée à nouveau"
    WITHDRAWN = "withdrawn", "Demande retirée"
    REOPENED = "reopened", "Demande reprise en brouillon"
    RETURNED = "returned", "Demande renvoyée à compléter"
    EXTENSION = "extension", "Délai supplémentaire accordé"
    REVIEW_STARTED = "review", "Instruction commencée"
    ALLOCATED = "allocated", "Dotation attribuée"
    ALLOCATION_CHANGED = "allocation_changed", "Dotation modifiée"
    REFUSED = "refused", "Demande refusée"
    NOTIFIED = "notified", "Décision notifiée à l'établissement"
    LETTER_SENT = "letter_sent", "Lettre de notification envoyée par courriel"
    USAGE_REPORT_SUBMITTED = "usage_report", "Bilan d'utilisation déposé"
    REMINDER = "reminder", "Relance pour le bilan d'utilisation"


class Audience(models.TextChoices):
    """Who reads a history entry: the authority's staff only, or the establishment as well. Set where the entry
    is recorded (for a change of state, by its transition below)."""

    INTERNAL = "internal", "Interne à l'autorité"
    SHARED = "shared", "Partagé avec l'établissement"


class Outcome(models.TextChoices):
    """What the region decided on a request (``Decision.outcome``)."""

    ALLOCATED = "attribution", "Attribution"
    REFUSED = "refus", "Refus"


class Actor(Enum):
    HEAD = "head"  # a head of the request's establishment
    REGIONAL = "regional"  # regional staff of the establishment's region


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: Status
    actor: Actor
    action: Action
    audience: Audience  # who reads the history entry it records
    wrong_actor: str
    wrong_state: str  # may name the current state: {status}


HEAD_ONLY = "Seul·e le/la chef·fe de l'établissement peut {verb} sa demande."
REGION_ONLY = "Seuls les agents de la DRAAF-SRFD de l'établissement {verb}."
PENDING = frozenset({Status.SUBMITTED, Status.UNDER_REVIEW})
DECIDED = frozenset({Status.ALLOCATED, Status.REFUSED})
NOT_EDITABLE = (
    "La demande est « {status} » : elle n'est plus modifiable. Seule une demande en brouillon ou renvoyée à "
    "compléter peut l'être."
)
NOT_DECIDABLE = "Une demande « {status} » ne peut pas recevoir de décision."

TRANSITIONS = (
    Transition(
        name="submit",
        sources=frozenset({Status.DRAFT}),
        target=Status.SUBMITTED,
        actor=Actor.HEAD,
        action=Action.SUBMITTED,
        audience=Audience.SHARED,
        wrong_actor=HEAD_ONLY.format(verb="déposer"),
        wrong_state=NOT_EDITABLE,
    ),
    Transition(
        name="resubmit",
        sources=frozenset({Status.TO_COMPLETE}),
        target=Status.SUBMITTED,
        actor=Actor.HEAD,
        action=Action.RESUBMITTED,
        audience=Audience.SHARED,
        wrong_actor=HEAD_ONLY.format(verb="déposer"),
        wrong_state=NOT_EDITABLE,
    ),
    Transition(
        name="withdraw",
        sources=PENDING | {Status.TO_COMPLETE},
        target=Status.WITHDRAWN,
        actor=Actor.HEAD,
        action=Action.WITHDRAWN,
        audience=Audience.SHARED,
        wrong_actor=HEAD_ONLY.format(verb="retirer"),
        wrong_state="Seule une demande déposée, sans décision, peut être retirée.",
    ),
    Transition(
        name="reopen",
        sources=frozenset({Status.WITHDRAWN}),
        target=Status.DRAFT,
        actor=Actor.HEAD,
        action=Action.REOPENED,
        audience=Audience.SHARED,
        wrong_actor=HEAD_ONLY.format(verb="reprendre"),
        wrong_state="Seule une demande retirée peut être reprise.",
    ),
    Transition(
        name="return",
        sources=PENDING,
        target=Status.TO_COMPLETE,
        actor=Actor.REGIONAL,
        action=Action.RETURNED,
        audience=Audience.SHARED,
        wrong_actor=REGION_ONLY.format(verb="peuvent renvoyer une demande à compléter"),
        wrong_state="Seule une demande déposée ou en instruction peut être renvoyée à compléter.",
    ),
    Transition(
        name="start_review",
        sources=frozenset({Status.SUBMITTED}),
        target=Status.UNDER_REVIEW,
        actor=Actor.REGIONAL,
        action=Action.REVIEW_STARTED,
        audience=Audience.SHARED,
        wrong_actor=REGION_ONLY.format(verb="instruisent sa demande"),
        wrong_state="Seule une demande déposée peut être mise en instruction.",
    ),
    Transition(
        name="allocate",
        sources=PENDING,
        target=Status.ALLOCATED,
        actor=Actor.REGIONAL,
        action=Action.ALLOCATED,
        audience=Audience.INTERNAL,
        wrong_actor=REGION_ONLY.format(verb="décident de sa dotation"),
        wrong_state=NOT_DECIDABLE,
    ),
    Transition(
        name="reallocate",
        sources=DECIDED,
        target=Status.ALLOCATED,
        actor=Actor.REGIONAL,
        action=Action.ALLOCATION_CHANGED,
        audience=Audience.INTERNAL,
        wrong_actor=REGION_ONLY.format(verb="décident de sa dotation"),
        wrong_state=NOT_DECIDABLE,
    ),
    Transition(
        name="refuse",
        sources=PENDING | DECIDED,
        target=Status.REFUSED,
        actor=Actor.REGIONAL,
        action=Action.REFUSED,
        audience=Audience.INTERNAL,
        wrong_actor=REGION_ONLY.format(verb="décident de sa dotation"),
        wrong_state=NOT_DECIDABLE,
    ),
    Transition(
        name="notify",
        sources=DECIDED,
        target=Status.NOTIFIED,
        actor=Actor.REGIONAL,
        action=Action.NOTIFIED,
        audience=Audience.SHARED,
        wrong_actor="Seuls les agents de la DRAAF-SRFD notifient les décisions de leur région.",
        wrong_state="Seule une décision prise et pas encore notifiée peut être notifiée.",
    ),
)
BY_NAME = {t.name: t for t in TRANSITIONS}

# States in which the head edits the Annexe 1 (any field may be empty) before depositing it.
EDITABLE = BY_NAME["submit"].sources | BY_NAME["resubmit"].sources
# States in which the region may allocate or refuse (until the decision is notified).
DECIDABLE = BY_NAME["allocate"].sources | BY_NAME["reallocate"].sources | BY_NAME["refuse"].sources
# States of a deposited request awaiting the region's decision.
AWAITING_DECISION = PENDING
# The requests that count in a region's figures (asked, decided): deposited at least once and not withdrawn.
COUNTED = frozenset(Status) - {Status.DRAFT, Status.WITHDRAWN}

# The states staff filter on (a draft stays private to its establishment).
DEPOSITED_CHOICES = [(status.value, status.label) for status in Status if status != Status.DRAFT]

# DSFR badge of each state.
BADGES = {
    Status.DRAFT: "",
    Status.SUBMITTED: "fr-badge--info",
    Status.UNDER_REVIEW: "fr-badge--new",
    Status.TO_COMPLETE: "fr-badge--warning",
    Status.ALLOCATED: "fr-badge--success",
    Status.REFUSED: "fr-badge--error",
    Status.NOTIFIED: "fr-badge--success",
    Status.WITHDRAWN: "",
}


def sees_decisions_before_notification(user) -> bool:
    """The State's staff see decisions as they are taken; an establishment only once they are notified."""
    return user is not None and user.is_authenticated and user.is_state_staff


def shown_status(status, user) -> Status:
    """The state of a request as ``user`` may see it: until its notification, a decided request (« attribuée »,
    « refusée ») reads « en instruction » to its establishment, in every list, page and document it can reach."""
    status = Status(status)
    if status in DECIDED and not sees_decisions_before_notification(user):
        return Status.UNDER_REVIEW
    return status


WITHDRAW_WHILE_DECIDING = (
    "La DRAAF-SRFD arrête sa décision sur cette demande : elle ne peut plus être retirée en ligne. Contactez votre "
    "DRAAF-SRFD."
)


def submit_transition(status) -> Transition:
    """Depositing a draft, or depositing again a request that was sent back to be completed."""
    return BY_NAME["resubmit"] if status == Status.TO_COMPLETE else BY_NAME["submit"]


def allocate_transition(status) -> Transition:
    """A first allocation, or a change of a decision not yet notified."""
    return BY_NAME["reallocate"] if status in DECIDED else BY_NAME["allocate"]


def is_actor(user, actor: Actor, request) -> bool:
    if not user.is_authenticated:
        return False
    if actor is Actor.HEAD:
        return user.is_head_of(request.establishment)
    return user.is_regional_of(request.establishment.region_id)


def permission(name: str, user, request) -> Permission:
    """May ``user`` apply transition ``name`` to ``request`` now (who, then from which state)?"""
    transition = BY_NAME[name]
    if not is_actor(user, transition.actor, request):
        return False, transition.wrong_actor
    if request.status not in transition.sources:
        if name in ("allocate", "reallocate", "refuse") and request.status == Status.NOTIFIED:
            return False, "La décision est notifiée à l'établissement : elle ne peut plus être modifiée."
        shown = shown_status(request.status, user)
        if name == "withdraw" and shown != request.status:
            return False, WITHDRAW_WHILE_DECIDING
        return False, transition.wrong_state.format(status=shown.label)
    return ALLOWED


def next_states(status) -> list[tuple[str, Status]]:
    """The transitions leaving ``status`` and where they lead (shown in the admin)."""
    return [(t.name, t.target) for t in TRANSITIONS if status in t.sources]
