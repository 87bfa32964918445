"""A deterministic synthetic collection at scale, for benchmarks: bulk inserts, no ORM.

The rows go to the driver in batches (``executemany``, COPY on PostgreSQL), so the ORM's
flush hooks (the status-history guard, the audit trail) do not run; instead every row is
built to the same rules: each agreement's status is the last step of a history that follows
the allowed transitions, key dates are filled as ``Agreement.change_status`` fills them, and
every CHECK constraint holds. The database's own triggers (full-text search, activity dates)
do run. Synthetic records are not in the audit trail: nobody made them.

``vocabulary`` holds the words; ``state`` what one run shares; ``parties``, ``agreements``,
``meetings``, ``progress`` and ``markings`` are the steps, in that order; ``bulk`` writes
and tidies; ``load`` runs it all.
"""

from tracker.cli.synth.bulk import SynthReport, tidy
from tracker.cli.synth.load import NotEmptyError, generate, is_empty
from tracker.cli.synth.markings import LEVEL_BY_LAST_DIGIT, is_marked, mark
from tracker.cli.synth.state import BUSY_MEETINGS, BUSY_SHORT_NAME, SynthParams

__all__ = [
    "BUSY_MEETINGS",
    "BUSY_SHORT_NAME",
    "LEVEL_BY_LAST_DIGIT",
    "NotEmptyError",
    "SynthParams",
    "SynthReport",
    "generate",
    "is_empty",
    "is_marked",
    "mark",
    "tidy",
]
