"""Forms for negotiating texts: a text, a revision (start, issue), a provision with its
passages and brackets, cleaning a bracket, and our side's internal notes."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)

from tracker.markings.forms import MarkingForm
from tracker.models import TextKind
from tracker.models import text_document as doc
from tracker.texts.services import (
    MAX_ALTERNATIVES,
    MAX_HEADING,
    MAX_LABEL,
    MAX_NOTES,
    MAX_SEGMENTS,
    MAX_WORDING,
)
from tracker.web.conflicts import VersionedForm
from tracker.web.forms import IdSelectField, RowList, TrackerForm, optional_id

TEXT, BRACKET = "text", "bracket"
MAX_STANCES = 50


def _choices(enum) -> list[SelectChoice]:
    return [SelectChoice(member.value, member.label) for member in enum]


class TextForm(TrackerForm):
    title = StringField(
        "Title",
        validators=[DataRequired("Give the text a title."), Length(max=200)],
        description="E.g. “Main text” or “Annex A: logistics”.",
    )
    kind = SelectField("Kind", choices=_choices(TextKind), default=TextKind.MAIN.value)
    first_label = StringField(
        "Label of its first draft",
        default="Draft 1",
        validators=[DataRequired("Give the first draft a label."), Length(max=100)],
    )
    marking = FormField(MarkingForm)


class StartRevisionForm(TrackerForm):
    label = StringField(
        "Label",
        validators=[DataRequired("Give the revision a label, such as Rev.2."), Length(max=100)],
        description="Such as Rev.2 or “India’s counter-draft”.",
    )
    based_on = IdSelectField(
        "Based on", description="The new draft starts as a copy of it; none: an empty draft."
    )
    marking = FormField(MarkingForm)


class IssueForm(VersionedForm, TrackerForm):
    issued_on = DateField("Issued on", validators=[InputRequired("Give the date it was issued.")])
    issued_by = SelectField(
        "Issued by",
        choices=[
            SelectChoice(doc.IssuedBy.JOINT.value, "The parties jointly"),
            SelectChoice(doc.IssuedBy.CHAIR.value, "The chair"),
            SelectChoice(doc.IssuedBy.PARTY.value, "One party (choose it below)"),
        ],
        default=doc.IssuedBy.JOINT.value,
    )
    issuing_party_id = IdSelectField("Issuing party")
    meeting_id = IdSelectField("Round or meeting it came from")


def _key(value) -> int | None:
    """A hidden proposal or provision key; anything but a record id is refused."""
    try:
        return optional_id(value)
    except ValueError:
        raise ValidationError("This form was changed: reload the page.") from None


class AlternativeForm(Form):
    key = HiddenField()
    label = StringField(
        "Label", validators=[Length(max=MAX_LABEL)], description="E.g. Option 1; may be left empty."
    )
    wording = TextAreaField(
        "Wording",
        validators=[Length(max=MAX_WORDING)],
        description="Leave it empty to propose deleting the bracketed passage.",
        render_kw={"rows": 2},
    )
    proposed_by = SelectMultipleField("Proposed by", render_kw={"size": 3})
    supported_by = SelectMultipleField("Supported by", render_kw={"size": 3})
    opposed_by = SelectMultipleField("Opposed by", render_kw={"size": 3})
    # Its revision's unless marked higher (a fallback wording only some may read).
    marking = FormField(MarkingForm)
    remove = BooleanField("Remove this alternative")

    def _few(self, field):
        # No more parties than there can be on one agreement's stance lists.
        if len(field.data or ()) > MAX_STANCES:
            raise ValidationError(f"Choose at most {MAX_STANCES} parties.")

    validate_proposed_by = validate_supported_by = validate_opposed_by = _few

    def validate_key(self, field):
        _key(field.data)


class SegmentForm(Form):
    kind = SelectField(
        "This part is",
        choices=[SelectChoice(TEXT, "Agreed text"), SelectChoice(BRACKET, "A bracket")],
        default=TEXT,
    )
    text = TextAreaField("Agreed text", validators=[Length(max=MAX_WORDING)], render_kw={"rows": 3})
    won = HiddenField()
    alternatives = RowList(
        FormField(AlternativeForm),
        max_entries=MAX_ALTERNATIVES,
        too_many=f"A bracket can hold at most {MAX_ALTERNATIVES} alternatives.",
    )
    add_alternative = SubmitField("Add an alternative")
    remove = BooleanField("Remove this part")

    def validate_won(self, field):
        _key(field.data)

    def validate_kind(self, field):
        if field.data == BRACKET and not self.remove.data:
            kept = [a for a in self.alternatives if not a.remove.data]
            if not kept:
                raise ValidationError("A bracket needs at least one alternative.")


class NoteForm(Form):
    kind = SelectField(
        "Kind",
        choices=[
            SelectChoice(doc.NoteKind.FOOTNOTE.value, "Footnote"),
            SelectChoice(doc.NoteKind.RESERVATION.value, "Reservation"),
        ],
    )
    party = SelectField("Party (for a reservation)", validate_choice=True)
    body = TextAreaField("Note", validators=[Length(max=MAX_WORDING)], render_kw={"rows": 2})
    remove = BooleanField("Remove this note")


class ProvisionForm(TrackerForm):
    label = StringField(
        "Number",
        validators=[DataRequired("Give the provision its number."), Length(max=MAX_LABEL)],
        description="As it reads in this revision: Article 5, Article 5(2), PP3bis.",
    )
    heading = StringField("Heading", validators=[Length(max=MAX_HEADING)])
    kind = SelectField("Kind", choices=_choices(doc.ProvisionKind), default="article")
    depth = IntegerField(
        "Level",
        default=0,
        validators=[
            InputRequired("Give its level: 0 to 3."),
            NumberRange(0, 3, "A provision's level is 0 to 3."),
        ],
        description="0 for an article or preamble paragraph, 1 for its paragraphs, and so on.",
    )
    status = SelectField("Status", choices=_choices(doc.ProvisionStatus), default="open")
    segments = RowList(
        FormField(SegmentForm),
        max_entries=MAX_SEGMENTS,
        too_many=f"A provision can have at most {MAX_SEGMENTS} parts.",
    )
    notes = RowList(
        FormField(NoteForm),
        max_entries=MAX_NOTES,
        too_many=f"A provision can have at most {MAX_NOTES} notes.",
    )
    add_passage = SubmitField("Add a passage of agreed text")
    add_bracket = SubmitField("Add a bracket")
    add_note = SubmitField("Add a footnote or reservation")

    def set_parties(self, parties: list[tuple[str, str]]) -> None:
        """The agreement's parties (code, label) for every stance and reservation."""
        choices = [SelectChoice(code, label) for code, label in parties]
        for segment in self.segments:
            for alternative in segment.form.alternatives:
                for name in ("proposed_by", "supported_by", "opposed_by"):
                    getattr(alternative.form, name).choices = choices
        for note in self.notes:
            note.form.party.choices = [SelectChoice("", "—"), *choices]

    def added_row(self) -> bool:
        """Add the row a button asked for; whether one was (then the form is drawn again)."""
        if self.add_passage.data:
            self.segments.append_entry({"kind": TEXT})
            return True
        if self.add_bracket.data:
            entry = self.segments.append_entry({"kind": BRACKET})
            entry.form.alternatives.append_entry()
            entry.form.alternatives.append_entry()
            return True
        if self.add_note.data:
            self.notes.append_entry()
            return True
        for segment in self.segments:
            if segment.form.add_alternative.data:
                segment.form.kind.data = BRACKET
                segment.form.alternatives.append_entry()
                return True
        return False


class ProvisionEditForm(VersionedForm, ProvisionForm):
    """The provision form for one already in the draft, with the version it was loaded from."""


class CleanBracketForm(VersionedForm, TrackerForm):
    proposal_id = RadioField(
        "The alternative the parties agreed",
        coerce=optional_id,
        validators=[InputRequired("Choose the alternative that was agreed.")],
    )


class InternalNoteForm(TrackerForm):
    kind = SelectField(
        "Kind", choices=_choices(doc.InternalKind), default=doc.InternalKind.NOTE.value
    )
    body = TextAreaField(
        "Note",
        validators=[DataRequired("Write the note."), Length(max=MAX_WORDING)],
        render_kw={"rows": 4},
    )
    provision_id = IdSelectField("About the provision", description="None: the text as a whole.")
    marking = FormField(MarkingForm)


class MoveForm(TrackerForm):
    direction = SelectField(
        "Move", choices=[SelectChoice("up", "Up"), SelectChoice("down", "Down")]
    )


class ImportForm(TrackerForm):
    """A Word file to read as the text's next draft, shown for review before it is saved."""

    file = FileField(
        "Word file (.docx)",
        validators=[
            FileRequired("Choose the Word file of the draft."),
            FileAllowed(
                ["docx"], "Choose a Word file (.docx); an old .doc must be saved as .docx."
            ),
        ],
        description="At most 2 MB. Lines such as “Article 5” or “PP3” start provisions; "
        "square brackets become brackets, alternatives labelled “Option 1 (JPN):” or split "
        "by “ / ”.",
    )
    label = StringField(
        "Label of the new draft",
        validators=[DataRequired("Give the new draft a label, such as Rev.2."), Length(max=100)],
    )


class SaveImportForm(TrackerForm):
    """The reviewed import: the document as read, signed so that it comes back unchanged."""

    document = HiddenField(validators=[DataRequired()])
    label = HiddenField(validators=[DataRequired(), Length(max=100)])
