"""A revision as PDF: brackets, options and status in words; the marking on every page; the
internal layer only in an internal copy, searched in the text and in every decompressed stream."""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import replace
from datetime import UTC, datetime

import pypdf

from tests.texts.samples import MARKING, SECRET, large, revision
from tracker.models.text_document import InternalKind, InternalNote
from tracker.render.text_docx import INTERNAL_COPY
from tracker.render.text_pdf import write

AT = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def _text(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def _raw(data: bytes) -> bytes:
    """The file with every stream decompressed, to search what text extraction might miss."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(match[1]))
        except zlib.error:
            parts.append(match[1])
    return b"\n".join(parts)


def test_the_text_reads_with_brackets_options_and_status():
    lines = "\n".join(_text(write(revision(), AT)))
    text = " ".join(lines.split())  # lines wrap where the page is full
    assert "Japan's draft 3" in text
    assert "Issued by Japan (JPN) on 3 Mar 2025" in text
    assert (
        "The Parties shall [Option 1 (JPN): cooperate closely (note 2) / Alternative B (IND): "
        "delete] in the exchange of data." in text
    )
    assert "Bracket 1, Option 1 (JPN): supported by USA; opposed by IND" in text
    assert "Reservation 2 (IND): subject to legal scrub" in text
    assert "Article 6 – Liability\nDeleted" in lines  # a deletion is shown, never dropped
    assert "Article 5 bis – Cooperation\nOpen" in lines


def test_the_marking_heads_and_foots_every_page():
    data = write(large(), AT)
    pages = _text(data)
    assert len(pages) > 3
    for page in pages:
        assert page.count(MARKING) == 2
        assert INTERNAL_COPY not in page
    for page in _text(write(replace(large(), is_internal_copy=True), AT)):
        assert page.count(f"{MARKING} · {INTERNAL_COPY}") == 2


def test_the_internal_layer_never_leaves_in_a_shared_copy():
    shared = write(revision(), AT)
    internal = write(revision(internal_copy=True), AT)
    assert SECRET not in "\n".join(_text(shared))
    raw = _raw(shared)
    for secret in (SECRET, "Hold firm", "INTERNAL", "Fallback"):
        assert secret.encode() not in raw, secret
    # The searches find the layer where it belongs (set in the built-in font: plain bytes).
    assert SECRET in "\n".join(_text(internal))
    assert SECRET.encode() in _raw(internal)
    assert b"Hold firm on liability." in _raw(internal)


def test_a_text_beyond_the_built_in_font_is_set_in_dejavu():
    document = replace(
        revision(),
        title="Agreement signed at Tōkyō",
        internal=(InternalNote(InternalKind.NOTE, f"{SECRET} Αθήνα"),),
    )
    shared = write(document, AT)
    assert "Tōkyō" in _text(shared)[0]
    assert SECRET not in "\n".join(_text(shared))
    assert SECRET in "\n".join(_text(write(replace(document, is_internal_copy=True), AT)))


def test_an_unmarked_shared_text_has_no_marking_line():
    text = _text(write(revision(marking=""), AT))[0]
    assert MARKING not in text and INTERNAL_COPY not in text
    assert INTERNAL_COPY in _text(write(revision(marking="", internal_copy=True), AT))[0]
