"""Forms for agreements and their status changes."""

from __future__ import annotations

from wtforms import (
    DateField,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.agreements.services import MAX_PARTIES, date_problems, party_rows_problem
from tracker.markings.forms import MarkingForm
from tracker.models import Category, PartyRole, Priority, Status
from tracker.web.conflicts import VersionedForm
from tracker.web.forms import IdSelectField, RowList, SharedChoices, TrackerForm


class PartyRowForm(Form):
    """One party of the agreement and its role; a blank row is ignored."""

    party = IdSelectField("Party", widget=SharedChoices("party-choices"))
    role = SelectField(
        "Role",
        choices=[SelectChoice(role.value, role.label) for role in PartyRole],
        default=PartyRole.PARTY.value,
        widget=SharedChoices("role-choices"),
    )


class AgreementForm(TrackerForm):
    title = StringField(
        "Title", validators=[DataRequired("Give the agreement a title."), Length(max=300)]
    )
    short_name = StringField(
        "Short name",
        validators=[Optional(), Length(max=40)],
        description="The name staff use, e.g. RPSS. Must be unique.",
    )
    category = SelectField("Category", choices=[SelectChoice(c.value, c.label) for c in Category])
    priority = SelectField(
        "Priority",
        choices=[SelectChoice(p.value, p.label) for p in Priority],
        default=Priority.NORMAL.value,
    )
    summary = TextAreaField("Summary", validators=[Length(max=20_000)])
    status = SelectField(
        "Status now",
        description="Later changes are recorded from the agreement's page.",
    )
    status_on = DateField("Status since", validators=[Optional()], description="Defaults to today.")
    lead = IdSelectField("Lead staff member")
    opened_on = DateField("Negotiations opened", validators=[Optional()])
    target_on = DateField("Target date", validators=[Optional()])
    signed_on = DateField("Signed", validators=[Optional()])
    in_force_on = DateField("Entered into force", validators=[Optional()])
    marking = FormField(MarkingForm)
    parties = RowList(
        FormField(PartyRowForm),
        min_entries=4,
        max_entries=MAX_PARTIES,
        too_many=f"An agreement lists at most {MAX_PARTIES} parties.",
    )

    def _date_problem(self, field) -> None:
        problem = date_problems(self.opened_on.data, self.signed_on.data, self.in_force_on.data)
        if field.name in problem:
            raise ValidationError(problem[field.name])

    def validate_signed_on(self, field):
        self._date_problem(field)

    def validate_in_force_on(self, field):
        self._date_problem(field)

    def validate_parties(self, field):
        problem = party_rows_problem([row.party.data for row in field if row.party.data])
        if problem:
            raise ValidationError(problem)

    def party_rows(self) -> list[tuple[int, str]]:
        return [(row.party.data, row.role.data) for row in self.parties if row.party.data]


class AgreementEditForm(VersionedForm, AgreementForm):
    """The agreement form for an existing agreement, with the version it was loaded from."""


class StatusChangeForm(VersionedForm, TrackerForm):
    status = SelectField("New status", validators=[InputRequired("Choose the new status.")])
    effective_on = DateField(
        "Effective date", validators=[InputRequired("Give the date the change took effect.")]
    )
    meeting = IdSelectField("Decided at meeting")
    note = TextAreaField("Note", validators=[Length(max=5_000)])
    marking = FormField(MarkingForm)

    def set_statuses(self, statuses: list[Status]) -> None:
        self.status.choices = [SelectChoice("", "Choose…")] + [
            SelectChoice(status.value, status.label) for status in statuses
        ]
