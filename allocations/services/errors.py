from core.errors import DomainError


class AllocationError(DomainError):
    """A refused action on an envelope or a decision; its message is French and meant for the user."""
