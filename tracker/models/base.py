"""Declarative base, constraint naming convention, the UTC timestamp type and enum columns."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic autogenerate and SQLite batch migrations address them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Where-clause of partial indexes that serve lists of records not archived.
ACTIVE = {
    "sqlite_where": sa.text("archived_at IS NULL"),
    "postgresql_where": sa.text("archived_at IS NULL"),
}


class UTCDateTime(sa.TypeDecorator):
    """Stores aware datetimes as UTC and always returns them aware in UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes cannot be stored; attach a timezone")
        value = value.astimezone(UTC)
        # SQLite has no timezone type: store naive UTC so values sort and compare.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_cls: type[enum.StrEnum], name: str) -> sa.Enum:
    """A VARCHAR column restricted by a named CHECK constraint to ``enum_cls`` values."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """Base class of every model; its metadata carries the naming convention."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
