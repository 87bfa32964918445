"""The status colours, one table for the badges, the timeline and the chart.

tracker/static/tracker.css repeats them for the ``.status-*`` badges (a stylesheet cannot
import Python); tests/render/test_colours.py fails if the two differ.
"""

from __future__ import annotations

from tracker.models.status import Status

# Chosen for WCAG AA contrast with white text, which the badges and timeline bands carry.
STATUS_COLOURS: dict[Status, str] = {
    Status.PROPOSED: "#495057",
    Status.UNDER_NEGOTIATION: "#0a58ca",
    Status.TEXT_AGREED: "#6f42c1",
    Status.SIGNED: "#146c43",
    Status.IN_FORCE: "#0f5132",
    Status.STALLED: "#9a3d00",
    Status.ABANDONED: "#6c1d24",
}

TEXT = "#212529"  # the page's body text colour, for text drawn on white
MUTED = "#495057"  # secondary text and lines
