"""Revisions of a text as plain values, for the Word and PDF tests."""

from __future__ import annotations

from datetime import date

from tracker.models.text_document import (
    Alternative,
    Document,
    InternalKind,
    InternalNote,
    IssuedBy,
    Note,
    NoteKind,
    Provision,
    ProvisionKind,
    ProvisionStatus,
    Segment,
)

SECRET = "ZQX-FALLBACK-ENDEAVOUR"  # only ever in the internal layer
MARKING = "RESTRICTED // REL TO IND, JPN"


def revision(*, internal_copy: bool = False, marking: str = MARKING) -> Document:
    """Japan's draft: every shape a revision takes, without database keys."""
    cooperate = Alternative(
        "cooperate closely",
        proposed_by=("JPN",),
        supported_by=("USA",),
        opposed_by=("IND",),
        notes=(Note(NoteKind.RESERVATION, "subject to legal scrub", "IND"),),
    )
    return Document(
        title="Agreement on Space Situational Awareness (main text)",
        label="Japan's draft 3",
        issued_by=IssuedBy.PARTY,
        issuing_party="JPN",
        issued_on=date(2025, 3, 3),
        marking=marking,
        parties={"JPN": "Japan", "IND": "India", "USA": "United States"},
        provisions=(
            Provision(
                "PP1",
                ProvisionKind.PREAMBLE,
                status=ProvisionStatus.AGREED,
                segments=(Segment("Recognising the importance of a safe space environment,"),),
            ),
            Provision(
                "PP3bis",
                ProvisionKind.PREAMBLE,
                status=ProvisionStatus.NOT_DISCUSSED,
                segments=(
                    Segment("Noting "),
                    Segment(alternatives=(Alternative("the Delhi statement", ("IND",)),)),
                    Segment(","),
                ),
            ),
            Provision(
                "Article 1",
                heading="Definitions",
                status=ProvisionStatus.AGREED_AD_REF,
                segments=(Segment("For the purposes of this Agreement:"),),
            ),
            Provision(
                "Article 1(1)",
                ProvisionKind.PARAGRAPH,
                depth=1,
                segments=(
                    Segment("“Party” means a State that "),
                    Segment(alternatives=(Alternative("has ratified"), Alternative("has signed"))),
                    Segment(" this Agreement;"),
                ),
            ),
            Provision(
                "Article 1(1)(a)",
                ProvisionKind.SUBPARAGRAPH,
                depth=2,
                status=ProvisionStatus.NOT_DISCUSSED,
                segments=(Segment("including its overseas territories;"),),
            ),
            Provision(
                "Article 1(2)",
                ProvisionKind.PARAGRAPH,
                depth=1,
                status=ProvisionStatus.AGREED,
                segments=(Segment("“Space object” has the meaning of the Convention."),),
            ),
            Provision(
                "Article 5 bis",
                heading="Cooperation",
                notes=(Note(NoteKind.FOOTNOTE, "Moved from Article 7 of Rev.1."),),
                segments=(
                    Segment("The Parties shall "),
                    Segment(
                        alternatives=(
                            cooperate,
                            Alternative("", proposed_by=("IND",), label="Alternative B"),
                        )
                    ),
                    Segment(" in the exchange of data.\nEach Party shall designate "),
                    Segment(
                        alternatives=(
                            Alternative("a point of contact", ("JPN", "USA")),
                            Alternative("an agency", ("IND",), supported_by=("USA",)),
                            Alternative("", ("CHN",)),
                        )
                    ),
                    Segment("."),
                ),
            ),
            Provision(
                "Article 6",
                heading="Liability",
                status=ProvisionStatus.DELETED,
                segments=(Segment("Each Party shall be liable for its space objects."),),
            ),
            Provision("Annex I", ProvisionKind.ANNEX_ITEM, heading="Data formats"),
        ),
        internal=(
            InternalNote(InternalKind.FALLBACK, f"{SECRET}: accept “endeavour to”"),
            InternalNote(InternalKind.INSTRUCTION, "Hold firm on liability."),
        ),
        is_internal_copy=internal_copy,
    )


def large(articles: int = 60, brackets: int = 200) -> Document:
    """A text at the issue's scale: ``articles`` articles sharing ``brackets`` brackets."""
    provisions = []
    per_article = [brackets // articles + (n < brackets % articles) for n in range(articles)]
    for number, count in enumerate(per_article, 1):
        segments: list[Segment] = [Segment(f"Article {number} opens with agreed wording. ")]
        for bracket in range(count):
            segments.append(
                Segment(
                    alternatives=(
                        Alternative(f"the Parties shall cooperate ({bracket})", ("JPN",), ("USA",)),
                        Alternative(f"the Parties may cooperate ({bracket})", ("IND",)),
                        Alternative("", ("CHN",), opposed_by=("JPN",)),
                    )
                )
            )
            segments.append(Segment(" and then some agreed text follows the bracket. "))
        provisions.append(
            Provision(
                f"Article {number}",
                heading=f"Heading of article {number}",
                status=list(ProvisionStatus)[number % len(ProvisionStatus)],
                segments=tuple(segments),
            )
        )
    return Document(
        title="A long text",
        label="Rev.14",
        marking=MARKING,
        provisions=tuple(provisions),
        parties={"JPN": "Japan", "IND": "India", "USA": "United States", "CHN": "China"},
    )
