"""Values read from requests: an id that no record can have is a 404 or an ignored filter, a
page number or search text that makes no sense is the first page or cleaned, a form with a
NUL character is refused, and the query string handed back to templates cannot steer
``url_for``."""

from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter

# The largest id the database holds: id columns are INTEGER (32 bits on PostgreSQL). A bigger
# number would fail in the database (SQLite takes no more than 64 bits) instead of matching
# nothing.
MAX_ID = 2**31 - 1
MAX_SEARCH_LENGTH = 200


def _up_to(limit: str) -> str:
    """A regular expression for the whole numbers from 0 to ``limit`` (digits, no sign)."""
    shorter = f"[0-9]{{1,{len(limit) - 1}}}" if len(limit) > 1 else ""
    same_length = []
    for position, digit in enumerate(limit):
        rest = len(limit) - position - 1
        if digit != "0":
            low = "0" if position else "1"
            if digit > low:
                upper = chr(ord(digit) - 1)
                span = low if upper == low else f"{low}-{upper}"
                same_length.append(f"{limit[:position]}[{span}][0-9]{{{rest}}}")
    same_length.append(limit)
    return "(?:" + "|".join([*([shorter] if shorter else []), *same_length]) + ")"


class RecordIdConverter(IntegerConverter):
    """``<int:...>`` in routes: ids from 1 to MAX_ID. Zero or a larger number matches no
    route, so it is a 404 whatever the method, before anything reads the request's body (a
    number the pattern let through and the converter then refused would make Werkzeug
    answer 405 for a route's other methods)."""

    # At least one digit that is not 0 (no id is 0), then the digits of 0 to MAX_ID.
    regex = r"(?=\d*[1-9])" + _up_to(str(MAX_ID))

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def record_id(value: str | None) -> int | None:
    """``value`` as a record id, or None if no record can have it.

    Only ASCII digits count: ``"²".isdigit()`` is true, yet ``int("²")`` fails.
    """
    if not value or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def id_arg(name: str) -> int | None:
    """The record id in query argument ``name``; None when it is missing or cannot be one."""
    return record_id(request.args.get(name))


def page_arg() -> int:
    """The page asked for in ``?page=``; 1 when missing or not a positive whole number.
    (Lists bring a number past their last page back to the last one.)"""
    value = request.args.get("page", "")
    if value.isascii() and value.isdigit() and int(value) > 0:
        return int(value)
    return 1


def clean_search(text: str | None) -> str:
    """Search text as typed, without control characters the database refuses, capped."""
    text = "".join(ch for ch in (text or "") if ch.isprintable())
    return text.strip()[:MAX_SEARCH_LENGTH]


# url_for's own keywords: from the query string they would clash with its arguments or
# change the link's scheme or anchor.
def _is_url_for_keyword(name: str) -> bool:
    return name == "endpoint" or name.startswith("_")


def query_args(**overrides) -> dict[str, str]:
    """This request's query arguments for a link to a page like it, with ``overrides``."""
    args = {k: v for k, v in request.args.items() if not _is_url_for_keyword(k)}
    args.update(overrides)
    return args


def refuse_nul() -> None:
    """No form field takes a NUL character, and PostgreSQL cannot store one: 400, before any
    view. (Search boxes in the query string drop it, with the other control characters.)"""
    if any("\x00" in key + value for key, value in request.form.items(multi=True)):
        abort(400, description="The form contained a NUL character, which no field takes.")
