"""What is due and what is late: the calendar rule, written once.

Three deadlines of the note are the regions' work, and each is watched, not only shown:

- 23 August: every deposited request decided and its decision notified to the establishment;
- 30 September: the September summary (bilan de la répartition) transmitted to DGER;
- May (31 May): the qualitative review (bilan qualitatif) transmitted to DGER.

The apps that own the work say, for a region, how much of it is still to do and on which day the last of it
was done (``Progress``; requests in ``requests_app``, transmissions in ``reports``). ``watch`` compares that
with the campaign's date and today: not yet due, on time, late by N days (still to do), or done N days late.
"""

import datetime
from dataclasses import dataclass
from enum import Enum

from django.utils import timezone


@dataclass(frozen=True)
class Watched:
    field: str  # the campaign's date
    label: str  # what must be done by then
    short: str  # a column heading


WATCHED = (
    Watched("allocation_deadline", "Décisions notifiées aux établissements", "Notification des dotations"),
    Watched("summary_deadline", "Bilan de la répartition transmis à la DGER", "Bilan de la répartition"),
    Watched("review_deadline", "Bilan qualitatif des usages transmis à la DGER", "Bilan qualitatif"),
)
WATCHED_BY_FIELD = {w.field: w for w in WATCHED}


class State(Enum):
    NOT_DUE = "not_due"
    ON_TIME = "on_time"
    LATE = "late"  # not done, the date is past
    DONE_LATE = "done_late"  # done, after the date


@dataclass(frozen=True)
class Progress:
    """A region's work towards one deadline: ``outstanding`` things still to do (requests without a notified
    decision; 1 for a report not yet transmitted), ``done_on`` the day the last of it was done (``None`` when
    nothing was done, or there was nothing to do)."""

    outstanding: int = 0
    done_on: datetime.date | None = None


NOTHING_DONE = Progress()


@dataclass(frozen=True)
class Watch:
    watched: Watched
    due: datetime.date
    state: State
    days: int  # days late (0 unless LATE or DONE_LATE)
    outstanding: int

    @property
    def key(self) -> str:
        return self.watched.field

    @property
    def is_late(self) -> bool:
        return self.state is State.LATE

    @property
    def text(self) -> str:
        """« pas encore dû », « à l'heure », « en retard de 3 jours », « fait avec 2 jours de retard »."""
        if self.state is State.NOT_DUE:
            return "pas encore dû"
        if self.state is State.ON_TIME:
            return "à l'heure"
        days = f"{self.days} jour{'s' if self.days > 1 else ''}"
        if self.state is State.LATE:
            return f"en retard de {days}"
        return f"fait avec {days} de retard"

    @property
    def badge(self) -> str:
        """The DSFR badge class of the state."""
        return {
            State.NOT_DUE: "fr-badge--info",
            State.ON_TIME: "fr-badge--success",
            State.LATE: "fr-badge--error",
            State.DONE_LATE: "fr-badge--warning",
        }[self.state]


def watch(watched: Watched, due: datetime.date, progress: Progress, today: datetime.date) -> Watch:
    """The rule: work still outstanding after its date is late by the days since; work done after its date
    was done late; otherwise it is on time once done (or once the date is past with nothing to do), and not
    yet due before."""
    if progress.outstanding:
        if today > due:
            return Watch(watched, due, State.LATE, (today - due).days, progress.outstanding)
        return Watch(watched, due, State.NOT_DUE, 0, progress.outstanding)
    if progress.done_on is not None and progress.done_on > due:
        return Watch(watched, due, State.DONE_LATE, (progress.done_on - due).days, 0)
    if progress.done_on is None and today <= due:
        return Watch(watched, due, State.NOT_DUE, 0, 0)
    return Watch(watched, due, State.ON_TIME, 0, 0)


def watch_all(campaign, progress: dict, today: datetime.date) -> list[Watch]:
    """Every watched deadline of ``campaign`` for one region; ``progress`` maps a campaign date field
    (``allocation_deadline``…) to the region's ``Progress`` (nothing done when absent)."""
    return [watch(w, getattr(campaign, w.field), progress.get(w.field, NOTHING_DONE), today) for w in WATCHED]


def local_day(moment) -> datetime.date | None:
    """The day (Paris time) of a stored moment, for ``Progress.done_on``."""
    return timezone.localdate(moment) if moment is not None else None
