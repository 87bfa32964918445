"""Named groups and access lists: the rules of changing them. Callers commit.

Who may read a need-to-know agreement is decided in tracker/data/access.py; here only who
is on its list, and who may change that: its lead, and admins who can see it.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from tracker.access import queries
from tracker.data import access
from tracker.extensions import db
from tracker.models import AccessEntry, AccessGroup, Agreement, Role, User, utcnow
from tracker.models.errors import RuleError
from tracker.web.forms import clean_text

NAME_LENGTH = 120
DESCRIPTION_LENGTH = 300


class AccessError(RuleError):
    """A change to a group or an access list that the rules refuse."""


def manages(user, agreement: Agreement) -> bool:
    """Whether ``user`` may see and change ``agreement``'s access list: its lead, or an
    admin (who reached it, so can see it)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    return agreement.lead_id == user.id or user.can(Role.ADMIN)


# -- Groups ------------------------------------------------------------------------------


def _clean_name(name: str, group: AccessGroup | None) -> str:
    name = clean_text(name or "")
    if not name:
        raise AccessError("Enter the group's name.", "name")
    if len(name) > NAME_LENGTH:
        raise AccessError(f"A group's name is at most {NAME_LENGTH} characters.", "name")
    taken = db.session.scalar(
        sa.select(AccessGroup.id).where(sa.func.lower(AccessGroup.name) == name.casefold())
    )
    if taken is not None and (group is None or taken != group.id):
        raise AccessError(f"There is already a group called “{name}”.", "name")
    return name


def _members(member_ids: Iterable[int]) -> list[User]:
    wanted = sorted(set(member_ids))
    found = queries.users_by_ids(wanted)
    missing = sorted(set(wanted) - {user.id for user in found})
    if missing:
        raise AccessError(f"There is no user {', '.join(str(m) for m in missing)}.", "members")
    return sorted(found, key=lambda user: user.username)


def _description(text: str | None) -> str:
    text = clean_text(text or "")
    if len(text) > DESCRIPTION_LENGTH:
        raise AccessError(
            f"A description is at most {DESCRIPTION_LENGTH} characters.", "description"
        )
    return text


def create_group(name: str, description: str = "", member_ids: Iterable[int] = ()) -> AccessGroup:
    group = AccessGroup(
        name=_clean_name(name, None),
        description=_description(description),
        members=_members(member_ids),
    )
    db.session.add(group)
    db.session.flush()
    return group


def update_group(
    group: AccessGroup, name: str, description: str, member_ids: Iterable[int]
) -> None:
    """Rename ``group`` and set its members; a member taken off loses what the group's
    lists gave them from their next request."""
    name = _clean_name(name, group)
    description = _description(description)
    members = _members(member_ids)
    if group.name != name:
        group.name = name
    if group.description != description:
        group.description = description
    if [m.id for m in group.members] != [m.id for m in members]:
        group.members = members
        group.updated_at = utcnow()  # a change of members is a change of the group
    db.session.flush()


def delete_group(group: AccessGroup) -> None:
    """Delete ``group``; the access lists that named it lose it (its members lose what it
    gave them)."""
    db.session.delete(group)
    db.session.flush()


# -- An agreement's access list ---------------------------------------------------------


def _listed_nobody(agreement: Agreement) -> bool:
    return not agreement.access_entries


def set_need_to_know(agreement: Agreement, on: bool) -> None:
    """Switch need-to-know on or off. With it on, only the users on the list (and the lead)
    see the agreement and everything under it; an agreement nobody could then see or manage
    (no list, no lead) is refused."""
    nobody = _listed_nobody(agreement) and agreement.lead_id is None
    if on and not agreement.need_to_know and nobody:
        raise AccessError(
            "Nobody would see this agreement: it has no lead and nobody is on its list. "
            "Add users or groups first, or give it a lead.",
            "need_to_know",
        )
    reader = access.current(db.session).user_id
    if on and not agreement.need_to_know and reader is not None and not _sees(agreement, reader):
        raise AccessError(
            "You would no longer see this agreement: put yourself (or a group you are in) "
            "on its list first.",
            "need_to_know",
        )
    agreement.need_to_know = bool(on)
    db.session.flush()


def _sees(agreement: Agreement, user_id: int) -> bool:
    """Whether ``user_id`` leads ``agreement`` or is on its list, named or through a group;
    noted as seeing it from now on, when they are."""
    listed = agreement.lead_id == user_id or any(
        entry.user_id == user_id
        or (entry.group is not None and any(m.id == user_id for m in entry.group.members))
        for entry in agreement.access_entries
    )
    if listed:
        access.listed_now(db.session, agreement.id)
    return listed


def only_the_lead(agreement: Agreement) -> bool:
    """Need-to-know with an empty list: only the lead sees it (the pages warn)."""
    return agreement.need_to_know and _listed_nobody(agreement)


def add_user(agreement: Agreement, user_id: int) -> AccessEntry:
    (user,) = _found_users([user_id])
    if any(entry.user_id == user.id for entry in agreement.access_entries):
        raise AccessError(f"{user.display_name} is already on the list.", "user")
    entry = AccessEntry(user=user, user_id=user.id)
    agreement.access_entries.append(entry)
    db.session.flush()
    return entry


def add_group(agreement: Agreement, group_id: int) -> AccessEntry:
    (group,) = _found_groups([group_id])
    if any(entry.group_id == group.id for entry in agreement.access_entries):
        raise AccessError(f"The group {group.name} is already on the list.", "group")
    entry = AccessEntry(group=group, group_id=group.id)
    agreement.access_entries.append(entry)
    db.session.flush()
    return entry


def remove_entry(agreement: Agreement, entry: AccessEntry) -> None:
    agreement.access_entries.remove(entry)
    if agreement.need_to_know and _listed_nobody(agreement) and agreement.lead_id is None:
        raise AccessError(
            "This is the last name on the list of a need-to-know agreement without a lead: "
            "nobody would see it. Add another first, or switch need-to-know off."
        )
    db.session.flush()


def _found_users(ids: Iterable[int]) -> list[User]:
    wanted = sorted(set(ids))
    found = {user.id: user for user in queries.users_by_ids(wanted)}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise AccessError(f"There is no user {', '.join(map(str, missing))}.", "users")
    return [found[i] for i in wanted]


def _found_groups(ids: Iterable[int]) -> list[AccessGroup]:
    wanted = sorted(set(ids))
    found = {group.id: group for group in queries.groups_by_ids(wanted)}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise AccessError(f"There is no group {', '.join(map(str, missing))}.", "groups")
    return [found[i] for i in wanted]


def replace_list(
    agreement: Agreement,
    *,
    user_ids: Iterable[int] | None = None,
    group_ids: Iterable[int] | None = None,
    need_to_know: bool | None = None,
) -> None:
    """Set the list's users and/or groups (None: as they are) and the switch (the API)."""
    if user_ids is not None:
        users = _found_users(user_ids)
        wanted = {user.id for user in users}
        for entry in [e for e in agreement.access_entries if e.user_id is not None]:
            if entry.user_id not in wanted:
                agreement.access_entries.remove(entry)
        have = {e.user_id for e in agreement.access_entries}
        for user in users:
            if user.id not in have:
                agreement.access_entries.append(AccessEntry(user=user, user_id=user.id))
    if group_ids is not None:
        groups = _found_groups(group_ids)
        wanted = {group.id for group in groups}
        for entry in [e for e in agreement.access_entries if e.group_id is not None]:
            if entry.group_id not in wanted:
                agreement.access_entries.remove(entry)
        have = {e.group_id for e in agreement.access_entries}
        for group in groups:
            if group.id not in have:
                agreement.access_entries.append(AccessEntry(group=group, group_id=group.id))
    db.session.flush()
    if need_to_know is not None:
        set_need_to_know(agreement, need_to_know)
    elif agreement.need_to_know and _listed_nobody(agreement) and agreement.lead_id is None:
        raise AccessError(
            "Nobody would see this agreement: it is need-to-know, has no lead, and its list "
            "would be empty.",
            "users",
        )
