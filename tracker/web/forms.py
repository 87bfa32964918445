"""Form pieces every feature shares: the base of every form, a select of records by id, its
"none" choice, a list of repeated rows with a limit, a form that is only a CSRF token, and a
filter for typed text."""

from __future__ import annotations

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import FieldList, SelectChoice, SelectField
from wtforms.widgets import HiddenInput, Select, html_params


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
    builds each one's attributes through string formatting, which for the hundreds of
    options of a meeting's zone, participants and gatherings was most of the page's time."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if self.multiple:
            kwargs["multiple"] = True
        flags = getattr(field, "flags", {})
        for name in dir(flags):
            if name in self.validation_attrs and name not in kwargs:
                kwargs[name] = getattr(flags, name)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        if field.has_groups():
            for group, choices in field.iter_groups():
                html.append(f'<optgroup label="{escape(group)}">' if group is not None else "")
                html.extend(self._options(choices))
                html.append("</optgroup>" if group is not None else "")
        else:
            html.extend(self._options(field.iter_choices()))
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704  (html_params and _option escape)

    def _options(self, choices):
        for choice in choices:  # Choice tuples, as SelectField and its kin give them
            if choice.render_kw or isinstance(choice.value, bool):
                yield self.render_option(choice)
            else:
                yield _option(choice.value, choice.label or choice.value, choice.selected)


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

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        kwargs["data-choices"] = self.list_id
        # Compared as text rather than through the field's coerce: hundreds of choices a
        # row, of which one is drawn.
        chosen = "" if field.data is None else str(field.data)
        options = "".join(
            _option(choice.value, choice.label, str(choice.value) == chosen)
            for choice in field.choices
            if choice.value == NONE_CHOSEN.value or (chosen and str(choice.value) == chosen)
        )
        attributes = html_params(name=field.name, **kwargs)
        # html_params and _option escape every value, as WTForms' own Select does.
        return Markup(f"<select {attributes}>{options}</select>")  # noqa: S704

    def choice_list(self, field) -> Markup:
        """The choices of ``field`` (grouped as its optgroups say) in an inert <template>."""
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
        f'<option{" selected" if selected else ""} value="{escape(value)}">{escape(label)}</option>'
    )


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
