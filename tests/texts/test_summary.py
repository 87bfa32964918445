"""The status report's summary of a round: what changed, what is still bracketed, whose
proposals are open."""

from __future__ import annotations

from tests.texts.values import alt, article, bracket, revision, text
from tracker.models.text_document import ProvisionStatus
from tracker.texts.compare import compare
from tracker.texts.summary import round_summary


def test_what_changed_what_is_bracketed_and_whose_proposals_are_open():
    rev1 = revision(
        "Rev.1",
        article("Article 1", "Scope.", key=1, status=ProvisionStatus.AGREED),
        article(
            "Article 2", bracket(alt("shall", "JPN", key=10), alt("may", "IND", key=11)), key=2
        ),
        article("Article 3", "Exchange of ", bracket(alt("data", "IND", key=12)), key=3),
    )
    rev2 = revision(
        "Rev.2",
        article("Article 1", "Scope.", key=1, status=ProvisionStatus.AGREED),
        article("Article 2", text("may", won=11), key=2, status=ProvisionStatus.AGREED_AD_REF),
        article("Article 2bis", bracket(alt("Training.", "AUS", "JPN", key=13)), key=4),
        article(
            "Article 4",
            "Exchange of ",
            bracket(alt("data", "IND", key=12), alt("", key=14)),
            " and ",
            bracket(alt("personnel", "IND", key=15)),
            key=3,
        ),
    )
    summary = round_summary(compare(rev1, rev2), rev2)

    assert (summary.old_label, summary.new_label) == ("Rev.1", "Rev.2")
    assert [(c.label, c.old_label, c.what) for c in summary.changed] == [
        (
            "Article 2",
            "Article 2",
            ("open → agreed ad referendum", "bracket cleaned: proposal by India agreed"),
        ),
        ("Article 2bis", None, ("added", "new proposal by Australia and Japan")),
        (
            "Article 4",
            "Article 3",
            (
                "renumbered from Article 3",
                "new proposal (not attributed)",
                "new proposal by India",
            ),
        ),
    ]
    assert [(b.label, b.brackets, b.parties) for b in summary.still_bracketed] == [
        ("Article 2bis", 1, ("Australia", "Japan")),
        ("Article 4", 2, ("India",)),
    ]
    assert [(p.party, p.name, p.count, p.provisions) for p in summary.open_proposals] == [
        ("IND", "India", 2, ("Article 4",)),
        ("AUS", "Australia", 1, ("Article 2bis",)),
        ("JPN", "Japan", 1, ("Article 2bis",)),
        (None, "Not attributed", 1, ("Article 4",)),
    ]
    assert (summary.brackets_before, summary.brackets_now) == (2, 3)
    assert (summary.agreed_before, summary.agreed_now) == (1, 2)
    assert (summary.total_before, summary.total_now) == (3, 4)
