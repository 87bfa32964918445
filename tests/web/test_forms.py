"""The shared form pieces draw exactly what WTForms draws, only faster."""

from __future__ import annotations

import pytest
from markupsafe import Markup
from wtforms import Form, SelectChoice, SelectField, SelectMultipleField
from wtforms.widgets import Select

from tracker.web.forms import (
    NONE_CHOSEN,
    WTFORMS_HTML_PARAMS,
    IdSelectField,
    QuickSelect,
    SharedChoices,
    html_params,
)


@pytest.mark.parametrize(
    "attributes",
    [
        {},
        {"id": "title", "name": "title", "class_": "form-control is-invalid", "type": "text"},
        {"value": 'Tom & "Jerry" <b>\'s</b>', "for_": "x", "aria_describedby": "x-help"},
        {"data_choices": "party-choices", "multiple": True, "required": False, "size": 6},
        {"value": Markup('<b class="k">bold</b>')},  # Markup keeps its quotes: &quot;
        {"value": None, "rows": 0, "step": 1.5},
        {"a&b": True, "c<d": "e"},
    ],
)
def test_attributes_are_written_as_wtforms_writes_them(attributes):
    ours, theirs = html_params(**attributes), WTFORMS_HTML_PARAMS(**attributes)
    assert ours == theirs
    assert isinstance(ours, Markup)


class Choices(Form):
    lead = IdSelectField("Lead")
    kind = SelectField("Kind", widget=QuickSelect())
    people = SelectMultipleField("People", coerce=int, widget=QuickSelect(multiple=True))


IDS = [NONE_CHOSEN, SelectChoice(1, "Tom & Jerry"), SelectChoice(2, "<Corvar>"), SelectChoice(3)]
GROUPED = [
    SelectChoice(1, "Singh", optgroup="India"),
    SelectChoice(2, "Rao", optgroup="India"),
    SelectChoice(3, "Tanaka", optgroup="Japan & co"),
    SelectChoice(4, 'Nobody\'s "own"'),
    SelectChoice(5, "Kim", optgroup="Korea"),
]
KINDS = [SelectChoice("", "Any"), SelectChoice("state", "State"), SelectChoice("org")]


@pytest.mark.parametrize(
    ("name", "choices", "data"),
    [
        ("lead", IDS, None),  # "—" is chosen: the id select reads blank as none
        ("lead", IDS, 2),
        ("lead", IDS, 9),  # not offered: nothing chosen
        ("lead", GROUPED, 3),
        ("kind", KINDS, None),  # blank is a value here, not none: nothing chosen
        ("kind", KINDS, "state"),
        ("kind", KINDS, ""),
        ("people", GROUPED, [1, 3, 5]),
        ("people", IDS[1:], []),
        ("people", [SelectChoice(1, "Singh", render_kw={"disabled": True})], [1]),
        ("kind", [SelectChoice("a", "A"), ("b", "B")], "b"),  # a tuple: drawn by WTForms
    ],
)
def test_a_quick_select_draws_what_wtforms_select_draws(name, choices, data):
    form = Choices(data={name: data})
    field = form[name]
    field.choices = choices
    expected = Select(multiple=name == "people")(field, class_="form-select")
    assert field(class_="form-select") == expected


def test_a_kept_tuple_of_choices_is_drawn_once_and_marked_for_each_field():
    """A tuple of choices (kept until the data changes, or for good) is drawn once; each
    select still shows its own choice."""
    kept = tuple(GROUPED)
    for data in ([1, 3], [5], [], [2]):
        form = Choices(data={"people": data})
        form.people.choices = kept
        expected = Select(multiple=True)(form.people)
        assert form.people() == expected


def test_a_row_of_shared_choices_draws_the_blank_and_its_chosen_option_only():
    widget = SharedChoices("party-choices")
    rows = [IdSelectField(widget=widget).bind(Form(), f"parties-{n}-party") for n in range(3)]
    for row, data in zip(rows, (2, None, 9), strict=True):
        row.process(None, data)
        row.choices = tuple(IDS)  # one tuple for every row, as the forms give them
    drawn = [str(row()) for row in rows]
    blank = '<option value="">—</option>'
    assert drawn[0].endswith(f'>{blank}<option selected value="2">&lt;Corvar&gt;</option></select>')
    assert drawn[1].endswith('><option selected value="">—</option></select>')
    assert drawn[2].endswith(f">{blank}</select>")  # not offered: the blank only
    assert 'data-choices="party-choices"' in drawn[0]
    shared = str(widget.choice_list(rows[0]))
    assert shared.startswith('<template id="party-choices"><option value="">—</option>')
    assert shared.count("<option") == len(IDS)
    assert widget.choice_list(rows[1]) == shared  # drawn once, the same for every row
