"""Forms for managing staff accounts."""

from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from tracker.accounts.forms import new_password_fields
from tracker.models import Role
from tracker.web.conflicts import VersionedForm
from tracker.web.forms import TrackerForm

ROLE_CHOICES = [
    SelectChoice(Role.VIEWER.value, "Viewer: reads everything"),
    SelectChoice(Role.EDITOR.value, "Editor: creates and edits records"),
    SelectChoice(Role.ADMIN.value, "Admin: everything, and manages users"),
]


def role_field():
    return SelectField("Role", choices=ROLE_CHOICES, default=Role.VIEWER.value)


class UserCreateForm(TrackerForm):
    username = StringField(
        "Username",
        validators=[DataRequired(message="Enter a username."), Length(max=80)],
        description="Letters, digits, dots, dashes and underscores; stored in lower case.",
        render_kw={"autocomplete": "off"},
    )
    display_name = StringField(
        "Display name", validators=[Length(max=120)], render_kw={"autocomplete": "off"}
    )
    role = role_field()
    new_password, confirm_password = new_password_fields("Initial password")


class RoleForm(VersionedForm, TrackerForm):
    role = role_field()


class PasswordResetForm(TrackerForm):
    new_password, confirm_password = new_password_fields()
