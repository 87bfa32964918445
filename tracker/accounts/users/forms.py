"""Forms for managing staff accounts."""

from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.accounts.forms import new_password_fields
from tracker.models import Role
from tracker.web.conflicts import VersionedForm
from tracker.web.forms import IdSelectField, TrackerForm

ROLE_CHOICES = [
    SelectChoice(Role.VIEWER.value, "Viewer: reads and reports"),
    SelectChoice(Role.EDITOR.value, "Editor: creates and edits records"),
    SelectChoice(Role.ADMIN.value, "Admin: manages users, groups and records"),
]


def role_field():
    return SelectField("Role", choices=ROLE_CHOICES, default=Role.VIEWER.value)


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (a macro in templates/accounts/users draws them)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ClearanceFields:
    """What a user may read: the view fills the choices (levels, parties, caveats)."""

    clearance = SelectField(
        "Clearance",
        coerce=int,
        default=0,
        description="The highest level of record they may read.",
    )
    party = IdSelectField(
        "Nationality or organisation",
        description="Records released to named parties (REL TO) reach them only if their "
        "party is named.",
    )
    caveats = CheckboxesField("Caveats held", description="Each caveat on a record must be held.")

    def validate_caveats(self, field):
        if len(field.data or ()) > len(field.choices or ()):
            raise ValidationError("Choose each caveat at most once.")

    security_officer = BooleanField(
        "Security officer: reads and exports the access log (no reading rights of its own)"
    )


class UserCreateForm(ClearanceFields, TrackerForm):
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


class ClearanceForm(ClearanceFields, VersionedForm, TrackerForm):
    """A user's clearance, party, caveats and security-officer flag."""


class PasswordResetForm(TrackerForm):
    new_password, confirm_password = new_password_fields()
