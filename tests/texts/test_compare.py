"""Comparing two revisions: provisions followed by identity, brackets cleaned, proposals tabled
and withdrawn, and a word-level difference that never drops a deletion."""

from __future__ import annotations

import random

from tests.texts.values import alt, article, bracket, revision, text
from tracker.models.text_document import ProvisionStatus
from tracker.texts.compare import DiffOp, Presence, compare, word_diff

AGREED = ProvisionStatus.AGREED
DELETED = ProvisionStatus.DELETED


def by_key(comparison):
    return {change.key: change for change in comparison.provisions}


def test_a_renumbered_article_is_renumbered_not_deleted_and_added():
    rev1 = revision(
        "Japan's draft",
        article("Article 1", "Definitions.", key=1),
        article("Article 2", "Exchange of information.", key=2),
        article("Article 3", "Final provisions.", key=3),
    )
    rev2 = revision(
        "India's counter-draft",
        article("Article 1", "Definitions.", key=1),
        article("Article 2", "Joint exercises.", key=4),  # new, and takes a freed number
        article("Article 3", "Exchange of information.", key=2),
        article("Article 4", "Final provisions.", key=3),
    )
    comparison = compare(rev1, rev2)
    changes = by_key(comparison)

    assert [c.key for c in comparison.provisions] == [1, 4, 2, 3]
    assert [c.key for c in comparison.renumbered] == [2, 3]
    assert (changes[2].old_label, changes[2].new_label) == ("Article 2", "Article 3")
    assert changes[2].presence == Presence.KEPT and not changes[2].wording_changed
    # Article 2 of the new revision is a different provision: same number, another key.
    assert [c.key for c in comparison.added] == [4]
    assert changes[4].old is None
    assert comparison.deleted == ()
    assert not changes[1].changed
    assert [(row.key, row.old_label, row.new_label) for row in comparison.provenance] == [
        (1, "Article 1", "Article 1"),
        (4, None, "Article 2"),
        (2, "Article 2", "Article 3"),
        (3, "Article 3", "Article 4"),
    ]


def test_provisions_without_keys_are_matched_by_label():
    stored = revision("Rev.1", article("Article 1", "Scope.", key=1), article("PP2", "X", key=2))
    imported = revision(
        "Rev.2",
        article("article  1", "Scope of cooperation.", key=None),
        article("PP3", "Y", key=None),
    )
    changes = compare(stored, imported).provisions
    assert [(c.old_label, c.new_label, c.presence) for c in changes] == [
        ("Article 1", "article  1", Presence.KEPT),
        ("PP2", None, Presence.DELETED),
        (None, "PP3", Presence.ADDED),
    ]
    assert not changes[0].renumbered and changes[0].wording_changed


def test_a_cleaned_bracket_names_the_winning_proposal_and_whose_it_was():
    rev1 = revision(
        "Rev.1",
        article(
            "Article 5",
            "The Parties ",
            bracket(alt("shall", "JPN", key=10), alt("may", "IND", "AUS", key=11)),
            " cooperate in the field of defence.",
            key=5,
        ),
    )
    rev2 = revision(
        "Rev.2",
        article(
            "Article 5",
            "The Parties ",
            text("shall", won=10),
            " cooperate in the field of defence.",
            key=5,
            status=AGREED,
        ),
    )
    comparison = compare(rev1, rev2)
    (change,) = comparison.provisions
    (cleaned,) = change.cleaned
    assert cleaned.winner.key == 10 and cleaned.proposed_by == ("JPN",)
    assert cleaned.text == "shall"
    assert [a.key for a in cleaned.dropped] == [11]
    assert change.withdrawn == ()  # the losing option is the bracket's, not withdrawn
    assert change.new_alternatives == ()
    assert change.status_changed and (change.old_status, change.new_status) == (
        ProvisionStatus.OPEN,
        AGREED,
    )
    assert [(run.op, run.words) for run in change.words if run.op != DiffOp.EQUAL] == [
        (DiffOp.DELETE, ("[",)),
        (DiffOp.DELETE, ("/", "may", "]")),
    ]
    (row,) = comparison.provenance
    assert row.cleaned_from == ("JPN",)
    assert row.contributors == ("JPN", "IND", "AUS")


def test_agreed_text_keeps_its_provenance_in_later_rounds_through_won_by():
    cleaned = article("Article 5", text("shall", won=10, won_by=("JPN",)), key=5, status=AGREED)
    (row,) = compare(revision("Rev.2", cleaned), revision("Rev.3", cleaned)).provenance
    assert row.cleaned_from == ("JPN",) and row.proposed_by == ()


def test_withdrawn_and_new_alternatives_with_their_sponsors():
    rev1 = revision(
        "Rev.1",
        article(
            "Article 7",
            "Each Party ",
            bracket(
                alt("shall notify", "JPN", key=20),
                alt("may notify", "IND", key=21),
                alt("", "AUS", key=22),  # delete the passage
            ),
            ".",
            key=7,
        ),
        article("Article 8", bracket(alt("within 30 days", "IND", key=30)), key=8),
    )
    rev2 = revision(
        "Rev.2",
        article(
            "Article 7",
            "Each Party ",
            bracket(
                alt("shall notify", "JPN", key=20),
                alt("may notify", "IND", key=21),
                alt("shall promptly notify", "AUS", supported_by=("JPN",), key=23),
                alt("within 30 days", "IND", key=30),  # moved here from Article 8
            ),
            ".",
            key=7,
        ),
        article("Article 8", "Deleted paragraph.", key=8),
    )
    comparison = compare(rev1, rev2)
    changes = by_key(comparison)
    assert [a.key for a in changes[7].withdrawn] == [22]
    assert changes[7].withdrawn[0].proposed_by == ("AUS",)
    (tabled,) = changes[7].new_alternatives
    assert (tabled.key, tabled.proposed_by, tabled.supported_by) == (23, ("AUS",), ("JPN",))
    # A proposal that moved is neither withdrawn where it was nor new where it went.
    assert changes[8].withdrawn == ()
    assert [(c.key, a.key) for c, a in comparison.withdrawn] == [(7, 22)]
    assert [(c.key, a.key) for c, a in comparison.new_alternatives] == [(7, 23)]


def test_a_provision_deleted_then_restored_across_three_revisions():
    def rev(label, *, five=ProvisionStatus.OPEN, six=True):
        return revision(
            label,
            article("Article 4", "Training.", key=4),
            article(
                "Article 5",
                "Exchange of ",
                bracket(alt("personnel", "IND", key=50)),
                key=5,
                status=five,
            ),
            *([article("Article 6", "Logistics support.", key=6)] if six else []),
            article("Article 7", "Entry into force.", key=7),
        )

    rev1, rev2, rev3 = rev("Rev.1"), rev("Rev.2", five=DELETED, six=False), rev("Rev.3")

    first = compare(rev1, rev2)
    changes = by_key(first)
    # Still in the list where it was, its wording struck through, never dropped.
    assert [c.key for c in first.provisions] == [4, 5, 6, 7]
    assert [c.key for c in first.deleted] == [5, 6]
    assert changes[5].status_changed and changes[5].new_status == DELETED
    assert [(r.op, r.text) for r in changes[6].words] == [(DiffOp.DELETE, "Logistics support.")]
    # Deleted by status, its wording is struck through though the revision still holds it.
    assert [(r.op, r.text) for r in changes[5].words] == [
        (DiffOp.DELETE, "Exchange of [personnel]")
    ]
    assert changes[6].label == "Article 6" and changes[6].new_label is None
    assert first.withdrawn == ()  # the deleted article keeps its bracket in Rev.2

    second = compare(rev2, rev3)
    changes = by_key(second)
    assert changes[5].presence == Presence.RESTORED
    assert changes[5].old_status == DELETED and changes[5].new_status == ProvisionStatus.OPEN
    assert [r.op for r in changes[5].words] == [DiffOp.INSERT]
    # Absent from Rev.2: two revisions alone cannot tell it from a new article.
    assert changes[6].presence == Presence.ADDED
    assert [c.key for c in second.restored] == [5]

    assert compare(rev1, rev3).changed == ()


def test_a_still_deleted_provision_is_listed_but_not_changed():
    gone = article("Article 9", "Old text.", key=9, status=DELETED)
    (change,) = compare(revision("Rev.1", gone), revision("Rev.2", gone)).provisions
    assert change.presence == Presence.STILL_DELETED and not change.changed
    assert [(r.op, r.text) for r in change.words] == [(DiffOp.EQUAL, "Old text.")]


def test_word_diff_keeps_deletions_and_rebuilds_both_wordings():
    old = "Each Party shall, subject to its laws, provide the other with information."
    new = "Each Party may provide the other Party with timely information."
    runs = word_diff(old, new)
    assert "".join(r.text for r in runs if r.op != DiffOp.INSERT) == old
    assert "".join(r.text for r in runs if r.op != DiffOp.DELETE) == new
    deleted = [r.words for r in runs if r.op == DiffOp.DELETE]
    assert ("shall,", "subject", "to", "its", "laws,") in deleted
    assert ("may",) in [r.words for r in runs if r.op == DiffOp.INSERT]
    # A replacement reads as what went, then what came.
    ops = [r.op for r in runs]
    assert ops[:3] == [DiffOp.EQUAL, DiffOp.DELETE, DiffOp.INSERT]
    # Spacing is not wording: the equal runs are spelled as in the new revision.
    assert [r.op for r in word_diff("a  b\n c", "a b c")] == [DiffOp.EQUAL]


def test_word_diff_of_a_long_wording_keeps_common_words_in_common():
    old = " ".join(["the Parties shall"] * 150)
    new = old + " the end"
    runs = word_diff(old, new)
    assert [r.op for r in runs] == [DiffOp.EQUAL, DiffOp.INSERT]


def test_word_diff_rebuilds_both_sides_of_any_edit():
    rng = random.Random(15)  # noqa: S311  (repeatable made-up wordings)
    vocabulary = ["the", "Parties", "shall", "may", "[", "]", "/", "cooperate", "defence,"]
    for _ in range(300):
        old = [rng.choice(vocabulary) for _ in range(rng.randint(0, 30))]
        new = list(old)
        for _ in range(rng.randint(0, 4)):
            at = rng.randint(0, len(new))
            if new and rng.random() < 0.5:
                del new[at : at + rng.randint(1, 3)]
            else:
                new[at:at] = [rng.choice(vocabulary) for _ in range(rng.randint(1, 3))]
        runs = word_diff(" ".join(old), " ".join(new))
        assert [w for r in runs if r.op != DiffOp.INSERT for w in r.words] == old
        assert [w for r in runs if r.op != DiffOp.DELETE for w in r.words] == new
        assert all(a.op != b.op for a, b in zip(runs, runs[1:], strict=False))


def test_word_diff_spells_each_run_as_written_and_counts_its_words():
    """A run's words are read back from its text (brackets are words even without spaces
    around them); an unchanged wording is one run from its first word on."""
    wording = "  Supplies[ and services /only]\n shall  be "
    assert [(r.op, r.text, r.words) for r in word_diff(wording, wording)] == [
        (
            DiffOp.EQUAL,
            "Supplies[ and services /only]\n shall  be ",
            ("Supplies", "[", "and", "services", "/only", "]", "shall", "be"),
        )
    ]
    assert word_diff("  ", "  ") == ()
    runs = word_diff(wording, " Supplies and services[shall]be")
    old_words = ["Supplies", "[", "and", "services", "/only", "]", "shall", "be"]
    new_words = ["Supplies", "and", "services", "[", "shall", "]", "be"]
    assert [w for r in runs if r.op != DiffOp.INSERT for w in r.words] == old_words
    assert [w for r in runs if r.op != DiffOp.DELETE for w in r.words] == new_words
    assert word_diff(wording, " Supplies and services[shall]be") is runs  # kept


def test_a_document_survives_its_json_form():
    """What the import's review page carries to its save: the same document back."""
    import json

    from tests.texts import samples
    from tracker.models import text_document as doc

    for document in (samples.large(articles=5, brackets=8), samples.revision(internal_copy=True)):
        assert doc.from_data(json.loads(json.dumps(doc.to_data(document)))) == document
