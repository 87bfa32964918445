"""Reads for the groups pages and an agreement's access list."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.models import AccessEntry, AccessGroup, Agreement, User, group_member


@dataclass(frozen=True)
class GroupLine:
    group: AccessGroup
    lists: int  # the access lists that name it (of agreements the reader sees)


def list_groups() -> list[GroupLine]:
    """Every group by name, with its members and how many access lists name it."""
    lists = (
        sa.select(sa.func.count(AccessEntry.id))
        .where(AccessEntry.group_id == AccessGroup.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(AccessGroup, lists)
        .options(selectinload(AccessGroup.members))
        .order_by(AccessGroup.name, AccessGroup.id)
    )
    return [GroupLine(group, count) for group, count in rows]


def get_group(group_id: int) -> AccessGroup | None:
    return db.session.scalar(
        sa.select(AccessGroup)
        .where(AccessGroup.id == group_id)
        .options(selectinload(AccessGroup.members))
    )


def groups_by_ids(ids: list[int]) -> list[AccessGroup]:
    return list(db.session.scalars(sa.select(AccessGroup).where(AccessGroup.id.in_(ids))))


def users_by_ids(ids: list[int]) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.id.in_(ids))))


def user_choices() -> list[tuple[int, str]]:
    """(id, "Name (username)") of the active users, by name."""
    rows = db.session.execute(
        sa.select(User.id, User.display_name, User.username)
        .where(User.active.is_(True))
        .order_by(User.display_name, User.username)
    )
    return [(id_, f"{name} ({username})") for id_, name, username in rows]


def group_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(AccessGroup.id, AccessGroup.name).order_by(AccessGroup.name)
    )
    return [(id_, name) for id_, name in rows]


def agreement_with_list(agreement_id: int) -> Agreement | None:
    """The agreement (if its reader sees it) with its lead and access list loaded."""
    return db.session.scalar(
        sa.select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(
            joinedload(Agreement.lead),
            selectinload(Agreement.access_entries).options(
                joinedload(AccessEntry.user),
                joinedload(AccessEntry.group).selectinload(AccessGroup.members),
            ),
        )
    )


def entries_in_order(agreement: Agreement) -> list[AccessEntry]:
    """The list as pages show it: users by name, then groups by name."""
    return sorted(
        agreement.access_entries,
        key=lambda e: (
            e.user is None,
            (e.user.display_name if e.user else e.group.name if e.group else "").casefold(),
            e.id or 0,
        ),
    )


def member_group_ids(user_id: int) -> set[int]:
    rows = db.session.scalars(
        sa.select(group_member.c.group_id).where(group_member.c.user_id == user_id)
    )
    return set(rows)


@dataclass(frozen=True)
class Summary:
    """An agreement's switch and list, as its own page shows them to those who manage it."""

    agreement_id: int
    need_to_know: bool
    entries: list[AccessEntry]


def summary(agreement: Agreement) -> Summary:
    entries = db.session.scalars(
        sa.select(AccessEntry)
        .where(AccessEntry.agreement_id == agreement.id)
        .options(joinedload(AccessEntry.user), joinedload(AccessEntry.group))
    ).all()
    ordered = sorted(entries, key=lambda e: (e.user is None, e.name.casefold(), e.id))
    return Summary(agreement.id, agreement.need_to_know, ordered)
