"""The one kind of error a service raises when it refuses an action."""

from core.formatting import count


class DomainError(Exception):
    """A refused action. Its message is French and meant for the user; ``field`` names the form field it is
    about, when there is one (views show it next to that field, otherwise on top of the form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Incomplete(DomainError):
    """A deposit refused because fields are missing or wrong: ``errors`` maps each field to its French message
    (``__all__`` for the object as a whole). ``refused`` says what, e.g. « La demande ne peut pas être déposée »."""

    def __init__(self, refused: str, errors: dict[str, str]):
        super().__init__(f"{refused} : {count(len(errors), 'point', 'points')} à compléter ou corriger.")
        self.errors = errors
