"""The action item form."""

from __future__ import annotations

from wtforms import BooleanField, DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from tracker.points.forms import ConfirmForm, optional_id
from tracker.web.conflicts import VersionedForm
from tracker.web.forms import TrackerForm

__all__ = ["ActionEditForm", "ActionItemForm", "ConfirmForm"]


class ActionItemForm(TrackerForm):
    description = TextAreaField(
        "What has to be done",
        validators=[DataRequired("Describe what has to be done."), Length(max=500)],
        render_kw={"rows": 2},
    )
    owner_id = SelectField("Owner", coerce=optional_id)
    due_on = DateField("Due", validators=[Optional()])
    meeting_id = SelectField("Agreed at meeting", coerce=optional_id)
    done = BooleanField("Done")


class ActionEditForm(VersionedForm, ActionItemForm):
    """The action item form for an existing item, with the version it was loaded from."""
