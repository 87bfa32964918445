"""The status report's section on the negotiating texts: the revision that stood on the day,
what changed since the round before, what is still bracketed and whose proposals are open,
and the bracket burn-down, in every format, and only what the reader may see."""

from __future__ import annotations

import html
import json
from datetime import UTC, date, datetime

import defusedxml.ElementTree as ET
import jsonschema
import pytest
import sqlalchemy as sa
from markdown_it import MarkdownIt

from tests.helpers import log_in
from tests.reports.test_formats import SCHEMA, pdf_text, url
from tests.test_query_counts import counting
from tracker.data import markings
from tracker.models import MarkingValue, NegotiatingText, Revision, Role
from tracker.models import text_document as doc
from tracker.reports.queries import agreement_report
from tracker.texts import services

SECRET = 3
DRAFT_WORD = "WOMBATDRAFT"  # only in the unissued draft
INTERNAL_WORD = "PANGOLINFALLBACK"  # only in the internal layer
EXPORT_WORD = "consent of the originating Party"  # only from Rev.3 on


def _bracketed(label: str, before: str, *options: tuple[str, str]) -> doc.Provision:
    return doc.Provision(
        label=label,
        status=doc.ProvisionStatus.OPEN,
        segments=(
            doc.Segment(before),
            doc.Segment(
                alternatives=tuple(doc.Alternative(w, proposed_by=(p,)) for w, p in options)
            ),
        ),
    )


def build_text(agreement, *, title: str = "Main text", extra: int = 0) -> NegotiatingText:
    """Rev.1 (1 Mar 2021): Articles 1 and 2 bracketed between India and Japan, Article 3
    agreed; Rev.2 (1 Jun 2022): Article 1's bracket cleaned for Japan and agreed; Rev.3
    (10 Feb 2024): a new Article 4 with India's proposal; then a draft Rev.4 and an internal
    note, neither of which the report may show. ``extra`` more bracketed articles make a
    longer text of the same shape."""
    text = services.create_text(agreement, title=title, first_label="Rev.1")
    first = text.revisions[0]
    services.add_provision(
        first,
        _bracketed(
            "Article 1", "This Agreement covers ", ("radio antennas", "IND"), ("all", "JPN")
        ),
    )
    services.add_provision(
        first,
        _bracketed("Article 2", "Work is shared ", ("equally", "IND"), ("by capability", "JPN")),
    )
    services.add_provision(
        first,
        doc.Provision(
            label="Article 3",
            heading="Final provisions",
            status=doc.ProvisionStatus.AGREED,
            segments=(doc.Segment("This Agreement enters into force on signature."),),
        ),
    )
    for n in range(extra):
        services.add_provision(
            first, _bracketed(f"Article {5 + n}", "Also ", ("this", "IND"), ("that", "JPN"))
        )
    services.issue(first, services.Issue(issued_on=date(2021, 3, 1)))

    second = services.start_revision(text, label="Rev.2")
    article_1 = second.provisions[0]
    japans = article_1.segments[1].alternatives[1].proposal_id
    services.clean_bracket(article_1, 1, japans)
    services.set_status(article_1, doc.ProvisionStatus.AGREED)
    services.issue(second, services.Issue(issued_on=date(2022, 6, 1)))

    third = services.start_revision(text, label="Rev.3")
    services.add_provision(third, _bracketed("Article 4", "Exports need ", (EXPORT_WORD, "IND")))
    services.issue(third, services.Issue(issued_on=date(2024, 2, 10)))

    draft = services.start_revision(text, label="Rev.4")
    services.add_provision(draft, _bracketed("Article 9", "Draft only ", (DRAFT_WORD, "JPN")))
    services.add_internal_note(
        text, kind=doc.InternalKind.FALLBACK, body=f"Our {INTERNAL_WORD}", author_id=None
    )
    return text


@pytest.fixture
def text(db, negotiation):
    made = build_text(negotiation.agreement)
    db.session.commit()
    return made


@pytest.fixture
def viewer(client, make_user):
    log_in(client, make_user("minister.office", role=Role.VIEWER).username)
    return client


def every_format(client, negotiation, **query) -> dict[str, str]:
    markdown = client.get(url(negotiation, ".md", **query)).get_data(as_text=True)
    return {
        "page": html.unescape(client.get(url(negotiation, **query)).get_data(as_text=True)),
        "file": html.unescape(
            client.get(url(negotiation, ".html", **query)).get_data(as_text=True)
        ),
        "md": markdown,
        "md as html": html.unescape(MarkdownIt("commonmark").enable("table").render(markdown)),
        "pdf": pdf_text(client.get(url(negotiation, ".pdf", **query)).data),
        "json": client.get(url(negotiation, ".json", **query)).get_data(as_text=True),
    }


def test_the_report_reads_the_revision_on_the_day_against_the_one_before(negotiation, text):
    report = agreement_report(negotiation.agreement.id, today=date(2025, 1, 1))
    [line] = report.texts
    assert (line.revision.label, line.previous.label) == ("Rev.3", "Rev.2")
    summary = line.summary
    [changed] = summary.changed
    assert changed.label == "Article 4"
    assert changed.what == ("added", "new proposal by India")
    still = {p.label: (p.brackets, p.parties) for p in summary.still_bracketed}
    assert still == {"Article 2": (1, ("India", "Japan")), "Article 4": (1, ("India",))}
    by_party = {p.name: (p.count, p.provisions) for p in summary.open_proposals}
    assert by_party == {"India": (2, ("Article 2", "Article 4")), "Japan": (1, ("Article 2",))}
    assert (summary.agreed_now, summary.total_now, summary.brackets_now) == (2, 4, 2)
    assert (summary.agreed_before, summary.total_before, summary.brackets_before) == (2, 3, 1)
    assert [(p.label, p.open_brackets) for p in line.burn_down] == [
        ("Rev.1", 2),
        ("Rev.2", 1),
        ("Rev.3", 2),
    ]


def test_as_of_a_day_between_revisions_shows_the_earlier_one(negotiation, text):
    report = agreement_report(negotiation.agreement.id, as_of=date(2023, 1, 1))
    [line] = report.texts
    assert (line.revision.label, line.previous.label) == ("Rev.2", "Rev.1")
    [changed] = line.summary.changed
    assert changed.label == "Article 1"
    assert "bracket cleaned: proposal by Japan agreed" in changed.what
    assert "open → agreed" in changed.what
    assert [p.label for p in line.burn_down] == ["Rev.1", "Rev.2"]
    assert [p.label for p in line.summary.still_bracketed] == ["Article 2"]


def test_before_the_first_issue_the_text_has_no_revision_and_the_first_has_no_round(
    db, negotiation, text
):
    before = date(2021, 1, 1)
    assert agreement_report(negotiation.agreement.id, as_of=before).texts == []  # not begun
    text.created_at = datetime(2020, 6, 1, tzinfo=UTC)
    db.session.commit()
    [line] = agreement_report(negotiation.agreement.id, as_of=before).texts
    assert line.revision is None and line.summary is None and line.burn_down == ()
    [line] = agreement_report(negotiation.agreement.id, as_of=date(2021, 3, 1)).texts
    assert line.revision.label == "Rev.1" and line.previous is None
    assert line.summary.changed == ()


def test_every_format_shows_the_section(viewer, negotiation, text):
    documents = every_format(viewer, negotiation)
    for name, document in documents.items():
        if name == "json":
            continue
        assert "Negotiating texts" in document, name
        assert "Main text" in document, name
        assert "Rev.3" in document and "compared with Rev.2" in document, name
        assert "What changed since Rev.2" in document, name
        assert "new proposal by India" in document, name
        assert "Still bracketed in Rev.3" in document, name
        assert "Open proposals by party" in document, name
        assert "Provisions agreed: 2 of 4" in document, name
        assert "drafts in progress are not part of the report" in document, name
    # The burn-down: a picture on the page and in the file, a table in Markdown.
    for name in ("page", "file"):
        page = documents[name]
        start = page.index("<svg", page.index("Negotiating texts"))
        picture = ET.fromstring(page[start : page.index("</svg>", start) + 6])
        assert "Bracket burn-down of Main text" in "".join(picture.itertext())
    markdown = documents["md"]
    assert "| Revision | Issued by | Issued on | Open brackets | Provisions agreed |" in markdown
    assert "| Rev.2 | Joint | 1 Jun 2022 | 1 | 2 of 3 |" in markdown
    assert "Open brackets by revision" not in markdown  # no picture to describe


def test_the_pdf_embeds_the_burn_down_with_alt_text(viewer, negotiation, text):
    content = viewer.get(url(negotiation, ".pdf")).data
    assert b"/Alt (Open brackets by revision." in content or b"Open brackets by revision" in (
        content
    )
    words = pdf_text(content)
    assert "Negotiating texts" in words and "Still bracketed in Rev.3" in words


def test_json_carries_the_texts_and_matches_its_schema(viewer, negotiation, text):
    data = viewer.get(url(negotiation, ".json")).get_json()
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert data["format_version"] == 3
    [shown] = data["texts"]
    assert shown["revision"]["label"] == "Rev.3" and shown["previous"]["label"] == "Rev.2"
    assert shown["changed"] == [
        {"provision": "Article 4", "old_label": None, "what": ["added", "new proposal by India"]}
    ]
    assert [p["provision"] for p in shown["still_bracketed"]] == ["Article 2", "Article 4"]
    assert [(p["party"], p["code"], p["count"]) for p in shown["open_proposals"]] == [
        ("India", "IND", 2),
        ("Japan", "JPN", 1),
    ]
    assert [p["open_brackets"] for p in shown["burn_down"]] == [2, 1, 2]
    assert shown["before"] == {"provisions_agreed": 2, "provisions_total": 3, "open_brackets": 1}
    assert any("drafts" in note for note in data["notes"])
    earlier = viewer.get(url(negotiation, ".json", as_of="2023-01-01")).get_json()
    jsonschema.validate(earlier, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert earlier["texts"][0]["revision"]["label"] == "Rev.2"


def test_as_of_a_past_day_every_format_shows_the_earlier_revision(viewer, negotiation, text):
    for name, document in every_format(viewer, negotiation, as_of="2023-01-01").items():
        assert "Rev.2" in document, name
        assert "Rev.3" not in document and EXPORT_WORD not in document, name
        assert "Article 4" not in document, name


def test_drafts_and_the_internal_layer_are_never_in_the_report(viewer, negotiation, text):
    for name, document in every_format(viewer, negotiation).items():
        assert DRAFT_WORD not in document and "Rev.4" not in document, name
        assert INTERNAL_WORD not in document, name
        assert "Article 9" not in document, name


def test_a_reader_without_clearance_for_the_text_sees_no_section(
    db, client, make_user, negotiation, text
):
    secret = markings.id_for(db.session, MarkingValue(level=SECRET))
    text.marking_id = secret
    for revision in db.session.scalars(sa.select(Revision)):
        revision.marking_id = secret
    db.session.commit()
    log_in(client, make_user("reader", role=Role.VIEWER).username)
    for name, document in every_format(client, negotiation).items():
        assert "Negotiating texts" not in document, name
        for word in ("Main text", "Rev.1", "Article 2", "by capability", "Work is shared"):
            assert word not in document, (name, word)
    data = json.loads(every_format(client, negotiation)["json"])
    assert data["texts"] == [] and data["marking"] == "UNCLASSIFIED"


def test_the_report_is_marked_as_the_revision_it_shows(db, negotiation, text):
    third = db.session.scalar(sa.select(Revision).where(Revision.label == "Rev.3"))
    third.marking_id = markings.id_for(db.session, MarkingValue(level=SECRET))
    db.session.commit()
    assert agreement_report(negotiation.agreement.id).marking.startswith("SECRET")
    assert agreement_report(negotiation.agreement.id, as_of=date(2023, 1, 1)).marking == (
        "UNCLASSIFIED"
    )


def test_a_text_adds_a_fixed_number_of_queries_however_long(db, negotiation, make_agreement):
    parties = [link.party for link in negotiation.agreement.party_links]
    short = make_agreement(short_name="SHORT", parties=parties)
    long = make_agreement(short_name="LONG", parties=parties)
    build_text(short)
    build_text(long, extra=30)
    db.session.commit()

    def count(agreement) -> int:
        db.session.expire_all()
        with counting(db) as statements:
            agreement_report(agreement.id)
        return len(statements)

    assert count(short) == count(long)


def test_the_report_is_marked_as_the_alternatives_it_compares(db, negotiation, text):
    """An alternative of a compared revision counts, marked higher than its revision; one
    of a revision the report does not compare does not."""
    from tracker.models import Alternative

    second = db.session.scalar(sa.select(Revision).where(Revision.label == "Rev.2"))
    first = db.session.scalar(sa.select(Revision).where(Revision.label == "Rev.1"))
    secret = markings.id_for(db.session, MarkingValue(level=SECRET))
    db.session.scalars(
        sa.select(Alternative).where(Alternative.revision_id == first.id).limit(1)
    ).one().marking_id = secret
    db.session.commit()
    # As of today Rev.3 is compared with Rev.2: Rev.1's alternatives are not shown.
    assert agreement_report(negotiation.agreement.id).marking == "UNCLASSIFIED"
    (alternative,) = db.session.scalars(
        sa.select(Alternative).where(Alternative.revision_id == second.id).limit(1)
    )
    alternative.marking_id = secret
    db.session.commit()
    assert agreement_report(negotiation.agreement.id).marking.startswith("SECRET")


def test_more_texts_add_no_queries(db, negotiation, make_agreement):
    parties = [link.party for link in negotiation.agreement.party_links]
    one = make_agreement(short_name="ONE", parties=parties)
    three = make_agreement(short_name="THREE", parties=parties)
    build_text(one)
    for title in ("Main text", "Annex", "Implementing arrangement"):
        build_text(three, title=title)
    db.session.commit()

    def count(agreement) -> int:
        db.session.expire_all()
        with counting(db) as statements:
            report = agreement_report(agreement.id)
        assert report.texts
        return len(statements)

    assert count(one) == count(three)
    assert len(agreement_report(three.id).texts) == 3
