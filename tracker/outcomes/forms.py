"""One form for everything a meeting produced, one section per agreement discussed."""

from __future__ import annotations

from wtforms import (
    DateField,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from tracker.markings.forms import MarkingForm
from tracker.meetings.services import MAX_AGENDA
from tracker.models import PointStatus
from tracker.web.conflicts import VersionedForm
from tracker.web.forms import IdSelectField, RowList, TrackerForm

NO_CHANGE = SelectChoice("", "No change")
ACTION_ROWS = 2
# The open points of an agreement the form offers to settle (the first, by subject); more
# are settled from each point's own form.
MAX_SETTLE_ROWS = 100


class SettlePointForm(Form):
    """An open point of the agreement and what the meeting did with it."""

    point_id = HiddenField()
    status = SelectField(
        "New status",
        choices=[NO_CHANGE]
        + [SelectChoice(s.value, s.label) for s in PointStatus if s != PointStatus.OPEN],
        default="",
    )


class NewActionForm(Form):
    # Not "description": that name is taken by the enclosing FormField's own attribute.
    task = StringField("Action", validators=[Optional(), Length(max=500)])
    owner = IdSelectField("Owner")
    due_on = DateField("Due", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        # Cross-field rule; inline validators would be skipped for an empty optional field.
        valid = super().validate(extra_validators)
        if not (self.task.data or "").strip() and (self.owner.data or self.due_on.data):
            self.task.errors = [*self.task.errors, "Describe what has to be done."]
            return False
        return valid


class AgreementOutcomeForm(VersionedForm, Form):
    """What came out of the meeting for one agreement, and the agreement's version."""

    agreement_id = HiddenField()
    outcome = TextAreaField("Outcome", validators=[Length(max=10_000)])
    marking = FormField(MarkingForm, label="Classification of the outcome")
    status = SelectField("Status change", default="")
    status_on = DateField("Effective date", validators=[Optional()])
    status_note = StringField("Note on the status change", validators=[Length(max=5_000)])
    point_subject = StringField("New negotiation point", validators=[Length(max=200)])
    point_details = TextAreaField("Details of the new point", validators=[Length(max=10_000)])
    settle = RowList(
        FormField(SettlePointForm),
        max_entries=MAX_SETTLE_ROWS,
        too_many=f"At most {MAX_SETTLE_ROWS} open points are settled at once.",
    )
    actions = RowList(
        FormField(NewActionForm),
        min_entries=ACTION_ROWS,
        max_entries=ACTION_ROWS,
        too_many=f"At most {ACTION_ROWS} new action items per agreement at once.",
    )

    # A status change without its date, and a new point's details without a subject, are
    # refused by the service (tracker/outcomes/services.py), for the API as for this form.


class OutcomesForm(VersionedForm, TrackerForm):
    """Every agreement discussed, and the meeting's version."""

    agreements = RowList(
        FormField(AgreementOutcomeForm),
        max_entries=MAX_AGENDA,
        too_many=f"A meeting discusses at most {MAX_AGENDA} agreements.",
    )
