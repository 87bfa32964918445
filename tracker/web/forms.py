"""Form pieces every feature shares: the base of every form, a select of records by id, its
"none" choice, a list of repeated rows with a limit, a form that is only a CSRF token, and a
filter for typed text."""

from __future__ import annotations

import re

import wtforms.widgets
import wtforms.widgets.core
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import FieldList, SelectChoice, SelectField, SelectMultipleField
from wtforms.widgets import HiddenInput, Select
from wtforms.widgets.core import clean_key


class TrackerForm(FlaskForm):
    """A Flask-WTF form whose hidden inputs are rendered without an ``id``.

    WTForms gives every input the id of its name, so two forms on one page (a user's role and
    password reset; a record's page with its status form) would both hold
    ``id="csrf_token"``, and two versioned forms ``id="version"``: ids must be unique. Nothing
    labels or targets a hidden input, so it needs no id; the name, which the server reads, is
    unchanged. ``field(id="...")`` still sets one where wanted.
    """

    class Meta:
        def render_field(self, field, render_kw):
            if isinstance(field.widget, HiddenInput):
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)


# WTForms' own, which quick_widgets() replaces in its modules (kept for the tests to compare).
WTFORMS_HTML_PARAMS = wtforms.widgets.core.html_params


def html_params(**kwargs) -> Markup:
    """WTForms' ``html_params``, the same text, five times faster: WTForms writes each
    attribute through ``Markup.format``, which parses its pattern every time; a form page
    writes a few hundred attributes (every input, label and select)."""
    params = []
    for key, value in sorted(kwargs.items()):
        name = escape(clean_key(key))
        if value is True:
            params.append(name)
        elif value is not False:
            # Only Markup keeps a '"' through escape(); WTForms writes it as &quot;.
            text = str.replace(escape(value), '"', "&quot;")
            params.append(f'{name}="{text}"')
    return Markup(" ".join(params))  # noqa: S704  (every name and value escaped above)


def quick_widgets() -> None:
    """Make WTForms' own widgets and labels write their attributes with :func:`html_params`:
    inputs through the method they have for it, the others look it up in their modules
    when they draw."""
    wtforms.widgets.core.Input.html_params = staticmethod(html_params)
    wtforms.widgets.core.Button.html_params = staticmethod(html_params)
    wtforms.widgets.core.html_params = html_params
    wtforms.widgets.html_params = html_params


# The first option of a select whose value may be left out.
NONE_CHOSEN = SelectChoice("", "—")
NOT_A_CHOICE = "Not a valid choice."


def optional_id(value) -> int | None:
    """A submitted select value as a record id; blank means none.

    Raises ValueError for text that is not a whole number, which the field turns into its
    ``invalid_value_message``; a number no listed record has is refused by the choice check.
    """
    if value is None or value == "" or value == "None":
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    if not (text.isascii() and text.isdigit()):  # "²".isdigit() holds, yet int("²") fails
        raise ValueError(f"{text!r} is not a record id")
    return int(text)


class QuickSelect(Select):
    """WTForms' select, the same HTML, with options and groups written directly: WTForms
    builds each one's attributes through string formatting and a ``Choice`` (and a call of
    the field's ``coerce``) per option, which for the hundreds of options of a meeting's
    zone, participants and gatherings, or a marking's REL TO parties, was most of the
    page's time."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for name in dir(flags):
            if name in self.validation_attrs and name not in kwargs:
                kwargs[name] = getattr(flags, name)
        options = _quick_options(field)
        if options is None:  # choices of another shape: as WTForms draws them
            options = "".join(self._options_of(field))
        attributes = html_params(name=field.name, **kwargs)
        # html_params and _option escape every value, as WTForms' own Select does.
        return Markup(f"<select {attributes}>{options}</select>")  # noqa: S704

    def _options_of(self, field):
        if field.has_groups():
            for group, choices in field.iter_groups():
                yield f'<optgroup label="{escape(group)}">' if group is not None else ""
                yield from (self.render_option(choice) for choice in choices)
                yield "</optgroup>" if group is not None else ""
        else:
            yield from (self.render_option(choice) for choice in field.iter_choices())


def _chosen_texts(field) -> frozenset[str]:
    """The values of ``field``'s chosen options, as the page writes them.

    WTForms marks an option chosen when ``coerce(value) == data``; the choices here are
    ids, ranks and names whose text is what ``coerce`` reads, so comparing texts gives the
    same, once per option without a call. No data chooses the blank option only where
    ``coerce`` reads blank as none (an id select's "—").
    """
    data = field.data
    if isinstance(field, SelectMultipleField):
        return frozenset(str(value) for value in data or ())
    if data is None:
        try:
            return frozenset({""}) if field.coerce("") is None else frozenset()
        except (ValueError, TypeError):
            return frozenset()
    return frozenset({str(data)})


def _quick_options(field) -> str | None:
    """The options of ``field`` (in their optgroups), its chosen ones marked; None when a
    choice is not a plain ``SelectChoice`` of a text or number value (the caller then draws
    it as WTForms does)."""
    html = _options_once(field.choices)
    if html is None:
        return None
    for text in _chosen_texts(field):
        option = f'<option value="{_escaped(text)}">'
        html = html.replace(option, f"<option selected{option[7:]}", 1)
    return html


# The options of lists of choices that are kept (a tuple: the parties, read once until the
# data changes; the time zones, made once): drawn once while kept, not on every page.
_DRAWN: dict[int, tuple[tuple, str | None]] = {}
DRAWN_KEPT = 64


def _options_once(choices) -> str | None:
    """:func:`_options` of ``choices``, drawn once for a tuple of them."""
    if type(choices) is not tuple:
        return _options(choices)
    kept = _DRAWN.get(id(choices))
    if kept is not None and kept[0] is choices:  # the same tuple, not one at its address
        return kept[1]
    html = _options(choices)
    if len(_DRAWN) >= DRAWN_KEPT:
        _DRAWN.clear()
    _DRAWN[id(choices)] = (choices, html)
    return html


def _options(choices) -> str | None:
    """The options of ``choices`` (in their optgroups), none chosen; None if one is not a
    plain ``SelectChoice`` of a text or number value."""
    parts, group = [], None
    for choice in choices or ():
        value = choice.value if type(choice) is SelectChoice else None
        if type(value) not in (str, int) or choice.render_kw:
            return None
        if choice.optgroup != group:
            if group is not None:
                parts.append("</optgroup>")
            if choice.optgroup is not None:
                parts.append(f'<optgroup label="{escape(choice.optgroup)}">')
            group = choice.optgroup
        text = str(value)
        parts.append(_option(text, choice.label or text, False))
    if group is not None:
        parts.append("</optgroup>")
    return "".join(parts)


class IdSelectField(SelectField):
    """A select of records by id; blank means none, anything not offered is refused with
    "Not a valid choice." unless the form gives its own messages."""

    widget = QuickSelect()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("invalid_value_message", NOT_A_CHOICE)
        super().__init__(label, validators, coerce=optional_id, **kwargs)


class SharedChoices:
    """Widget: a select of repeated rows drawn with its chosen option only (and the blank
    one); the page draws the choices once, with ``choice_list`` (_macros/forms.html), and
    static/choices.js copies them into every row's select. A page with seven rows of 200
    parties carries 200 options, not 1,400.
    """

    def __init__(self, list_id: str) -> None:
        self.list_id = list_id
        # The last list of choices drawn, and where each value is in it: every row of a
        # form shares one list, so it is looked through once, not once a row.
        self._looked_up: tuple[object, dict[str, int]] = ((), {})

    def _positions(self, choices) -> dict[str, int]:
        """Where each value (as text) first is in ``choices``."""
        looked_up = self._looked_up  # one read: another thread may replace it
        if looked_up[0] is not choices:
            positions: dict[str, int] = {}
            for position, choice in enumerate(choices):
                positions.setdefault(str(choice.value), position)
            looked_up = (choices, positions)
            self._looked_up = looked_up
        return looked_up[1]

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        kwargs["data-choices"] = self.list_id
        # Compared as text rather than through the field's coerce: hundreds of choices a
        # row, of which one is drawn.
        choices = field.choices
        chosen = "" if field.data is None else str(field.data)
        positions = self._positions(choices)
        drawn = sorted(
            {positions[text] for text in (NONE_CHOSEN.value, chosen) if text in positions}
        )
        options = "".join(
            _option(choices[n].value, choices[n].label, str(choices[n].value) == chosen)
            for n in drawn
        )
        attributes = html_params(name=field.name, **kwargs)
        # html_params and _option escape every value, as WTForms' own Select does.
        return Markup(f"<select {attributes}>{options}</select>")  # noqa: S704

    def choice_list(self, field) -> Markup:
        """The choices of ``field`` (grouped as its optgroups say) in an inert <template>."""
        options = _options_once(field.choices)
        if options is not None:
            # _option escapes every value and label.
            return Markup(f'<template id="{escape(self.list_id)}">{options}</template>')  # noqa: S704
        parts, group = [f'<template id="{escape(self.list_id)}">'], None
        for choice in field.choices:
            optgroup = getattr(choice, "optgroup", None)
            if optgroup != group:
                parts.append("</optgroup>" if group is not None else "")
                parts.append(
                    f'<optgroup label="{escape(optgroup)}">' if optgroup is not None else ""
                )
                group = optgroup
            parts.append(_option(choice.value, choice.label, False))
        parts.append("</optgroup></template>" if group is not None else "</template>")
        return Markup("".join(parts))  # noqa: S704  (every value escaped above)


def _option(value, label, selected: bool) -> str:
    return (
        f'<option{" selected" if selected else ""} value="{_escaped(value)}">'
        f"{_escaped(label)}</option>"
    )


_TO_ESCAPE = re.compile(r"[&<>\"']")


def _escaped(text) -> str:
    """``escape(text)``, the same text: most option values and labels have nothing to
    escape, and markupsafe makes a Markup of each (a third of drawing a long select)."""
    if type(text) is str and not _TO_ESCAPE.search(text):
        return text
    return str(escape(text))


class RowList(FieldList):
    """Repeated rows (``name-0-…``, ``name-1-…``) of which a form takes at most
    ``max_entries``; more are refused with ``too_many`` on the field.

    Every row costs the server time to build, check and draw again, so a forged request
    must not bring thousands. WTForms' own FieldList builds rows up to the limit and drops
    the rest without a word, which would save part of what was sent; rows past the limit
    are never built here either, and the form is refused as a whole.
    """

    def __init__(
        self, unbound_field, label=None, validators=None, *, max_entries, too_many, **kwargs
    ):
        super().__init__(unbound_field, label, validators, max_entries=max_entries, **kwargs)
        self.too_many = too_many
        self.submitted = 0

    def _extract_indices(self, prefix, formdata):
        indices = set(super()._extract_indices(prefix, formdata))
        self.submitted = len(indices)
        return indices

    def validate(self, form, extra_validators=()):
        valid = super().validate(form, extra_validators)
        if self.submitted > self.max_entries:
            self.errors.append(self.too_many)
            return False
        return valid


class ConfirmForm(TrackerForm):
    """No fields: the CSRF token of a POST button or a confirmation page."""


def clean_text(value):
    """Strip surrounding spaces and drop control characters no database column wants."""
    if not isinstance(value, str):
        return value
    return "".join(ch for ch in value if ch.isprintable()).strip()
