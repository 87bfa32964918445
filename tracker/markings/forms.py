"""The marking sub-form every marked record's form uses (``marking = FormField(MarkingForm)``):
a level, REL TO parties by ISO code, caveats, a declassify-on date with the level it goes
down to, and the reason for a downgrade, shown when one is needed."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from wtforms import (
    DateField,
    Form,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Length, Optional, ValidationError

from tracker.data import markings
from tracker.data.cache import remember
from tracker.extensions import db
from tracker.markings.services import MAX_REASON, MarkingChoice, from_parts
from tracker.models import MarkingValue, Party
from tracker.web.forms import NONE_CHOSEN, QuickSelect, optional_id
from tracker.web.markings import describe


class CheckboxList(SelectMultipleField):
    """A multiple choice drawn as a list of checkboxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class MarkingForm(Form):
    """A record's marking; give it its choices and default with :func:`prepare`."""

    level = SelectField(
        "Classification", coerce=optional_id, validate_choice=False, widget=QuickSelect()
    )
    rel_to = SelectMultipleField(
        "Releasable to (REL TO)",
        coerce=int,
        description="Only readers of these parties may see it; none chosen: no release list.",
        render_kw={"size": 6},
        widget=QuickSelect(multiple=True),
    )
    caveats = CheckboxList("Caveats", description="Each reader must hold every one ticked.")

    def validate_rel_to(self, field):
        if len(field.data or ()) > len(field.choices or ()):
            raise ValidationError("Choose each party at most once.")

    def validate_caveats(self, field):
        if len(field.data or ()) > len(field.choices or ()):
            raise ValidationError("Choose each caveat at most once.")

    declassify_on = DateField("Declassify on", validators=[Optional()])
    downgrade_to = SelectField(
        "Then downgraded to",
        coerce=optional_id,
        validate_choice=False,
        default=None,
        widget=QuickSelect(),
    )
    downgrade_reason = TextAreaField(
        "Reason for the downgrade",
        validators=[Length(max=MAX_REASON)],
        description="Needed to mark it lower than what it belongs to, or than it was; "
        "recorded in the audit trail with your name.",
        render_kw={"rows": 2},
    )

    # The marking the form was shown with (set by prepare()).
    shown: MarkingValue | None = None

    def choice(self) -> MarkingChoice | None:
        """The marking asked for; None when the form carries no level or was left as it was
        shown, so the record keeps its marking, or a new one takes what it belongs to's
        (which the same form may have raised)."""
        if self.level.data is None:
            return None
        value = from_parts(
            self.level.data,
            self.rel_to.data or (),
            self.caveats.data or (),
            self.declassify_on.data,
            self.downgrade_to.data,
        )
        reason = (self.downgrade_reason.data or "").strip()
        if value == self.shown and not reason:
            return None
        return MarkingChoice(value, reason)

    @property
    def summary(self) -> str:
        """The marking it was shown with, as banners write it."""
        return describe(self.shown or MarkingValue())

    @property
    def wants_reason(self) -> bool:
        """Whether to show the reason field: a downgrade was refused, or one is given."""
        return bool(self.errors) or bool((self.downgrade_reason.data or "").strip())


def _parties(where) -> tuple[SelectChoice, ...]:
    rows = db.session.execute(
        sa.select(Party.id, Party.code, Party.name)
        .where(where)
        .order_by(sa.func.coalesce(Party.code, Party.name), Party.id)
    )
    return tuple(
        SelectChoice(id_, f"{code} — {name}" if code else name) for id_, code, name in rows
    )


def _party_choices(kept: frozenset[int]) -> Sequence[SelectChoice]:
    """The parties a release list may name: those not archived, read once for each state
    of the data (every marked record's form shows them), and any archived one ``kept``
    names already."""
    active = remember("REL TO party choices", lambda: _parties(Party.archived_at.is_(None)))
    if kept <= {choice.value for choice in active}:
        return active
    return _parties(sa.or_(Party.archived_at.is_(None), Party.id.in_(kept)))


def prepare(field, default: MarkingValue) -> None:
    """Fill the marking sub-form ``field``'s choices; unless a marking was submitted, show
    ``default`` (the record's own, or for a new record what it belongs to's)."""
    form: MarkingForm = field.form
    levels = markings.levels()
    form.level.choices = [SelectChoice(rank, name) for rank, name in enumerate(levels)]
    form.downgrade_to.choices = [NONE_CHOSEN] + [
        SelectChoice(rank, name) for rank, name in enumerate(levels)
    ]
    form.caveats.choices = [SelectChoice(name, name) for name in markings.caveats()]
    form.rel_to.choices = _party_choices(default.release_to)
    form.shown = default
    if getattr(form.level, "raw_data", None):
        return
    form.level.data = default.level
    form.rel_to.data = sorted(default.release_to)
    form.caveats.data = sorted(default.caveats)
    form.declassify_on.data = default.declassify_on
    form.downgrade_to.data = default.downgrade_to
