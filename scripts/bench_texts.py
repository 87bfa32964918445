"""Time comparing revisions of a large negotiating text, over plain values (no database).

A 60-article text (each article with three paragraphs of about 80 words) holding 200 brackets
in its first revision, over 15 revisions: each round cleans some brackets, tables and withdraws
proposals, edits wording and, from round 5, inserts an article that renumbers the rest.
Prints the median and worst of comparing two consecutive revisions, the first and the last,
progress, the burn-down and its SVG, and the round summary.

    .venv/bin/python scripts/bench_texts.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.models.text_document import (  # noqa: E402
    Alternative,
    Document,
    IssuedBy,
    Provision,
    ProvisionKind,
    ProvisionStatus,
    Segment,
)
from tracker.render.text_chart import burn_down_chart  # noqa: E402
from tracker.texts.compare import compare  # noqa: E402
from tracker.texts.progress import burn_down, progress  # noqa: E402
from tracker.texts.summary import round_summary  # noqa: E402

ARTICLES, PARAGRAPHS, BRACKETS, REVISIONS = 60, 3, 200, 15
PARTIES = {"IND": "India", "JPN": "Japan", "AUS": "Australia", "USA": "United States"}
VOCABULARY = (
    "the parties shall may cooperate in accordance with their respective laws and regulations "
    "defence exchange information personnel training logistics support mutual consultation "
    "competent authorities implementing arrangement classified protection promptly notify"
)
WORDS = VOCABULARY.split()


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


class Text:
    """The text's state from round to round; ``revision()`` freezes it into a Document."""

    def __init__(self, seed: int = 15) -> None:
        self.rng = random.Random(seed)  # noqa: S311  (repeatable made-up text)
        self.next_key = 1
        # article key -> list of paragraphs; a paragraph: [key, status, segments as lists]
        self.articles: list[tuple[int, list[list]]] = []
        for _ in range(ARTICLES):
            self.articles.append((self.key(), [self.paragraph() for _ in range(PARAGRAPHS)]))
        slots = [(a, p) for a in range(ARTICLES) for p in range(PARAGRAPHS)]
        for a, p in self.rng.sample(slots * 2, BRACKETS):
            segments = self.articles[a][1][p][2]
            segments.insert(self.rng.randrange(1, len(segments) + 1), self.bracket())
            segments.insert(self.rng.randrange(1, len(segments) + 1), words(self.rng, 12))

    def key(self) -> int:
        self.next_key += 1
        return self.next_key

    def paragraph(self) -> list:
        return [self.key(), ProvisionStatus.OPEN, [words(self.rng, 40), words(self.rng, 40)]]

    def alternative(self) -> Alternative:
        parties = self.rng.sample(sorted(PARTIES), 2)
        return Alternative(
            " " + words(self.rng, self.rng.randint(0, 12)) + " ",
            proposed_by=(parties[0],),
            supported_by=(parties[1],),
            key=self.key(),
        )

    def bracket(self) -> Segment:
        return Segment(
            alternatives=tuple(self.alternative() for _ in range(self.rng.randint(2, 3)))
        )

    def round(self, number: int) -> None:
        rng = self.rng
        for _, paragraphs in self.articles:
            for paragraph in paragraphs:
                segments = paragraph[2]
                for n, segment in enumerate(segments):
                    if isinstance(segment, Segment) and segment.is_bracket and rng.random() < 0.15:
                        winner = rng.choice(segment.alternatives)
                        segments[n] = Segment(text=winner.wording, won=winner.key)
                    elif isinstance(segment, Segment) and segment.is_bracket and rng.random() < 0.1:
                        kept = segment.alternatives[:-1] + (self.alternative(),)
                        segments[n] = Segment(alternatives=kept)  # one withdrawn, one tabled
                    elif isinstance(segment, str) and rng.random() < 0.05:
                        segments[n] = segment.replace("shall", "may", 1) + " " + words(rng, 3)
                if not any(isinstance(s, Segment) and s.is_bracket for s in segments):
                    paragraph[1] = ProvisionStatus.AGREED
        if number >= 5 and number % 3 == 2:
            self.articles.insert(
                rng.randrange(len(self.articles)), (self.key(), [self.paragraph()])
            )

    def revision(self, number: int) -> Document:
        provisions = []
        for n, (key, paragraphs) in enumerate(self.articles, start=1):
            statuses = [p[1] for p in paragraphs]
            agreed = all(s.is_agreed for s in statuses)
            provisions.append(
                Provision(
                    f"Article {n}",
                    heading=f"Heading {key}",
                    status=ProvisionStatus.AGREED if agreed else ProvisionStatus.OPEN,
                    key=key,
                )
            )
            for m, (pkey, status, segments) in enumerate(paragraphs, start=1):
                provisions.append(
                    Provision(
                        f"{n}({m})",
                        kind=ProvisionKind.PARAGRAPH,
                        status=status,
                        depth=1,
                        key=pkey,
                        segments=tuple(
                            s if isinstance(s, Segment) else Segment(text=" " + s + " ")
                            for s in segments
                        ),
                    )
                )
        return Document(
            "Agreement (main text)",
            label=f"Rev.{number}",
            issued_by=IssuedBy.JOINT,
            issued_on=date(2026, 1, 1) + timedelta(days=30 * number),
            provisions=tuple(provisions),
            parties=PARTIES,
        )


def revisions() -> list[Document]:
    text = Text()
    made = [text.revision(1)]
    for number in range(2, REVISIONS + 1):
        text.round(number)
        made.append(text.revision(number))
    return made


def timed(repeat: int, work) -> tuple[float, float]:
    work()  # warm up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    revs = revisions()
    first, last = revs[0], revs[-1]
    words_in = sum(len(p.plain_text.split()) for p in first.provisions)
    print(
        f"{len(first.provisions)} provisions ({ARTICLES} articles), "
        f"{first.open_brackets} brackets, {words_in} words in Rev.1; "
        f"{last.open_brackets} brackets and {len(last.provisions)} provisions in Rev.{REVISIONS}"
    )
    rows = [
        ("compare two consecutive revisions (Rev.7 -> Rev.8)", lambda: compare(revs[6], revs[7])),
        ("compare the first and the last (Rev.1 -> Rev.15)", lambda: compare(first, last)),
        (
            "round summary (compare + summary, Rev.14 -> Rev.15)",
            lambda: round_summary(compare(revs[-2], last), last),
        ),
        ("progress of one revision", lambda: progress(first)),
        ("burn-down over 15 revisions + SVG", lambda: burn_down_chart(burn_down(revs))),
    ]
    for name, work in rows:
        p50, worst = timed(args.repeat, work)
        print(f"{name:55} median {p50:7.2f} ms   min {worst:7.2f} ms")
    one = compare(revs[6], revs[7])
    print(
        f"Rev.7 -> Rev.8: {len(one.changed)} provisions changed, {len(one.cleaned)} brackets "
        f"cleaned, {len(one.new_alternatives)} proposals tabled, {len(one.withdrawn)} withdrawn, "
        f"{len(one.renumbered)} renumbered"
    )


if __name__ == "__main__":
    main()
