"""Archiving: a record with history is hidden from lists rather than deleted, and can be
restored. One implementation for every feature, so the rule and its routes stay alike."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, url_for

from tracker.extensions import db
from tracker.models import Role, utcnow
from tracker.web.auth import role_required
from tracker.web.records import or_404


def archive(record) -> None:
    """Hide ``record`` from lists and choices; archiving twice keeps the first date."""
    if record.archived_at is None:
        record.archived_at = utcnow()
        db.session.flush()


def restore(record) -> None:
    record.archived_at = None
    db.session.flush()


def add_archive_routes(
    bp: Blueprint, model: type, *, rule: str, id_arg: str, describe: Callable[[object], str]
) -> None:
    """Add POST ``rule/archive`` (editors) and ``rule/restore`` (admins) to ``bp``; both
    return to the blueprint's ``detail`` page. ``describe(record)`` names it in messages."""

    def archive_view(**ids):
        record = or_404(db.session.get(model, ids[id_arg]))
        archive(record)
        db.session.commit()
        flash(f"{describe(record)} archived. It no longer appears in lists.", "success")
        return redirect(url_for(".detail", **ids))

    def restore_view(**ids):
        record = or_404(db.session.get(model, ids[id_arg]))
        restore(record)
        db.session.commit()
        flash(f"{describe(record)} restored.", "success")
        return redirect(url_for(".detail", **ids))

    bp.add_url_rule(
        f"{rule}/archive", "archive", role_required(Role.EDITOR)(archive_view), methods=["POST"]
    )
    bp.add_url_rule(
        f"{rule}/restore", "restore", role_required(Role.ADMIN)(restore_view), methods=["POST"]
    )
