"""The negotiation point form, with one position field per party of the agreement."""

from __future__ import annotations

from wtforms import (
    DateField,
    FormField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from tracker.markings.forms import MarkingForm
from tracker.models import Party, PointStatus
from tracker.points.services import MAX_PROVISIONS
from tracker.web.conflicts import VersionedForm
from tracker.web.forms import IdSelectField, QuickSelect, TrackerForm


class ProvisionsField(SelectMultipleField):
    """The provisions a point concerns, by id; anything else sent is refused by name."""

    def process_formdata(self, valuelist):
        try:
            self.data = [int(value) for value in valuelist]
        except ValueError:
            self.data = None
            raise ValueError("Choose the provisions from the list.") from None


class PointForm(TrackerForm):
    subject = StringField(
        "Subject", validators=[DataRequired("Give the point a subject."), Length(max=200)]
    )
    details = TextAreaField("Details", validators=[Length(max=20_000)], render_kw={"rows": 3})
    status = SelectField(
        "Status",
        choices=[SelectChoice(status.value, status.label) for status in PointStatus],
        default=PointStatus.OPEN.value,
    )
    raised_at_id = IdSelectField("Raised at")
    settled_at_id = IdSelectField("Settled at", description="Only for points agreed or dropped.")
    # Named apart from the point's ``provisions`` (records), which the form cannot show.
    provision_ids = ProvisionsField(
        "Provisions it concerns",
        coerce=int,
        # The service refuses one not offered, saying why (another agreement's, or hidden).
        validate_choice=False,
        widget=QuickSelect(multiple=True),
        render_kw={"size": 8},
        description="The articles or paragraphs of the agreement's texts, as numbered in "
        f"each text's latest revision; at most {MAX_PROVISIONS}.",
    )
    marking = FormField(MarkingForm)
    # When and where the positions this save changes were stated (their history's step).
    positions_stated_on = DateField(
        "Stated on",
        validators=[Optional()],
        description="For the positions changed now; defaults to the meeting's day, else today.",
    )
    positions_stated_at_id = IdSelectField("Stated at meeting")

    # Filled in by point_form(): (field name, party id) for each party of the agreement.
    party_fields: tuple[tuple[str, int], ...] = ()

    def validate_settled_at_id(self, field):
        if field.data is not None and self.status.data not in {
            status.value for status in PointStatus if status.is_settled
        }:
            raise ValidationError(
                "A point is settled at a meeting only when it is agreed or dropped."
            )

    def validate_provision_ids(self, field):
        if len(field.data or ()) > MAX_PROVISIONS:
            raise ValidationError(f"A point can concern at most {MAX_PROVISIONS} provisions.")

    def position_fields(self):
        return [self[name] for name, _ in self.party_fields]

    def position_rows(self):
        """(position field, its marking sub-form) for each party."""
        return [(self[name], self[f"{name}_marking"]) for name, _ in self.party_fields]

    def position_markings(self):
        """The marking asked for each party's position, by party id."""
        found = {}
        for name, party_id in self.party_fields:
            choice = self[f"{name}_marking"].form.choice()
            if choice is not None:
                found[party_id] = choice
        return found

    def positions(self) -> dict[int, str]:
        """Each party's position as typed, by party id; empty ones are dropped by the service."""
        return {party_id: self[name].data or "" for name, party_id in self.party_fields}


class PointEditForm(VersionedForm, PointForm):
    """The point form for an existing point, with the version it was loaded from."""


def point_form(parties: list[Party], base: type[PointForm] = PointForm) -> type[PointForm]:
    """A ``base`` class with a position field for each of ``parties``, labelled with its name."""
    fields = {
        f"position_{party.id}": TextAreaField(
            party.name, validators=[Length(max=20_000)], render_kw={"rows": 2}
        )
        for party in parties
    }
    for party in parties:
        fields[f"position_{party.id}_marking"] = FormField(
            MarkingForm, label=f"Classification of {party.name}'s position"
        )
    fields["party_fields"] = tuple((f"position_{party.id}", party.id) for party in parties)
    return type("AgreementPointForm", (base,), fields)
