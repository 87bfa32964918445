"""Forms for logging in, changing one's own password and making API tokens."""

from wtforms import BooleanField, DateField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from tracker.accounts.services import MIN_PASSWORD_LENGTH
from tracker.accounts.tokens import MAX_NAME_LENGTH
from tracker.web.forms import TrackerForm, clean_text

NEW_PASSWORD_HELP = f"At least {MIN_PASSWORD_LENGTH} characters; a few words make a good one."


def new_password_fields(label: str = "New password"):
    """A new password typed twice, as a pair of fields."""
    password = PasswordField(
        label,
        validators=[DataRequired(message="Enter the new password."), Length(max=1024)],
        description=NEW_PASSWORD_HELP,
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired(message="Type the new password again."),
            EqualTo("new_password", message="The two new passwords differ."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class LoginForm(TrackerForm):
    username = StringField(
        "Username",
        validators=[DataRequired(message="Enter your username."), Length(max=80)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(message="Enter your password."), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordChangeForm(TrackerForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(message="Enter your current password."), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password, confirm_password = new_password_fields()


class TokenForm(TrackerForm):
    name = StringField(
        "Name",
        filters=[clean_text],
        validators=[
            DataRequired(message="Give the token a name, such as the program that will use it."),
            Length(max=MAX_NAME_LENGTH),
        ],
        description="What will use it, so you know which token to revoke: “Weekly brief script”.",
        render_kw={"autocomplete": "off"},
    )
    read_only = BooleanField(
        "Read-only",
        description="It may read whatever you may read, and change nothing.",
    )
    expires_on = DateField(
        "Expires",
        validators=[Optional()],
        description="Optional: it stops working at the end of this day. Leave empty for none.",
    )
