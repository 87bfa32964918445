"""One table of status colours: the stylesheet's badges must match what the pictures draw."""

from __future__ import annotations

import re
from pathlib import Path

from tracker.models import Status
from tracker.render.colours import STATUS_COLOURS

STYLESHEET = Path(__file__).parents[2] / "tracker" / "static" / "tracker.css"


def hex_colour(value: str) -> str:
    """``#ABC`` and ``#aabbcc`` alike as ``#aabbcc``; anything else as written, to compare."""
    value = value.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return "#" + "".join(digit * 2 for digit in value[1:])
    return value


def badge_colours(css: str) -> dict[str, str]:
    """The background colour of every ``.status-<value>`` rule, however the rule is laid out."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    colours = {}
    for selectors, declarations in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        names = re.findall(r"^\s*\.status-([\w-]+)\s*$", selectors.replace(",", "\n"), re.M)
        background = re.search(r"background(?:-color)?\s*:\s*([^;!]+)", declarations)
        for name in names:
            if background:
                colours[name] = hex_colour(background.group(1))
    return colours


def test_every_status_has_a_colour():
    assert set(STATUS_COLOURS) == set(Status)


def test_the_stylesheets_badges_have_the_status_colours():
    badges = badge_colours(STYLESHEET.read_text())
    # Missing, different and unknown statuses all show up in one readable difference.
    assert badges == {status.value: colour for status, colour in STATUS_COLOURS.items()}


def test_badge_colours_are_read_however_the_rule_is_written():
    css = """
    /* .status-stalled { background-color: #000; } is a comment */
    .status-proposed,
    .status-signed {
      color: #fff;
      background: #ABC !important;
    }
    @media print { .status-stalled { background-color: #9A3D00; } }
    .status { font-weight: 600; }
    """
    assert badge_colours(css) == {"proposed": "#aabbcc", "signed": "#aabbcc", "stalled": "#9a3d00"}
