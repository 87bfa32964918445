"""The one error type for a change the rules do not allow."""

from __future__ import annotations


class RuleError(ValueError):
    """A change that would break a rule; the message is for users.

    ``field`` names the value at fault, as the service's keyword (and the form's field of
    that name); None when the change as a whole is refused.
    """

    field: str | None = None

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field
