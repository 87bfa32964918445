"""The domain model: one graph of entities around Agreement."""

from tracker.models.access import (
    AccessEntry,
    AccessGroup,
    AccessLogEntry,
    AccessOutcome,
    group_member,
)
from tracker.models.action import ActionItem
from tracker.models.agreement import (
    Agreement,
    AgreementParty,
    Category,
    PartyRole,
    Priority,
    StatusChange,
    StatusHistoryError,
)
from tracker.models.api_token import ApiCallCount, ApiToken
from tracker.models.audit import AuditAction, AuditRecord
from tracker.models.base import Base
from tracker.models.change_counter import ChangeCounter
from tracker.models.clock import utcnow
from tracker.models.errors import RuleError
from tracker.models.login_attempt import LoginAttempt, LoginOutcome
from tracker.models.marking import UNMARKED_ID, Marked, Marking, MarkingValue, marking_release
from tracker.models.meeting import AgendaItem, Meeting, MeetingLevel, meeting_participant
from tracker.models.negotiation import (
    NegotiationPoint,
    PartyPosition,
    PointStatus,
    PositionChange,
)
from tracker.models.party import Party, PartyKind, Person
from tracker.models.status import Status, TransitionError, allowed_transitions
from tracker.models.text import (
    Alternative,
    AlternativeStance,
    InternalNote,
    NegotiatingText,
    Proposal,
    Provision,
    ProvisionRevision,
    Revision,
    Segment,
    TextKind,
    TextNote,
    point_provision,
)
from tracker.models.user import Role, User
from tracker.models.write_sequence import WriteSequence

__all__ = [
    "Alternative",
    "AlternativeStance",
    "InternalNote",
    "NegotiatingText",
    "Proposal",
    "Provision",
    "ProvisionRevision",
    "Revision",
    "Segment",
    "TextKind",
    "TextNote",
    "point_provision",
    "AccessEntry",
    "AccessGroup",
    "AccessLogEntry",
    "AccessOutcome",
    "Marked",
    "Marking",
    "MarkingValue",
    "UNMARKED_ID",
    "group_member",
    "marking_release",
    "ActionItem",
    "ApiCallCount",
    "ApiToken",
    "AgendaItem",
    "Agreement",
    "AuditAction",
    "AuditRecord",
    "AgreementParty",
    "Base",
    "Category",
    "ChangeCounter",
    "LoginAttempt",
    "LoginOutcome",
    "Meeting",
    "MeetingLevel",
    "NegotiationPoint",
    "Party",
    "PartyKind",
    "PartyPosition",
    "PartyRole",
    "Person",
    "PointStatus",
    "PositionChange",
    "Priority",
    "Role",
    "RuleError",
    "Status",
    "StatusChange",
    "StatusHistoryError",
    "TransitionError",
    "User",
    "WriteSequence",
    "allowed_transitions",
    "meeting_participant",
    "utcnow",
]
