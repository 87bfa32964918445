"""Forms for parties."""

from __future__ import annotations

from wtforms import Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from tracker.models import PartyKind
from tracker.parties.services import PartyError, check_code
from tracker.web.conflicts import VersionedForm
from tracker.web.forms import TrackerForm, clean_text


class PartyForm(TrackerForm):
    name = StringField(
        "Name",
        filters=[clean_text],
        validators=[DataRequired(message="Enter the party's name."), Length(max=200)],
    )
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(kind.value, kind.label) for kind in PartyKind],
        coerce=PartyKind,
        invalid_value_message="Choose a kind of party from the list.",
        invalid_choice_message="Choose a kind of party from the list.",
    )
    code = StringField(
        "Code",
        filters=[clean_text],
        validators=[Length(max=16)],
        description="States: the ISO 3166-1 alpha-3 code (IND, JPN). "
        "Organisations and groupings: optional short code.",
    )

    def validate_code(self, field) -> None:
        if self.kind.data is None or self.kind.errors:
            return
        try:
            field.data = check_code(self.kind.data, field.data)
        except PartyError as error:
            raise ValidationError(str(error)) from None


class PartyEditForm(VersionedForm, PartyForm):
    """The party form for an existing party, with the version it was loaded from."""


class PartySearchForm(Form):
    """The search box above the list; read from the query string, no CSRF needed."""

    q = StringField("Search name or code", filters=[clean_text])
