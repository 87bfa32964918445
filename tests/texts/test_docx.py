"""Word files in and out: a draft built here imports into provisions and brackets, an export
reads back the same, and the internal layer never leaves except in an internal copy."""

from __future__ import annotations

import copy
import io
import zipfile
from datetime import date

import docx
from docx.enum.text import WD_COLOR_INDEX

from tests.texts.samples import MARKING, SECRET, revision
from tracker.models.text_document import (
    Alternative,
    IssuedBy,
    ProvisionKind,
    ProvisionStatus,
    Segment,
)
from tracker.render.text_docx import INTERNAL_COPY, write
from tracker.texts.docx_import import MAX_BYTES, read


def _saved(word) -> bytes:
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _ministry_draft() -> bytes:
    """A draft as a ministry types it: headings, numbered paragraphs, brackets."""
    word = docx.Document()
    word.add_paragraph("Agreement on Space Cooperation", style="Title")
    word.add_paragraph("India's counter-draft of 12 May 2025")
    word.add_heading("Preamble", level=1)
    word.add_paragraph("PP1 The Parties, recognising [the value / the importance] of space,")
    word.add_heading("Article 1 – Definitions", level=1)
    word.add_paragraph("1. “Data” means [orbital data / Option 2: tracking data].")
    word.add_paragraph("(a) including ephemerides;")
    word.add_paragraph("(b) excluding imagery.")
    word.add_paragraph("2. Article 3 of the Convention applies to data exchanged under it.")
    word.add_paragraph("Article 5 bis")  # a label alone: the next heading is its heading
    word.add_heading("Exchange of data", level=2)
    word.add_paragraph(
        "The Parties [Option 1 (JPN): shall exchange / Option 2 (IND, USA): delete] data."
    )
    word.add_heading("Article 6 – Final provisions", level=1)
    paragraph = word.add_paragraph()
    paragraph.add_run("This Agreement enters into force ")
    paragraph.add_run("[on signature]").font.highlight_color = WD_COLOR_INDEX.YELLOW
    paragraph.add_run(".")
    return _saved(word)


def _shape(document):
    """What must survive a round trip: everything but database keys."""
    return [
        (
            p.label,
            p.kind,
            p.depth,
            p.heading,
            p.status,
            p.notes,
            [(s.text, s.alternatives) for s in p.segments],
        )
        for p in document.provisions
    ]


def test_a_ministry_draft_becomes_provisions_brackets_and_proposals():
    document, problems = read(_ministry_draft())
    assert problems == []
    assert document.title == "Agreement on Space Cooperation"
    labels = [(p.label, p.kind, p.depth, p.heading) for p in document.provisions]
    assert labels == [
        ("Preamble", ProvisionKind.PREAMBLE, 0, ""),
        ("PP1", ProvisionKind.PREAMBLE, 0, ""),
        ("Article 1", ProvisionKind.ARTICLE, 0, "Definitions"),
        ("Article 1(1)", ProvisionKind.PARAGRAPH, 1, ""),
        ("Article 1(1)(a)", ProvisionKind.SUBPARAGRAPH, 2, ""),
        ("Article 1(1)(b)", ProvisionKind.SUBPARAGRAPH, 2, ""),
        ("Article 1(2)", ProvisionKind.PARAGRAPH, 1, ""),
        ("Article 5 bis", ProvisionKind.ARTICLE, 0, "Exchange of data"),
        ("Article 6", ProvisionKind.ARTICLE, 0, "Final provisions"),
    ]
    by_label = {p.label: p for p in document.provisions}
    # "PP1 The Parties, ..." is a sentence after its label, not a heading; it is kept whole.
    assert by_label["PP1"].segments[1].alternatives == (
        Alternative("the value"),
        Alternative("the importance"),
    )
    # A sentence that cites an article is wording, not a new provision.
    assert by_label["Article 1(2)"].plain_text.startswith("Article 3 of the Convention")
    assert by_label["Article 1(1)"].segments[1].alternatives == (
        Alternative("orbital data"),
        Alternative("Option 2: tracking data"),  # labels count only when the first has one
    )
    exchange = by_label["Article 5 bis"].segments
    assert exchange[0] == Segment("The Parties ")
    assert exchange[1].alternatives == (
        Alternative("shall exchange", proposed_by=("JPN",)),
        Alternative("", proposed_by=("IND", "USA")),
    )
    assert exchange[1].alternatives[1].is_deletion
    assert exchange[2] == Segment(" data.")
    # Without the exporter's legend only a highlight says anything about status.
    assert {p.status for p in document.provisions} == {ProvisionStatus.OPEN}


def test_an_export_reads_back_with_the_same_structure():
    original = revision()
    document, problems = read(write(original))
    assert problems == []
    assert _shape(document) == _shape(original)
    assert document.title == original.title
    assert document.label == original.label
    assert (document.issued_by, document.issuing_party, document.issued_on) == (
        IssuedBy.PARTY,
        "JPN",
        date(2025, 3, 3),
    )
    assert document.marking == MARKING
    assert document.parties["JPN"] == "Japan"
    assert document.internal == ()


def test_an_imported_draft_exports_and_reads_back_the_same():
    imported, _ = read(_ministry_draft())
    again, problems = read(write(imported))
    assert problems == []
    assert _shape(again) == _shape(imported)


def test_issuers_and_drafts_read_back():
    for issued_by, party, issued_on in [
        (IssuedBy.CHAIR, None, date(2024, 12, 31)),
        (IssuedBy.JOINT, None, None),
        (IssuedBy.PARTY, "IND", None),
    ]:
        original = revision().__class__(
            title="T",
            issued_by=issued_by,
            issuing_party=party,
            issued_on=issued_on,
            provisions=revision().provisions[:1],
        )
        document, _ = read(write(original))
        assert (document.issued_by, document.issuing_party, document.issued_on) == (
            issued_by,
            party,
            issued_on,
        )


def test_the_export_reads_as_negotiators_expect():
    word = docx.Document(io.BytesIO(write(revision())))
    texts = [p.text for p in word.paragraphs]
    assert "Article 5 bis – Cooperation" in texts
    assert (
        "The Parties shall [Option 1 (JPN): cooperate closely2 / Alternative B (IND): delete]"
        " in the exchange of data."
    ) in texts
    assert "Reservation 2 (IND): subject to legal scrub" in texts
    assert (
        "1. “Party” means a State that [Option 1: has ratified / Option 2: has signed] "
        "this Agreement;" in texts
    )
    comments = [c.text for c in word.comments]
    assert "Supported by: United States (USA)\nOpposed by: India (IND)" in comments
    # A deleted provision is struck through, never dropped; an open one is yellow.
    deleted = next(p for p in word.paragraphs if p.text.startswith("Article 6"))
    assert all(run.font.strike for run in deleted.runs)
    opened = next(p for p in word.paragraphs if p.text.startswith("Article 5 bis"))
    assert opened.runs[0].font.highlight_color == WD_COLOR_INDEX.YELLOW


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_the_internal_layer_is_in_no_part_of_a_shared_export():
    shared = _parts(write(revision()))
    for name, content in shared.items():
        for secret in (SECRET, "Hold firm", "INTERNAL", "Fallback position"):
            assert secret.encode() not in content, (name, secret)
    internal = _parts(write(revision(internal_copy=True)))
    body = internal["word/document.xml"].decode()
    assert SECRET in body and "Hold firm on liability." in body
    assert "Internal notes – " + INTERNAL_COPY in body


def test_the_marking_heads_and_foots_every_page():
    for internal_copy in (False, True):
        word = docx.Document(io.BytesIO(write(revision(internal_copy=internal_copy))))
        for section in word.sections:
            for part in (section.header, section.footer):
                lines = [p.text for p in part.paragraphs]
                assert lines == [MARKING, INTERNAL_COPY] if internal_copy else [MARKING]


def test_an_unmarked_shared_text_has_no_header_or_footer():
    data = write(revision(marking=""))
    word = docx.Document(io.BytesIO(data))
    assert word.sections[0].header.is_linked_to_previous
    assert not [name for name in _parts(data) if "header" in name or "footer" in name]
    # An unmarked internal copy still says what it is.
    word = docx.Document(io.BytesIO(write(revision(marking="", internal_copy=True))))
    assert [p.text for p in word.sections[0].footer.paragraphs] == [INTERNAL_COPY]


def test_an_internal_copy_imports_without_its_internal_notes():
    document, problems = read(write(revision(internal_copy=True)))
    assert _shape(document) == _shape(revision())
    assert document.internal == ()
    assert any("internal copy" in problem for problem in problems)
    assert all(SECRET not in p.plain_text for p in document.provisions)


def test_files_that_are_not_word_files_are_refused_with_a_reason():
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as package:
        package.writestr("hello.txt", "not a document")
    for data, reason in [
        (b"", "empty"),
        (b"%PDF-1.7 hello", "not a Word file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), ".doc"),
        (zipped.getvalue(), "not a Word file"),
        (b"PK\x03\x04" + bytes(200), "not a Word file"),
        (bytes(MAX_BYTES + 1), "at most 5 MB"),
    ]:
        document, problems = read(data)
        assert document is None
        assert len(problems) == 1 and reason in problems[0], (data[:10], problems)


def test_a_damaged_word_file_is_refused_not_raised():
    data = bytearray(write(revision()))
    parts = _parts(bytes(data))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as package:
        for name, content in parts.items():
            package.writestr(name, content[:100] if name == "word/document.xml" else content)
    document, problems = read(broken.getvalue())
    assert document is None and problems


def test_empty_and_provisionless_files_say_so():
    document, problems = read(_saved(docx.Document()))
    assert document is None and problems == ["The file has no text."]
    word = docx.Document()
    word.add_paragraph("Just a letter, with no articles.")
    document, problems = read(_saved(word))
    assert document is None and problems[0].startswith("No provisions found")


def test_unbalanced_and_nested_brackets_are_problems_that_say_where():
    word = docx.Document()
    word.add_heading("Article 1", level=1)
    word.add_paragraph("The Parties shall [cooperate in the exchange of data.")
    word.add_heading("Article 2", level=1)
    word.add_paragraph("The Parties] shall meet.")
    word.add_heading("Article 3", level=1)
    word.add_paragraph("The Parties [shall [meet / confer]] annually.")
    document, problems = read(_saved(word))
    assert document is not None
    assert problems == [
        "Article 1: a “[” is never closed, near “Parties shall [cooperate in the "
        "exchang”; the rest is kept as agreed text.",
        "Article 2: a “]” closes no bracket, near “The Parties] shall meet.”.",
        "Article 3: a bracket inside a bracket is kept as part of the outer alternative's wording.",
    ]
    assert document.provisions[0].segments == (
        Segment("The Parties shall [cooperate in the exchange of data."),
    )
    assert document.provisions[2].segments[1].alternatives == (
        Alternative("shall [meet / confer]"),
    )


def test_proposers_that_are_not_party_codes_are_left_out_with_a_problem():
    word = docx.Document()
    word.add_heading("Article 1", level=1)
    word.add_paragraph("[Option 1 (United States of America): a / Option 2 (IND): b]")
    document, problems = read(_saved(word))
    assert [a.proposed_by for a in document.provisions[0].segments[0].alternatives] == [
        (),
        ("IND",),
    ]
    assert problems == [
        "Article 1, Option 1: “United States of America” is not a party code; it was left out."
    ]


def test_too_many_paragraphs_are_refused():
    word = docx.Document()
    body = word.element.body
    paragraph = word.add_paragraph("x")._p
    for _ in range(20_001):
        body.append(copy.deepcopy(paragraph))
    document, problems = read(_saved(word))
    assert document is None and "paragraphs" in problems[0]


def test_a_small_file_with_too_many_alternatives_is_refused_quickly():
    word = docx.Document()
    word.add_heading("Article 1", level=1)
    word.add_paragraph("[" + " / ".join(["a"] * 30_000) + "]")
    document, problems = read(_saved(word))
    assert document is None and problems == ["The file has more than 20,000 alternatives."]
