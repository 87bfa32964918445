"""SVG primitives: elements with formatted numbers, text XML can carry, tooltips, a text width.

Every picture is built as an ElementTree, which escapes text and attributes as it writes
them; nothing here concatenates markup by hand.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

SVG_NS = "http://www.w3.org/2000/svg"

# Characters XML 1.0 cannot carry; a title pasted with one must not break the document.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

Attributes = Mapping[str, str | float]


def clean(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", text)


def number(value: float) -> str:
    """A coordinate as written out: one decimal at most, none when it is whole."""
    return f"{value:.1f}".removesuffix(".0")


def text_width(text: str, size: float) -> float:
    """A generous estimate of the width of ``text`` in DejaVu Sans (about 0.62 em a glyph)."""
    return len(text) * size * 0.62


def element(
    tag: str,
    attributes: Attributes | None = None,
    *,
    text: str | None = None,
    cls: str | None = None,
) -> ET.Element:
    """An element; ``cls`` names its part of the picture for tests and report stylesheets."""
    made = ET.Element(
        tag,
        {
            key: number(value) if isinstance(value, float | int) else value
            for key, value in (attributes or {}).items()
        },
    )
    if cls:
        made.set("class", cls)
    if text is not None:
        made.text = clean(text)
    return made


def sub(
    parent: ET.Element,
    tag: str,
    attributes: Attributes | None = None,
    *,
    text: str | None = None,
    cls: str | None = None,
) -> ET.Element:
    """An element appended to ``parent``."""
    child = element(tag, attributes, text=text, cls=cls)
    parent.append(child)
    return child


def with_tooltip(shape: ET.Element, tooltip: str) -> ET.Element:
    # A <title> inside a shape: a tooltip in browsers, silently skipped by fpdf2.
    sub(shape, "title", text=tooltip)
    return shape


def document(width: int, height: int, attributes: Attributes | None = None) -> ET.Element:
    """The root of a standalone SVG document whose viewBox is its size."""
    return element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {width} {height}",
            "width": width,
            "height": height,
            **(attributes or {}),
        },
    )


def to_string(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode")
