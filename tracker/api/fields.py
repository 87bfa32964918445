"""Fields the API's schemas share: record ids a database can hold, text within its bounds,
yes/no as JSON's true and false, and single lines taken as the forms take them, so that bad
input is a 422 naming its field rather than a database error or a blank saved."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for

from tracker.web.arguments import MAX_ID
from tracker.web.forms import clean_text


def text(max_length: int | None = None, *, min_length: int | None = None, **kwargs):
    """A string field refusing lengths outside the bounds given. (A NUL character, which
    PostgreSQL cannot store, is refused for the whole request before any field is read:
    api/arguments.py.)"""
    if max_length is None and min_length is None:
        return ma.fields.String(**kwargs)
    return ma.fields.String(validate=ma.validate.Length(min=min_length, max=max_length), **kwargs)


def record_id(**kwargs):
    """An integer that can be a record's id (1 to 2³¹−1): a larger one matches nothing. In a
    JSON body it must be a number (``strict``); query arguments pass ``strict=False``."""
    kwargs.setdefault("strict", True)
    return ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)


class Flag(ma.fields.Boolean):
    """A yes/no in a JSON body: ``true`` or ``false`` only (not 0, 1 or "yes")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Text(ma.fields.String):
    """A line of text, taken as the forms take it (their ``clean_text`` filter): without
    control characters or surrounding spaces, before its validators run, so a name of
    spaces is refused as empty (422) rather than saved blank."""

    def _deserialize(self, value, attr, data, **kwargs):
        sent = super()._deserialize(value, attr, data, **kwargs)
        # Its maximum length holds for what was sent, as the description says, not only
        # for what is left once cleaned.
        for validator in self.validators:
            if isinstance(validator, ma.validate.Length) and validator.max is not None:
                ma.validate.Length(max=validator.max)(sent)
        return clean_text(sent)


class Change:
    """Mixin of a change's schema (``class PartyChange(Change, PartySchema)``): only the
    fields sent are changed. Partial on the record's own fields only: a row sent in a list
    (a party of an agreement, a position) is whole, its required fields still required."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", tuple(self._declared_fields))
        super().__init__(*args, **kwargs)


class Link(ma.fields.Function):
    """A record's URL on the API: ``Link("api_parties.one", {"party_id": "id"})`` fills
    the endpoint's arguments from the record's attributes (ids). A list writes it from a
    pattern made once for the whole list (``url_for`` for each row of a page cost as much
    as the rest of the row); its description is a Function field's, as before."""

    def __init__(self, endpoint: str, arguments: dict[str, str], **kwargs) -> None:
        self.endpoint, self.arguments = endpoint, dict(arguments)
        super().__init__(self._url, **kwargs)

    def _url(self, record) -> str:
        return url_for(
            self.endpoint,
            **{argument: getattr(record, name) for argument, name in self.arguments.items()},
        )

    def list_writer(self, name: str):
        """The URL of each row of one list: the endpoint's URL built once with a stand-in
        for each argument, the rows' ids put in their places (any other value: url_for)."""
        stand_ins = {argument: STAND_IN + number for number, argument in enumerate(self.arguments)}
        url = url_for(self.endpoint, **stand_ins)
        pieces, order = [url], []
        for argument, stand_in in stand_ins.items():
            head, found, tail = pieces[-1].partition(str(stand_in))
            if not found or str(stand_in) in tail or str(stand_in) in head:
                return self._url
            pieces[-1:] = [head, tail]
            order.append(self.arguments[argument])
        if len(order) == 1:
            (attribute,) = order
            head, tail = pieces

            def one(record) -> str:
                value = getattr(record, attribute)
                if value.__class__ is not int:
                    return self._url(record)
                return f"{head}{value}{tail}"

            return one

        def written(record) -> str:
            values = [getattr(record, attribute) for attribute in order]
            if any(value.__class__ is not int for value in values):
                return self._url(record)
            parts = [pieces[0]]
            for value, piece in zip(values, pieces[1:], strict=True):
                parts += [str(value), piece]
            return "".join(parts)

        return written


# Ids standing in for a Link's arguments while its pattern is made: no record's id is
# likely to be one, and any digits of the URL around them would be found as well (then
# every row's URL is built by url_for).
STAND_IN = 2_147_000_001
