"""A list's rows written as a schema's dump would write them, without the dump's work for
each row and field.

marshmallow dumps a row field by field: each looks its value up through three functions
(``get_value``, the schema's accessor, ``utils.get_value``, which tries ``row[name]``
first), then formats it through one or two more. For a page of 50 rows of a dozen fields
that was a third of an API list's time. :class:`Rows` is described and read as
``List(Nested(schema))``, so the OpenAPI description does not change; it writes each field
by a function chosen once from the schema's own field (its class's ``_serialize``), which
gives what the field would give. A field may offer its own (``list_writer``): the
marking, written once for each distinct one; a record's URL, from a pattern made once.
Anything the plan does not know is written by the field itself, and a row it cannot read
by attribute is dumped by the schema, so the answer is the dump's, whatever the schema.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import attrgetter
from typing import Any

import marshmallow as ma
from marshmallow.decorators import POST_DUMP, PRE_DUMP

Writer = Callable[[Any], Any]
# A field's writer is made for each list written (it may remember what it wrote there).
Plan = list[tuple[str, Callable[[], Writer]]]

_FIELD_GET_VALUE = ma.fields.Field.get_value
_PLAIN = ma.fields.Field._serialize  # Raw and Field: the value as it is


class _Unplanned(Exception):
    """A row the plan cannot write: the schema dumps it."""


def _reader(field: ma.fields.Field, name: str, attribute: str) -> Writer:
    """What ``field`` writes for a row, its value read as the row's ``attribute`` (a row
    without it raises AttributeError: the schema dumps that row, which knows the field's
    default or leaves the key out)."""
    get = attrgetter(attribute)
    own = type(field)._serialize
    slow = field._serialize

    if own is ma.fields.String._serialize:
        # str() of a str is itself; anything else (bytes, numbers) as the field does it.
        def string(row):
            value = get(row)
            return value if value is None or value.__class__ is str else slow(value, name, row)

        return string
    if (
        own is ma.fields.Number._serialize
        and type(field)._format_num is ma.fields.Number._format_num
        and not field.as_string
    ):
        # _format_num is num_type(value): of a value of that very type, itself.
        kind = field.num_type

        def number(row):
            value = get(row)
            return value if value is None or value.__class__ is kind else slow(value, name, row)

        return number
    if own is ma.fields.Enum._serialize and type(field.field)._serialize is _PLAIN:
        part = attrgetter("value" if field.by_value else "name")

        def member(row):
            value = get(row)
            return None if value is None else part(value)

        return member
    if own is ma.fields.DateTime._serialize:  # Date and DateTime alike
        style = field.format or field.DEFAULT_FORMAT
        write = field.SERIALIZATION_FUNCS.get(style)
        if write is not None:

            def moment(row):
                value = get(row)
                return None if value is None else write(value)

            return moment
    if own is _PLAIN:
        return get
    return lambda row: slow(get(row), name, row)


def _field_writer(field: ma.fields.Field, name: str, schema: ma.Schema) -> Callable[[], Writer]:
    """What makes the writer of ``field`` (called ``name`` in ``schema``) for one list."""
    own = getattr(field, "list_writer", None)
    if own is not None:
        return lambda: own(name)
    if not field._CHECK_ATTRIBUTE:  # Function, Method, Constant: from the row, not a value
        if type(field)._serialize is ma.fields.Function._serialize:
            function = field.serialize_func
            return lambda: function
        slow = field._serialize
        return lambda: lambda row: slow(None, name, row)
    attribute = field.attribute or name
    if "." in attribute or type(field).get_value is not _FIELD_GET_VALUE:
        accessor = schema.get_attribute

        def written(row):
            value = field.serialize(name, row, accessor=accessor)
            if value is ma.missing:
                raise _Unplanned
            return value

        return lambda: written
    writer = _reader(field, name, attribute)
    return lambda: writer


def plan(schema: ma.Schema) -> Plan | None:
    """How to write ``schema``'s rows, or None if only its dump can (it has dump hooks, its
    own attribute lookup or its own kind of dict)."""
    if (
        schema._hooks[PRE_DUMP]
        or schema._hooks[POST_DUMP]
        or type(schema).get_attribute is not ma.Schema.get_attribute
        or schema.dict_class is not dict
    ):
        return None
    return [
        (
            field.data_key if field.data_key is not None else name,
            _field_writer(field, name, schema),
        )
        for name, field in schema.dump_fields.items()
    ]


def write(schema: ma.Schema, rows, steps: Plan | None) -> list[dict]:
    """``rows`` as ``schema.dump(rows, many=True)`` writes them, by the plan ``steps``."""
    if steps is None:
        return schema.dump(rows, many=True)
    writers = [(key, make()) for key, make in steps]
    written = []
    readable: dict[type, bool] = {}
    for row in rows:
        kind = type(row)
        if kind not in readable:
            # marshmallow reads ``row[name]`` first where it can: leave such rows to it
            # (a tuple's, a named tuple's, refuses a name: read by attribute, as here).
            getitem = getattr(kind, "__getitem__", None)
            readable[kind] = getitem is None or getitem is tuple.__getitem__
        if readable[kind]:
            try:
                written.append({key: writer(row) for key, writer in writers})
                continue
            except (_Unplanned, AttributeError):
                # An attribute missing, or an error the schema's dump meets again.
                pass
        written.append(schema.dump(row))
    return written


class Rows(ma.fields.List):
    """A list of ``schema``'s records: described and read as ``List(Nested(schema))``,
    written as its dump would be, by a plan made once (see the module)."""

    def __init__(self, schema: type[ma.Schema] | ma.Schema, **kwargs) -> None:
        super().__init__(ma.fields.Nested(schema), **kwargs)
        self._plan: Plan | None | bool = False  # False: not made yet

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        schema = self.inner.schema
        if self._plan is False:
            self._plan = plan(schema)
        return write(schema, value, self._plan)


@lru_cache(maxsize=64)
def _record(fields: tuple[str, ...]) -> type:
    return namedtuple("Record", fields, rename=True)


def records(rows: Sequence[Any], name: str, values: Sequence[Any]) -> list:
    """``rows`` (a query's, read by attribute) as records with one more attribute, ``name``,
    from ``values`` (one per row): named tuples, which a plan reads without more work per
    row than a tuple's (a SimpleNamespace per row cost half what writing it does)."""
    if not rows:
        return []
    kind = _record((*rows[0]._fields, name))
    return [kind(*row, value) for row, value in zip(rows, values, strict=True)]
