"""Forms for people."""

from __future__ import annotations

from wtforms import Form, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from tracker.models import Party
from tracker.web.conflicts import VersionedForm
from tracker.web.forms import IdSelectField, TrackerForm, clean_text


def party_choices(parties: list[Party], placeholder: str) -> list[SelectChoice]:
    """A placeholder, then ``parties`` grouped by kind (they come sorted by kind)."""
    choices = [SelectChoice("", placeholder)]
    for party in parties:
        label = party.name + (" (archived)" if party.archived_at else "")
        choices.append(SelectChoice(str(party.id), label, optgroup=party.kind.label))
    return choices


class PersonForm(TrackerForm):
    name = StringField(
        "Name",
        filters=[clean_text],
        validators=[DataRequired(message="Enter the person's name."), Length(max=200)],
    )
    position = StringField("Position", filters=[clean_text], validators=[Length(max=200)])
    party_id = IdSelectField(
        "Party",
        choices=[],
        validators=[InputRequired(message="Choose a party.")],
        invalid_value_message="Choose a party from the list.",
        invalid_choice_message="Choose a party from the list.",
    )


class PersonEditForm(VersionedForm, PersonForm):
    """The person form for an existing person, with the version it was loaded from."""


class PersonSearchForm(Form):
    """The search and filter above the list; read from the query string, no CSRF needed."""

    q = StringField("Search name or position", filters=[clean_text])
    party = IdSelectField("Party", choices=[], validate_choice=False)
