"""The report's own form: which day the report describes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import Optional, ValidationError

from tracker.models import clock


class AsOfForm(FlaskForm):
    """Read from the query string; a GET form changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    as_of = DateField(
        "As of",
        validators=[Optional()],
        description="Leave empty for today. The report shows what was recorded by then.",
    )

    def validate_as_of(self, field: DateField) -> None:
        if field.data and field.data > clock.today():
            raise ValidationError("The report can only describe today or a day in the past.")
