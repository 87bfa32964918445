"""Reads of agreements for pages: explicit eager loading, no lazy loads in templates."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Agreement, AgreementParty


def active_agreements() -> list[Agreement]:
    """Agreements not archived, with their parties and history, by title."""
    stmt = (
        sa.select(Agreement)
        .where(Agreement.archived_at.is_(None))
        .options(
            selectinload(Agreement.party_links).joinedload(AgreementParty.party),
            selectinload(Agreement.status_changes),
        )
        .order_by(Agreement.title)
    )
    return list(db.session.scalars(stmt))
