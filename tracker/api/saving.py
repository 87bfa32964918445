"""The API's one save path, as the pages' (tracker/web/editing.py): call the service, commit
once; a broken rule is a 422 problem naming its field, a lost race a 412."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask_smorest import abort
from sqlalchemy.orm.exc import StaleDataError

from tracker.extensions import db
from tracker.models import RuleError

T = TypeVar("T")


def by_field(error: RuleError) -> dict:
    """Where in the request body a broken rule is at fault: the field it names (a dotted
    name, ``marking.level``, nests as the body does)."""
    *outer, last = (error.field or "_schema").split(".")
    where: dict = {last: [str(error)]}
    for part in reversed(outer):
        where = {part: where}
    return where


def save(change: Callable[[], T], *, where: Callable[[RuleError], dict] = by_field) -> T:
    """``change()`` (a service call) committed, or the request refused with its reason;
    ``where(error)`` places a broken rule's message in the body (by default on its field)."""
    try:
        result = change()
        db.session.commit()
    except RuleError as error:
        db.session.rollback()
        abort(422, message=str(error), errors={"json": where(error)})
    except StaleDataError:
        db.session.rollback()
        abort(412, message="Someone else changed the record meanwhile; fetch it and try again.")
    return result
