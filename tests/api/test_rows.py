"""A list's rows written by a plan (api/rows.py) are what the schema's dump writes."""

from __future__ import annotations

import decimal
import enum
from collections import namedtuple
from datetime import UTC, date, datetime
from types import SimpleNamespace

import marshmallow as ma
import pytest
import sqlalchemy as sa

from tracker.agreements.schemas import AgreementPage, AgreementRowSchema
from tracker.api.fields import Link
from tracker.api.rows import Rows, plan, records
from tracker.data import markings
from tracker.markings.schemas import Marking
from tracker.models import Category, MarkingValue, Priority, Status


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Inner(ma.Schema):
    name = ma.fields.String()


class Everything(ma.Schema):
    """A field of each kind the plan knows, and some it leaves to the field."""

    text = ma.fields.String()
    number = ma.fields.Integer()
    as_text = ma.fields.Integer(as_string=True)
    share = ma.fields.Float()
    money = ma.fields.Decimal(places=2)
    colour = ma.fields.Enum(Colour, by_value=True)
    colour_name = ma.fields.Enum(Colour, attribute="colour", dump_only=True)
    colour_typed = ma.fields.Enum(
        Colour, by_value=ma.fields.String, attribute="colour", dump_only=True
    )
    day = ma.fields.Date()
    day_text = ma.fields.Date(format="%d/%m/%Y", attribute="day", dump_only=True)
    moment = ma.fields.DateTime()
    aware = ma.fields.AwareDateTime(attribute="moment", dump_only=True)
    flag = ma.fields.Boolean()
    raw = ma.fields.Raw()
    renamed = ma.fields.String(attribute="text", data_key="label", dump_only=True)
    dotted = ma.fields.String(attribute="inner.name")
    inner = ma.fields.Nested(Inner)
    many = ma.fields.List(ma.fields.Integer())
    function = ma.fields.Function(lambda row: f"<{ma.utils.get_value(row, 'text')}>")
    method = ma.fields.Method("_method")
    constant = ma.fields.Constant(7)
    defaulted = ma.fields.String(dump_default="none given")
    absent = ma.fields.String()
    hidden = ma.fields.String(load_only=True)

    def _method(self, row):
        return ma.utils.get_value(row, "number")


def _row(**values):
    inner = SimpleNamespace(name=values.pop("name", "inside"))
    row = {
        "text": "plain",
        "number": 3,
        "as_text": 4,
        "share": 0.5,
        "money": decimal.Decimal("1.005"),
        "colour": Colour.RED,
        "day": date(2024, 2, 29),
        "moment": datetime(2024, 2, 29, 12, 30, tzinfo=UTC),
        "flag": True,
        "raw": {"a": 1},
        "inner": inner,
        "many": [1, 2],
        "defaulted": "given",
        "absent": "here",
        "hidden": "secret",
    }
    row.update(values)
    return SimpleNamespace(**row)


ROWS = [
    _row(),
    _row(text=None, number=None, share=None, money=None, colour=None, day=None, moment=None),
    # Values of another type than the field's: the field's own conversion.
    _row(text=b"bytes", number=True, share=2, flag=1, colour=Colour.BLUE),
    _row(text=5, number=7.9, name=None),
    # An attribute missing: the dump's default, or no key at all.
    SimpleNamespace(**{k: v for k, v in vars(_row()).items() if k not in ("defaulted", "absent")}),
    # Rows read by key first (mappings, named tuples): the schema's own dump.
    {**vars(_row()), "text": "from a dict"},
]


def test_every_kind_of_field_is_written_as_the_dump_writes_it():
    schema = Everything()
    assert plan(schema) is not None
    field = Rows(Everything)
    dumped = []
    dump = field.inner.schema.dump
    field.inner.schema.dump = lambda row, **kwargs: dumped.append(row) or dump(row, **kwargs)
    assert field._serialize(ROWS, "items", None) == schema.dump(ROWS, many=True)
    assert dumped == ROWS[-2:]  # the others by the plan
    assert field._serialize(None, "items", None) is None
    assert field._serialize([], "items", None) == []


def test_a_row_read_by_key_is_dumped_by_the_schema_and_a_tuple_by_the_plan():
    Pair = namedtuple("Pair", "name number")
    rows = [{"name": "a"}, Pair("b", 1), SimpleNamespace(name="c")]
    field = Rows(Inner)
    dumped = []
    dump = field.inner.schema.dump
    field.inner.schema.dump = lambda row, **kwargs: dumped.append(row) or dump(row, **kwargs)
    assert field._serialize(rows, "items", None) == [{"name": "a"}, {"name": "b"}, {"name": "c"}]
    assert dumped == rows[:1]


def test_records_are_rows_with_one_more_attribute(app, db):
    found = db.session.execute(
        sa.select(sa.literal(1).label("id"), sa.literal("x").label("_n"))
    ).all()
    (record,) = records(found, "extra", ["more"])
    assert (record.id, record.extra) == (1, "more")
    assert records([], "extra", []) == []


def test_a_schema_with_dump_hooks_is_left_to_its_dump():
    class Hooked(Inner):
        @ma.post_dump
        def shout(self, data, **kwargs):
            return {key: value.upper() for key, value in data.items()}

    rows = [SimpleNamespace(name="a"), SimpleNamespace(name="b")]
    assert plan(Hooked()) is None
    assert Rows(Hooked)._serialize(rows, "items", None) == [{"name": "A"}, {"name": "B"}]


def test_a_link_is_the_url_of_its_endpoint(app):
    one = Link("api_agreements.one", {"agreement_id": "id"})
    two = Link("api_texts.internal_note", {"text_id": "text_id", "note_id": "id"})
    rows = [
        SimpleNamespace(id=1, text_id=10),
        SimpleNamespace(id=2_147_483_647, text_id=2_147_000_001),
        SimpleNamespace(id=12, text_id=12),
    ]
    with app.test_request_context("/api/v1/agreements/"):
        for link in (one, two):
            write = link.list_writer("url")
            assert [write(row) for row in rows] == [link._url(row) for row in rows]
        assert one.list_writer("url")(rows[0]) == "/api/v1/agreements/1"
        assert two.list_writer("url")(rows[2]) == "/api/v1/texts/12/internal-notes/12"


@pytest.mark.parametrize("value", ["7", True])
def test_a_link_to_a_value_that_is_not_an_int_is_built_by_url_for(app, value):
    link = Link("api_agreements.one", {"agreement_id": "id"})
    with app.test_request_context("/api/v1/agreements/"):
        assert link.list_writer("url")(SimpleNamespace(id=value)) == link._url(
            SimpleNamespace(id=value)
        )


def test_a_page_of_agreement_rows_is_written_as_dumped(app, db):
    secret = markings.id_for(db.session, MarkingValue(level=3))
    public = markings.id_for(db.session, MarkingValue(level=0))
    db.session.commit()
    rows = [
        SimpleNamespace(
            id=n,
            title=f"Agreement {n}",
            short_name=None if n % 2 else f"A{n}",
            category=Category.LOGISTICS,
            priority=Priority.NORMAL,
            status=Status.PROPOSED,
            status_changed_on=date(2024, 1, n),
            last_activity_on=None if n == 3 else date(2024, 2, n),
            archived_at=None,
            version=n,
            marking_id=secret if n % 3 else public,
            party_links=[],
        )
        for n in range(1, 8)
    ]
    schema = AgreementRowSchema()
    with app.test_request_context("/api/v1/agreements/"):
        written = AgreementPage().dump({"items": rows, "next": None})["items"]
        assert written == schema.dump(rows, many=True)
        assert written[0]["marking"] == Marking()._serialize(secret, "marking", rows[0])
