"""The marking on what leaves the app: files, reports and API answers (README, "Markings on
what leaves the app"). Pages carry theirs in banners (base.html, web/markings.py)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

from flask import Response, request, stream_with_context

from tracker.data import access, markings, outgoing
from tracker.extensions import db
from tracker.models import MarkingValue, User
from tracker.models.clock import today
from tracker.web.markings import page_marking, party_codes, value_of

# The HTTP header every API answer carries: the highest marking of what it shows.
HEADER = "X-Classification"


def describe(value: MarkingValue) -> str:
    """``value`` in words; the parties' codes are read only when it names some."""
    return value.describe(markings.levels(), party_codes() if value.release_to else {})


def combined(marking_ids: Iterable[int]) -> MarkingValue:
    """The marking of something showing records of all of ``marking_ids``."""
    return MarkingValue.combined((value_of(marking_id) for marking_id in marking_ids), today())


def text_of(marking_ids: Iterable[int]) -> str:
    """``combined(marking_ids)`` in words, e.g. ``SECRET // REL TO IND, JPN``."""
    return describe(combined(marking_ids))


def shown_text() -> str:
    """The marking of everything the request has shown so far, in words."""
    return describe(page_marking())


def note(marking_ids: Iterable[int]) -> None:
    """Count records of these markings as shown by the request (an aggregate's, a file's)."""
    outgoing.note_markings(db.session, marking_ids)


def header_value(text: str) -> str:
    """``text`` as an HTTP header can carry it (ASCII): accents dropped, anything else "?"."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return folded.encode("ascii", "replace").decode()


def mark(response: Response, text: str) -> Response:
    """``response`` carrying the marking ``text`` in its X-Classification header."""
    response.headers[HEADER] = header_value(text)
    return response


def mark_api_answer(response: Response) -> Response:
    """After every API request: the marking of what the answer shows, as a header (unless
    the route set a more exact one: the report's, of what it shows of what it read)."""
    if request.path.startswith("/api/") and HEADER not in response.headers:
        mark(response, shown_text())
    return response


def streamed(lines: Iterator[str]) -> Iterator[str]:
    """``lines`` to stream as a response's body, read for the request's reader.

    A streamed body is read after the view has returned, when the request's database
    session may have been replaced by a fresh one that knows no reader (and so would see
    nothing): the reader, and what the request has shown so far, are carried over to it.
    """
    reader = access.current(db.session)
    shown = set(access.shown(db.session))

    def body() -> Iterator[str]:
        session = db.session
        access.use(session, _read_again(session, reader))
        session.info.setdefault(access.SHOWN, set()).update(shown)
        yield from lines

    return stream_with_context(body())


def _read_again(session, reader: access.Access) -> access.Access:
    """``reader``'s access read again in the streamed body's own transaction, if they may
    still see just what the response was marked for; else ``reader`` as it was.

    The data layer may know more of a reader in the transaction that read their access
    than it can carry to another (such as that nothing is hidden from them, which spares
    every statement the need-to-know criteria: most of the full portfolio CSV's time); read
    again here, it knows as much in the body's. One query.
    """
    if reader.everything or reader.user_id is None:
        return reader
    again = access.for_user(session, session.get(User, reader.user_id))
    return again if again == reader else reader
