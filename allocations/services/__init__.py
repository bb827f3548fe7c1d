"""Every change to envelopes and decisions, one function per action: transactional, history recorded,
``AllocationError`` raised with a French message. One module per aggregate:

- ``envelopes``: initial envelopes, notification, movements, and ``lock_envelope`` (the one lock that keeps
  the hours allocated in a region within its envelope);
- ``decisions``: review, allocation, refusal, internal notes;
- ``assistant``: the assistant's proposals applied at once;
- ``letters``: notification of the decisions and their letters.
"""

from allocations.services.assistant import apply_assistant
from allocations.services.decisions import (
    StaleDecision,
    add_internal_note,
    allocate,
    refuse,
    requested_caps,
    start_review,
)
from allocations.services.envelopes import (
    add_movement,
    envelopes_total,
    lock_envelope,
    notify_envelopes,
    region_allocated,
    set_initial_envelopes,
    volume_covers_envelopes,
)
from allocations.services.errors import AllocationError
from allocations.services.letters import (
    ensure_letter,
    letter_waiting,
    letters_state,
    notify_decisions,
    resume_letters,
    send_letter,
)

__all__ = [
    "AllocationError",
    "StaleDecision",
    "add_internal_note",
    "add_movement",
    "allocate",
    "apply_assistant",
    "ensure_letter",
    "envelopes_total",
    "letter_waiting",
    "letters_state",
    "lock_envelope",
    "notify_decisions",
    "notify_envelopes",
    "refuse",
    "region_allocated",
    "requested_caps",
    "resume_letters",
    "send_letter",
    "set_initial_envelopes",
    "start_review",
    "volume_covers_envelopes",
]
