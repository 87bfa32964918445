"""Progress per revision (agreed out of total, open brackets, per article) and the burn-down."""

from __future__ import annotations

from datetime import date

from tests.texts.values import alt, article, bracket, revision
from tracker.models.text_document import IssuedBy, ProvisionKind, ProvisionStatus
from tracker.texts.progress import burn_down, progress

S = ProvisionStatus
PARA = ProvisionKind.PARAGRAPH


def two_brackets():
    return (bracket(alt("a", "IND", key=1)), " and ", bracket(alt("b", "JPN", key=2)))


def sample(label="Rev.1", **more):
    return revision(
        label,
        article("PP1", "Recognising ...", key=1, status=S.AGREED, kind=ProvisionKind.PREAMBLE),
        article("Article 1", "Scope", key=2, status=S.AGREED),
        article("1(1)", "...", key=3, status=S.AGREED_AD_REF, depth=1, kind=PARA),
        article("1(2)", *two_brackets(), key=4, status=S.OPEN, depth=1, kind=PARA),
        article("1(3)", bracket(alt("c", key=5)), key=5, status=S.DELETED, depth=1, kind=PARA),
        article("Article 2", bracket(alt("d", key=6)), key=6, status=S.NOT_DISCUSSED),
        article("Article 3", bracket(alt("e", key=7)), key=7, status=S.DELETED),
        **more,
    )


def test_agreed_out_of_total_and_open_brackets_overall_and_by_article():
    made = progress(sample())
    # Deleted provisions (1(3), Article 3) count neither in the total nor for brackets.
    assert (made.agreed, made.total, made.open_brackets) == (3, 5, 3)
    assert made.open_provisions == 2
    assert made.open_brackets == sample().open_brackets
    assert [(a.label, a.agreed, a.total, a.open_brackets) for a in made.articles] == [
        ("PP1", 1, 1, 0),
        ("Article 1", 2, 3, 2),  # itself and its paragraphs 1(1) and 1(2)
        ("Article 2", 0, 1, 1),
    ]
    assert [p.label for p in made.articles[1].provisions] == ["Article 1", "1(1)", "1(2)"]
    assert made.articles[1].provisions[1].agreed  # agreed ad referendum counts as agreed


def test_burn_down_one_point_per_revision_in_order():
    first = revision(
        "Japan's draft",
        article("Article 1", *two_brackets(), key=2),
        issued_on=date(2026, 1, 15),
        issued_by=IssuedBy.PARTY,
        issuing_party="JPN",
    )
    second = sample("Rev.1", issued_on=date(2026, 3, 2))
    draft = revision("Rev.2", issued_by=IssuedBy.CHAIR)
    points = burn_down([first, second, draft])
    assert [(p.label, p.issued_on, p.issued_by) for p in points] == [
        ("Japan's draft", date(2026, 1, 15), "Japan"),
        ("Rev.1", date(2026, 3, 2), "Joint"),
        ("Rev.2", None, "Chair"),
    ]
    assert [(p.open_brackets, p.agreed, p.total) for p in points] == [
        (2, 0, 1),
        (3, 3, 5),
        (0, 0, 0),
    ]
