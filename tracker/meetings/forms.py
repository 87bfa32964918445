"""The meeting form: a local date and time in a named zone, participants and agenda rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

from wtforms import (
    DateField,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import TextInput

from tracker.markings.forms import MarkingForm
from tracker.meetings.services import MAX_AGENDA, MAX_PARTICIPANTS, timezone_names
from tracker.models import MeetingLevel
from tracker.web.conflicts import VersionedForm
from tracker.web.forms import (
    IdSelectField,
    QuickSelect,
    RowList,
    SharedChoices,
    TrackerForm,
    optional_id,
)

# Offered first: the zones the ministry's meetings are usually held in.
COMMON_TIMEZONES = ("Asia/Kolkata", "Asia/Tokyo", "Asia/Vientiane", "UTC")
BLANK_ROWS = 3
# Meeting days the form accepts: far enough from the ends of Python's calendar (years 1 and
# 9999) that moving a time between zones cannot fall off it.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


@cache
def timezone_choices() -> tuple[SelectChoice, ...]:
    """Common zones first, then every other IANA zone name alphabetically; made once."""
    common = [name for name in COMMON_TIMEZONES if name in timezone_names()]
    rest = sorted(timezone_names() - set(common))
    return tuple(SelectChoice(name, name.replace("_", " ")) for name in common + rest)


def plausible_day(form, field) -> None:
    if field.data is not None and not EARLIEST_DAY <= field.data <= LATEST_DAY:
        raise ValidationError(f"Enter a date between {EARLIEST_DAY.year} and {LATEST_DAY.year}.")


def to_utc(day: date, clock: time, zone: str) -> datetime:
    """A wall-clock time in ``zone`` as an aware UTC datetime."""
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone)).astimezone(UTC)


class AgreementField(IdSelectField):
    """A select of agreements; when there are too many to list (see :meth:`type_in`), a
    text box that takes an agreement's short name or its number (#12) instead."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.typed = False
        self.text = ""
        self.lookup: Callable[[str], int | None] | None = None
        self.names: dict[int, str] = {}

    def type_in(self, lookup: Callable[[str], int | None], names: dict[int, str]) -> None:
        """Take the agreement as typed: ``lookup`` finds its id from a short name or number
        (None if there is no such agreement to choose); ``names`` shows chosen ids."""
        self.typed, self.lookup, self.names = True, lookup, names
        self.widget = TextInput()
        self.render_kw = {"placeholder": "Short name or number, e.g. RPSS or #12"}

    def process_formdata(self, valuelist):
        self.text = valuelist[0].strip() if valuelist else ""
        try:
            self.data = optional_id(self.text.removeprefix("#"))
        except ValueError:
            self.data = None  # a short name: looked up, or refused, when validating

    def pre_validate(self, form):
        if not self.typed:
            if self.text and self.data is None:
                raise ValidationError(self.gettext("Not a valid choice."))
            super().pre_validate(form)
            return
        if not self.text:
            return
        self.data = self.lookup(self.text)
        if self.data is None:
            raise ValidationError(
                f"No agreement to choose has the short name or number “{self.text[:40]}”. "
                "Type its short name as on its page, or its number with # (#12)."
            )

    def _value(self):
        if self.text or self.data is None:
            return self.text
        return self.names.get(self.data, f"#{self.data}")


class AgendaRowForm(Form):
    """One agreement discussed at the meeting and what came out of it."""

    agreement_id = AgreementField("Agreement", widget=SharedChoices("agreement-choices"))
    outcome = TextAreaField("Outcome", validators=[Length(max=20_000)], render_kw={"rows": 2})


class MeetingForm(TrackerForm):
    title = StringField(
        "Title", validators=[DataRequired(message="Enter a title."), Length(max=300)]
    )
    start_date = DateField(
        "Date",
        validators=[InputRequired(message="Enter the date of the meeting."), plausible_day],
    )
    start_time = TimeField(
        "Local time", validators=[InputRequired(message="Enter the local start time.")]
    )
    timezone = SelectField(
        "Timezone",
        widget=QuickSelect(),
        validate_choice=False,  # checked in validate_timezone with a clearer message
        description="The zone of the place the meeting is held; times are shown in it.",
    )
    end_date = DateField("End date", validators=[Optional(), plausible_day])
    end_time = TimeField("End time (local)", validators=[Optional()])
    city = StringField("City", validators=[Length(max=120)])
    country = StringField("Country", validators=[Length(max=120)])
    setting = StringField(
        "Setting",
        validators=[Length(max=300)],
        description="For example: on the sidelines of the ADMM-Plus, or by video link.",
    )
    level = SelectField(
        "Level", choices=[SelectChoice(level.value, level.label) for level in MeetingLevel]
    )
    summary = TextAreaField("Summary and minutes", render_kw={"rows": 6})
    parent_id = IdSelectField(
        "Held during",
        description="The larger gathering, if any.",
        invalid_value_message="Invalid Choice: could not coerce.",
    )
    marking = FormField(MarkingForm)
    participant_ids = SelectMultipleField(
        "Participants", coerce=int, render_kw={"size": 10}, widget=QuickSelect(multiple=True)
    )
    agenda = RowList(
        FormField(AgendaRowForm),
        label="Agreements discussed",
        max_entries=MAX_AGENDA,
        too_many=f"A meeting lists at most {MAX_AGENDA} agreements discussed.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()

    def starts_at(self) -> datetime:
        return to_utc(self.start_date.data, self.start_time.data, self.timezone.data)

    def ends_at(self) -> datetime | None:
        """The end in UTC; an end time alone means the same day as the start."""
        if self.end_time.data is None:
            return None
        day = self.end_date.data or self.start_date.data
        return to_utc(day, self.end_time.data, self.timezone.data)

    def agenda_rows(self) -> list[tuple[int, str]]:
        """(agreement id, outcome) for each filled-in row; blank rows are ignored."""
        return [
            (row.agreement_id.data, (row.outcome.data or "").strip())
            for row in self.agenda
            if row.agreement_id.data is not None
        ]

    def validate_participant_ids(self, field):
        if len(field.data or ()) > MAX_PARTICIPANTS:
            field.data = field.data[:MAX_PARTICIPANTS]  # drawn again at a bounded cost
            raise ValidationError(f"Choose at most {MAX_PARTICIPANTS} participants.")

    def validate_timezone(self, field):
        if field.data not in timezone_names():
            raise ValidationError("Choose a timezone from the list.")

    def validate_end_date(self, field):
        if field.data is not None and self.end_time.data is None:
            raise ValidationError("Give the end time as well, or leave the end date empty.")

    def validate_end_time(self, field):
        if (
            field.data is None
            or self.start_date.errors
            or self.end_date.errors
            or self.start_date.data is None
            or self.start_time.data is None
            or self.timezone.data not in timezone_names()
        ):
            return
        if self.ends_at() < self.starts_at():
            raise ValidationError("The meeting cannot end before it starts.")

    def validate_agenda(self, field):
        seen: set[int] = set()
        duplicate = False
        for row in field:
            agreement_id = row.agreement_id.data
            if agreement_id is None:
                continue
            if agreement_id in seen:
                row.agreement_id.errors.append("This agreement is already listed above.")
                duplicate = True
            seen.add(agreement_id)
        if duplicate:
            raise ValidationError("List each agreement once, with all its outcomes in one note.")


class MeetingEditForm(VersionedForm, MeetingForm):
    """The meeting form for an existing meeting, with the version it was loaded from."""
