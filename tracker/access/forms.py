"""Forms of the groups pages and an agreement's access list."""

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, ValidationError

from tracker.accounts.users.forms import CheckboxesField
from tracker.web.conflicts import VersionedForm
from tracker.web.forms import IdSelectField, TrackerForm

MAX_MEMBERS = 1000


class GroupForm(TrackerForm):
    name = StringField(
        "Name",
        validators=[DataRequired(message="Enter the group's name."), Length(max=120)],
        description="A desk or a delegation, e.g. “East Asia desk”.",
    )
    description = TextAreaField("Description", validators=[Length(max=300)])
    members = CheckboxesField("Members", coerce=int)

    def validate_members(self, field):
        """No more members at once than a form could list: the choices are every user."""
        if len(field.data or ()) > MAX_MEMBERS:
            raise ValidationError(f"A group has at most {MAX_MEMBERS} members.")


class GroupEditForm(VersionedForm, GroupForm):
    """A group's name, description and members, from the version it was loaded at."""


class AddToListForm(TrackerForm):
    """A user or a group to put on an agreement's access list (one of them)."""

    user = IdSelectField("User")
    group = IdSelectField("Group")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if (self.user.data is None) == (self.group.data is None):
            self.form_errors.append("Choose a user or a group (one of them).")
            return False
        return True


class NeedToKnowForm(TrackerForm):
    """Switch an agreement's need-to-know on or off."""

    need_to_know = HiddenField(validators=[AnyOf(["on", "off"], message="Choose on or off.")])
