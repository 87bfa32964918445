"""The negotiation statuses and the transitions allowed between them: the one place they live."""

from __future__ import annotations

import enum

from tracker.models.errors import RuleError


class Status(enum.StrEnum):
    PROPOSED = "proposed"
    UNDER_NEGOTIATION = "under_negotiation"
    TEXT_AGREED = "text_agreed"
    SIGNED = "signed"
    IN_FORCE = "in_force"
    STALLED = "stalled"
    ABANDONED = "abandoned"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.PROPOSED: "Proposed",
    Status.UNDER_NEGOTIATION: "Under negotiation",
    Status.TEXT_AGREED: "Text agreed",
    Status.SIGNED: "Signed",
    Status.IN_FORCE: "In force",
    Status.STALLED: "Stalled",
    Status.ABANDONED: "Abandoned",
}

# The main path runs proposed → under negotiation → text agreed → signed → in force.
# Stalled and abandoned are side states; a stalled negotiation can resume where it was,
# and an abandoned one can only be proposed afresh. Reopening agreed text is allowed
# because it happens (legal scrubbing finds a problem).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PROPOSED: frozenset({Status.UNDER_NEGOTIATION, Status.STALLED, Status.ABANDONED}),
    Status.UNDER_NEGOTIATION: frozenset({Status.TEXT_AGREED, Status.STALLED, Status.ABANDONED}),
    Status.TEXT_AGREED: frozenset(
        {Status.SIGNED, Status.UNDER_NEGOTIATION, Status.STALLED, Status.ABANDONED}
    ),
    Status.SIGNED: frozenset({Status.IN_FORCE, Status.STALLED, Status.ABANDONED}),
    Status.IN_FORCE: frozenset(),
    Status.STALLED: frozenset(
        {
            Status.PROPOSED,
            Status.UNDER_NEGOTIATION,
            Status.TEXT_AGREED,
            Status.SIGNED,
            Status.ABANDONED,
        }
    ),
    Status.ABANDONED: frozenset({Status.PROPOSED}),
}

# Statuses an agreement may be entered with, for negotiations already under way.
INITIAL_STATUSES: tuple[Status, ...] = (
    Status.PROPOSED,
    Status.UNDER_NEGOTIATION,
    Status.TEXT_AGREED,
    Status.SIGNED,
    Status.IN_FORCE,
    Status.STALLED,
)

# Statuses in which nothing more is expected to happen.
CLOSED_STATUSES = frozenset({Status.IN_FORCE, Status.ABANDONED})


class TransitionError(RuleError):
    """A status change that the negotiation rules do not allow."""

    field = "status"


def allowed_transitions(current: Status | None) -> list[Status]:
    """Statuses reachable from ``current`` (or the initial ones), in workflow order."""
    reachable = INITIAL_STATUSES if current is None else TRANSITIONS[Status(current)]
    return [status for status in Status if status in reachable]


def check_transition(current: Status | None, new: Status) -> None:
    """Raise :class:`TransitionError` unless moving from ``current`` to ``new`` is allowed."""
    new = Status(new)
    if new not in allowed_transitions(current):
        if current is None:
            raise TransitionError(f"An agreement cannot start as “{new.label}”.")
        current = Status(current)
        if current == new:
            raise TransitionError(f"The agreement is already “{new.label}”.")
        raise TransitionError(f"An agreement cannot go from “{current.label}” to “{new.label}”.")
