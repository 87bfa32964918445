"""A record's marking on the API: given as ``marking`` in every marked record, and taken
in their bodies by level name, parties by code and caveats by name; an unknown value is
refused (422) naming its field."""

from __future__ import annotations

import marshmallow as ma

from tracker.api.fields import text
from tracker.data import markings
from tracker.extensions import db
from tracker.markings.queries import level_name, level_rank
from tracker.markings.services import MAX_REASON, MarkingChoice, from_parts
from tracker.models import MarkingValue
from tracker.web.markings import party_codes


class Level(ma.fields.String):
    """A level by its name (``CLASSIFICATION_LEVELS``, any case); its rank inside."""

    def _deserialize(self, value, attr, data, **kwargs):
        rank = level_rank(super()._deserialize(value, attr, data, **kwargs))
        if rank is None:
            raise ma.ValidationError(f"Not one of: {', '.join(markings.levels())}.")
        return rank


class PartyCode(ma.fields.String):
    """A party by its ISO code (or its name, for a party without a code)."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().casefold()
        for party_id, known in party_codes().items():
            if known.casefold() == code:
                return party_id
        raise ma.ValidationError(f"No party has the code “{value[:40]}”.")


class Caveat(ma.fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        name = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if name not in markings.caveats():
            raise ma.ValidationError(f"Not one of: {', '.join(markings.caveats())}.")
        return name


class MarkingSchema(ma.Schema):
    level = Level(
        required=True,
        metadata={"description": "A level's name, e.g. `Restricted` (the deployment's list)."},
    )
    rel_to = ma.fields.List(
        PartyCode(),
        load_default=list,
        metadata={"description": "Released only to these parties, by ISO code; empty: no list."},
    )
    caveats = ma.fields.List(
        Caveat(),
        load_default=list,
        metadata={"description": "Handling caveats a reader must hold, e.g. `CABINET`."},
    )
    declassify_on = ma.fields.Date(
        allow_none=True,
        load_default=None,
        metadata={"description": "From this day it counts at `downgrade_to`."},
    )
    downgrade_to = Level(
        allow_none=True,
        load_default=None,
        metadata={"description": "The level it goes down to on `declassify_on`."},
    )
    downgrade_reason = text(
        MAX_REASON,
        load_only=True,
        load_default="",
        metadata={
            "description": "Needed to mark a record lower than what it belongs to or than "
            "it is; recorded in the audit trail."
        },
    )
    text = ma.fields.String(
        dump_only=True,
        metadata={"description": "As banners show it, e.g. `RESTRICTED // REL TO IND, JPN`."},
    )

    @ma.post_load
    def _choice(self, data, **kwargs) -> MarkingChoice:
        value = from_parts(
            data["level"],
            data["rel_to"],
            data["caveats"],
            data["declassify_on"],
            data["downgrade_to"],
        )
        return MarkingChoice(value, data["downgrade_reason"])


def shown(value: MarkingValue) -> dict:
    """A marking as the API gives it."""
    # Party codes only when needed: most records have no release list.
    codes = party_codes() if value.release_to else {}
    return {
        "level": level_name(value.level),
        "rel_to": sorted(codes.get(p, f"#{p}") for p in value.release_to),
        "caveats": sorted(value.caveats),
        "declassify_on": value.declassify_on.isoformat() if value.declassify_on else None,
        "downgrade_to": level_name(value.downgrade_to),
        "text": value.describe(markings.levels(), codes),
    }


class Marking(ma.fields.Nested):
    """A record's ``marking``: written from its ``marking_id``, read as a MarkingSchema
    (into a :class:`MarkingChoice`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("attribute", "marking_id")
        kwargs.setdefault(
            "metadata",
            {
                "description": "Its classification. When creating, what it belongs to's if "
                "not given; a lower one needs `downgrade_reason`."
            },
        )
        super().__init__(MarkingSchema, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:  # a default in the API's description, not a record's
            return None
        return shown(markings.value_of(db.session, value))

    def list_writer(self, name: str):
        """The marking of each row of one list (api/rows.py), each distinct one written
        once: a page's rows share a few."""
        attribute, written = self.attribute or name, {}

        def write(record):
            marking_id = getattr(record, attribute)
            if marking_id not in written:
                written[marking_id] = self._serialize(marking_id, name, record)
            return written[marking_id]

        return write
