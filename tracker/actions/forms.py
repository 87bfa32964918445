"""The action item form."""

from __future__ import annotations

from wtforms import BooleanField, DateField, FormField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.markings.forms import MarkingForm
from tracker.web.conflicts import VersionedForm
from tracker.web.forms import IdSelectField, TrackerForm


class ActionItemForm(TrackerForm):
    description = TextAreaField(
        "What has to be done",
        validators=[DataRequired("Describe what has to be done."), Length(max=500)],
        render_kw={"rows": 2},
    )
    owner_id = IdSelectField("Owner")
    due_on = DateField("Due", validators=[Optional()])
    meeting_id = IdSelectField("Agreed at meeting")
    done = BooleanField("Done")
    marking = FormField(MarkingForm)


class ActionEditForm(VersionedForm, ActionItemForm):
    """The action item form for an existing item, with the version it was loaded from."""
