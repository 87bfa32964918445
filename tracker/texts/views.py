"""Negotiating text pages: a text and its revisions, a revision's consolidated view, and the
forms that change a draft (a provision at a time, cleaning a bracket) and our side's notes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup, escape
from wtforms import SelectChoice

from tracker.agreements import queries as agreement_queries
from tracker.data import database
from tracker.data import markings as markings_data
from tracker.extensions import db
from tracker.markings import forms as marking_forms
from tracker.markings import services as marking_services
from tracker.models import Revision, Role, RuleError, TextKind, clock
from tracker.models import text_document as doc
from tracker.points import queries as point_queries
from tracker.render import text_chart, text_docx, text_pdf
from tracker.render.dates import format_date
from tracker.texts import compare, docx_import, importing, progress, queries, services
from tracker.texts.forms import (
    BRACKET,
    TEXT,
    CleanBracketForm,
    ImportForm,
    InternalNoteForm,
    IssueForm,
    ProvisionEditForm,
    ProvisionForm,
    SaveImportForm,
    StartRevisionForm,
    TextForm,
)
from tracker.web.auth import role_required
from tracker.web.editing import Edit, field_at
from tracker.web.forms import NONE_CHOSEN, ConfirmForm
from tracker.web.outgoing import mark
from tracker.web.records import or_404

bp = Blueprint("texts", __name__)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The consolidated view's filters (?show=...).
SHOWS = {"all": "Every provision", "open": "Open provisions only", "agreed": "Agreed text only"}


def _shown(provision: doc.Provision, show: str) -> bool:
    if show == "open":
        return provision.status in (doc.ProvisionStatus.NOT_DISCUSSED, doc.ProvisionStatus.OPEN)
    if show == "agreed":
        return provision.status.is_agreed
    return True


# -- A text -----------------------------------------------------------------------------


@bp.route("/agreements/<int:agreement_id>/texts/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def create(agreement_id: int):
    agreement = or_404(agreement_queries.agreement_for_page(agreement_id, agenda=False))
    form = TextForm()
    marking_forms.prepare(form.marking, marking_services.value_of(agreement))
    edit = Edit(form)
    if edit.save(
        lambda: services.create_text(
            agreement,
            title=form.title.data,
            kind=TextKind(form.kind.data),
            first_label=form.first_label.data,
            marking=form.marking.choice(),
        )
    ):
        flash(f"Text “{edit.result.title}” created with an empty draft.", "success")
        return redirect(url_for(".detail", text_id=edit.result.id))
    return edit.render("texts/text_form.html", agreement=agreement)


@bp.route("/texts/<int:text_id>")
def detail(text_id: int):
    text = or_404(queries.get_text(text_id))
    if "on" in request.args:
        return _as_of(text)
    draft = services.draft_of(text)
    points = queries.burn_down(text)
    return render_template(
        "texts/detail.html",
        text=text,
        draft=draft,
        burn_down={
            "chart": Markup(text_chart.burn_down_chart(points)),  # noqa: S704  (escaped SVG)
            "table": text_chart.burn_down_table(points),
        }
        if points
        else None,
        notes=queries.internal_notes_of(text),
        labels=_provision_labels(text),
        delete_form=ConfirmForm(),
        today=clock.today(),
    )


def _as_of(text):
    """The consolidated view of the revision that stood on ?on=YYYY-MM-DD."""
    raw = request.args.get("on", "")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        flash("Give the date as YYYY-MM-DD.", "error")
        return redirect(url_for(".detail", text_id=text.id))
    revision = queries.revision_on(text, day)
    if revision is None:
        flash(f"No revision of {text.title} had been issued by {format_date(day)}.", "info")
        return redirect(url_for(".detail", text_id=text.id))
    return _consolidated(revision, as_of=day)


def _provision_labels(text) -> dict[int, str]:
    """Each provision's number in the text's latest revision, for internal notes."""
    if not text.revisions:
        return {}
    return {row.provision_id: row.label for row in queries.provision_rows(text.revisions[-1])}


# -- Revisions --------------------------------------------------------------------------


@bp.route("/texts/<int:text_id>/revisions/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def start(text_id: int):
    text = or_404(queries.get_text(text_id))
    form = StartRevisionForm()
    form.based_on.choices = [
        NONE_CHOSEN,
        *(SelectChoice(r.id, r.label) for r in reversed(text.revisions)),
    ]
    issued = [r for r in text.revisions if r.is_issued]
    if request.method == "GET" and issued:
        form.based_on.data = issued[-1].id
    based_on = next((r for r in text.revisions if r.id == form.based_on.data), None)
    marking_forms.prepare(form.marking, marking_services.value_of(based_on or text))
    edit = Edit(form, fields={"based_on_id": "based_on"})
    if edit.save(
        lambda: services.start_revision(
            text,
            label=form.label.data,
            based_on=based_on,
            marking=form.marking.choice(),
        )
    ):
        flash(f"Draft {edit.result.label} started.", "success")
        return redirect(url_for(".revision", revision_id=edit.result.id))
    return edit.render("texts/start.html", text=text)


@bp.route("/texts/revisions/<int:revision_id>")
def revision(revision_id: int):
    revision = or_404(queries.get_revision(revision_id))
    return _consolidated(revision)


def _consolidated(revision: Revision, as_of: date | None = None) -> str:
    show = request.args.get("show", "all")
    if show not in SHOWS:
        show = "all"
    staff_notes = True  # every logged-in user is our side's staff
    value = queries.document(revision, internal=staff_notes)
    provisions = [p for p in value.provisions if _shown(p, show)]
    editable = not revision.is_issued and current_user.can(Role.EDITOR)
    # The rows the edit buttons go to: a draft's, for an editor.
    rows = {r.provision_id: r for r in queries.provision_rows(revision)} if editable else {}
    points = point_queries.points_concerning([p.key for p in provisions])
    return render_template(
        "texts/revision.html",
        revision=revision,
        text=revision.text,
        document=value,
        provisions=provisions,
        rows=rows,
        points=points,
        show=show,
        shows=SHOWS,
        statuses=list(doc.ProvisionStatus),
        as_of=as_of,
        editable=editable,
    )


def _frozen(revision: Revision):
    """A form for a revision that was issued meanwhile: say so instead."""
    return render_template("texts/frozen.html", revision=revision, text=revision.text)


def _prepare_issue(form: IssueForm, revision: Revision) -> None:
    parties = queries.agreement_parties(revision.agreement_id)
    ids = services.Parties.load()
    form.issuing_party_id.choices = [
        NONE_CHOSEN,
        *(SelectChoice(ids.id_of(code, "issuing_party_id"), label) for code, label in parties),
    ]
    meetings = agreement_queries.meetings_of(revision.agreement_id)
    form.meeting_id.choices = [
        NONE_CHOSEN,
        *(SelectChoice(m.id, f"{format_date(m.local_starts_at)} · {m.title}") for m in meetings),
    ]


@bp.route("/texts/revisions/<int:revision_id>/issue", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def issue(revision_id: int):
    revision = or_404(queries.get_revision(revision_id))
    if revision.is_issued:
        return _frozen(revision)
    form = IssueForm(obj=revision if request.method == "GET" else None)
    if request.method == "GET" and form.issued_on.data is None:
        form.issued_on.data = clock.today()
    _prepare_issue(form, revision)
    edit = Edit(form, revision)
    if edit.save(
        lambda: services.issue(
            revision,
            services.Issue(
                issued_by=doc.IssuedBy(form.issued_by.data),
                issuing_party_id=form.issuing_party_id.data,
                issued_on=form.issued_on.data,
                meeting_id=form.meeting_id.data,
            ),
        )
    ):
        flash(f"{revision.label} issued: it is frozen now.", "success")
        return redirect(url_for(".revision", revision_id=revision.id))
    return edit.render("texts/issue.html", revision=revision, text=revision.text)


@bp.route("/texts/revisions/<int:revision_id>/delete", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def delete_draft(revision_id: int):
    revision = or_404(queries.get_revision(revision_id))
    if revision.is_issued:
        return _frozen(revision)
    text, label = revision.text, revision.label
    form = ConfirmForm()
    if Edit(form).save(lambda: services.delete_draft(revision)):
        flash(f"Draft {label} deleted.", "success")
        return redirect(url_for(".detail", text_id=text.id))
    return render_template("texts/delete.html", revision=revision, text=text, form=form)


# -- Provisions -------------------------------------------------------------------------


def _fill(form: ProvisionForm, value: doc.Provision) -> None:
    """Load ``value`` into a fresh (GET) form."""
    form.label.data = value.label
    form.heading.data = value.heading
    form.kind.data = value.kind.value
    form.depth.data = value.depth
    form.status.data = value.status.value
    for segment in value.segments:
        entry = form.segments.append_entry(
            {
                "kind": BRACKET if segment.is_bracket else TEXT,
                "text": segment.text,
                "won": "" if segment.won is None else str(segment.won),
            }
        )
        for alternative in segment.alternatives:
            entry.form.alternatives.append_entry(
                {
                    "key": str(alternative.key),
                    "label": alternative.label,
                    "wording": alternative.wording,
                    "proposed_by": list(alternative.proposed_by),
                    "supported_by": list(alternative.supported_by),
                    "opposed_by": list(alternative.opposed_by),
                }
            )
    for note in value.notes:
        form.notes.append_entry({"kind": note.kind.value, "party": note.party, "body": note.body})
    if not value.segments:
        form.segments.append_entry({"kind": TEXT})


def _number(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


class _Places:
    """Where each part of the plain value came from in the form, for the service's errors,
    and the markings asked for its alternatives, by the same places."""

    def __init__(self) -> None:
        self.segments: list = []
        self.alternatives: dict[tuple[int, int], object] = {}
        self.notes: list = []
        self.markings: services.AlternativeMarkings = {}


def _prepare_markings(form: ProvisionForm, revision: Revision) -> None:
    """Each alternative's marking sub-form: shown with its marking, or for a new one its
    revision's (which it takes if left as shown)."""
    own = queries.alternative_markings(revision.id)
    default = marking_services.value_of(revision)
    for segment in form.segments:
        for option in segment.form.alternatives:
            key = _number(option.form.key.data)
            marking_id = own.get(key) if key is not None else None
            value = (
                markings_data.value_of(db.session, marking_id)
                if marking_id is not None
                else default
            )
            marking_forms.prepare(option.form.marking, value)


def _value(form: ProvisionForm, current: doc.Provision | None) -> tuple[doc.Provision, _Places]:
    """The provision the form describes; notes on alternatives (not edited here) are kept."""
    kept_notes = (
        {a.key: a.notes for _s in current.segments for a in _s.alternatives} if current else {}
    )
    places = _Places()
    segments = []
    for entry in form.segments:
        part = entry.form
        if part.remove.data:
            continue
        if part.kind.data == BRACKET:
            alternatives = []
            for option_entry in part.alternatives:
                option = option_entry.form
                if option.remove.data:
                    continue
                key = _number(option.key.data)
                place = (len(segments), len(alternatives))
                places.alternatives[place] = option
                chosen = option.marking.choice()
                if chosen is not None:
                    places.markings[place] = chosen
                alternatives.append(
                    doc.Alternative(
                        wording=option.wording.data or "",
                        proposed_by=tuple(option.proposed_by.data or ()),
                        supported_by=tuple(option.supported_by.data or ()),
                        opposed_by=tuple(option.opposed_by.data or ()),
                        label=option.label.data or "",
                        notes=kept_notes.get(key, ()),
                        key=key,
                    )
                )
            segments.append(doc.Segment(alternatives=tuple(alternatives)))
        else:
            text = part.text.data or ""
            if not text.strip():
                continue  # a blank passage is dropped
            segments.append(doc.Segment(text=text, won=_number(part.won.data)))
        places.segments.append(part)
    notes = []
    for entry in form.notes:
        note = entry.form
        if note.remove.data or not (note.body.data or "").strip():
            continue
        places.notes.append(note)
        notes.append(
            doc.Note(
                kind=doc.NoteKind(note.kind.data),
                body=note.body.data,
                party=note.party.data or None,
            )
        )
    value = doc.Provision(
        label=form.label.data or "",
        kind=doc.ProvisionKind(form.kind.data),
        heading=(form.heading.data or "").strip(),
        status=doc.ProvisionStatus(form.status.data),
        segments=tuple(segments),
        notes=tuple(notes),
        depth=form.depth.data or 0,
        key=current.key if current else None,
    )
    return value, places


def _refuser(edit: Edit, places: _Places):
    """Put a service's error (``segments-1-alternatives-0``) on the form's own field."""

    def refuse(error: RuleError) -> None:
        parts = (error.field or "").split("-")
        target = None
        if parts[0] == "segments" and len(parts) >= 2 and parts[1].isdigit():
            index = int(parts[1])
            if len(parts) >= 4 and parts[3].isdigit():
                option = places.alternatives.get((index, int(parts[3])))
                target = option.wording if option is not None else None
                marking = parts[4] if len(parts) >= 5 else ""
                if option is not None and marking.startswith("marking."):
                    target = option.marking.form[marking.removeprefix("marking.")]
            elif index < len(places.segments):
                part = places.segments[index]
                target = part.text if part.kind.data == TEXT else part.kind
        elif parts[0] == "notes" and len(parts) >= 2 and parts[1].isdigit():
            index = int(parts[1])
            target = places.notes[index].body if index < len(places.notes) else None
        elif error.field:
            target = field_at(edit.form, error.field)
        if target is None:
            edit.form.form_errors.append(str(error))
        else:
            target.errors = [*target.errors, str(error)]

    return refuse


def _current(row) -> doc.Provision:
    document = queries.document(row.revision)
    return next(p for p in document.provisions if p.key == row.provision_id)


@bp.route("/texts/revisions/<int:revision_id>/provisions/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def add_provision(revision_id: int):
    revision = or_404(queries.get_revision(revision_id))
    if revision.is_issued:
        return _frozen(revision)
    rows = queries.provision_rows(revision)
    before_id = _number(request.args.get("before"))
    before = next((r for r in rows if r.id == before_id), None)
    form = ProvisionForm()
    if request.method == "GET":
        form.segments.append_entry({"kind": TEXT})
    form.set_parties(queries.agreement_parties(revision.agreement_id))
    _prepare_markings(form, revision)
    edit = Edit(form)
    places: list[_Places] = []

    def save() -> object:
        value, found = _value(form, None)
        places.append(found)
        return services.add_provision(revision, value, before=before, markings=found.markings)

    if form.is_submitted() and form.added_row():
        _prepare_markings(form, revision)
        database.done_writing()
    elif edit.save(save, refused=lambda e: _refuser(edit, places[-1] if places else _Places())(e)):
        flash(f"{edit.result.label} added.", "success")
        return redirect(url_for(".revision", revision_id=revision.id, _anchor=_anchor(edit.result)))
    return edit.render(
        "texts/provision_form.html", revision=revision, text=revision.text, row=None, before=before
    )


def _anchor(row) -> str:
    return f"provision-{row.provision_id}"


@bp.route("/texts/provisions/<int:provision_revision_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def edit_provision(provision_revision_id: int):
    row = or_404(queries.get_provision_row(provision_revision_id))
    revision = row.revision
    if revision.is_issued:
        return _frozen(revision)
    current = _current(row)
    form = ProvisionEditForm()
    if request.method == "GET":
        _fill(form, current)
    form.set_parties(queries.agreement_parties(revision.agreement_id))
    _prepare_markings(form, revision)
    edit = Edit(form, row, noun="this provision")
    places: list[_Places] = []

    def save() -> None:
        value, found = _value(form, current)
        places.append(found)
        services.save_provision(row, value, markings=found.markings)

    if form.is_submitted() and form.added_row():
        _prepare_markings(form, revision)
        database.done_writing()
    elif edit.save(save, refused=lambda e: _refuser(edit, places[-1] if places else _Places())(e)):
        flash(f"{row.label} saved.", "success")
        return redirect(url_for(".revision", revision_id=revision.id, _anchor=_anchor(row)))
    return edit.render(
        "texts/provision_form.html", revision=revision, text=revision.text, row=row, before=None
    )


def _row_action(provision_revision_id: int, action, done: str):
    row = or_404(queries.get_provision_row(provision_revision_id))
    revision = row.revision
    label = row.label
    form = ConfirmForm()
    if Edit(form).save(lambda: action(row)):
        flash(done.format(label=label), "success")
    else:
        for error in form.form_errors or ["The request was refused: reload the page."]:
            flash(error, "error")
    return redirect(url_for(".revision", revision_id=revision.id))


@bp.route("/texts/provisions/<int:provision_revision_id>/remove", methods=["POST"])
@role_required(Role.EDITOR)
def remove_provision(provision_revision_id: int):
    return _row_action(
        provision_revision_id,
        services.remove_provision,
        "{label} removed (one the earlier revision had stays, struck through, as deleted).",
    )


@bp.route("/texts/provisions/<int:provision_revision_id>/move", methods=["POST"])
@role_required(Role.EDITOR)
def move_provision(provision_revision_id: int):
    step = -1 if request.form.get("direction") == "up" else 1
    return _row_action(
        provision_revision_id,
        lambda row: services.move_provision(row, row.position + step),
        "{label} moved " + ("up." if step < 0 else "down."),
    )


@bp.route("/texts/brackets/<int:segment_id>/clean", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def clean_bracket(segment_id: int):
    segment = or_404(queries.get_segment(segment_id))
    row = or_404(queries.get_provision_row(segment.provision_revision_id))
    revision = row.revision
    if revision.is_issued:
        return _frozen(revision)
    if not segment.is_bracket:
        flash("That bracket was cleaned already.", "info")
        return redirect(url_for(".revision", revision_id=revision.id, _anchor=_anchor(row)))
    current = _current(row)
    bracket = current.segments[row.segments.index(segment)]
    form = CleanBracketForm()
    form.proposal_id.choices = [
        SelectChoice(a.key, _option_label(a, n)) for n, a in enumerate(bracket.alternatives, 1)
    ]
    edit = Edit(form, row, noun="this provision", fields={"segment": "proposal_id"})
    position = segment.position
    if edit.save(lambda: services.clean_bracket(row, position, form.proposal_id.data)):
        flash(f"Bracket in {row.label} cleaned.", "success")
        return redirect(url_for(".revision", revision_id=revision.id, _anchor=_anchor(row)))
    return edit.render(
        "texts/clean.html",
        revision=revision,
        text=revision.text,
        row=row,
        provision=current,
        bracket=bracket,
    )


def _option_label(alternative: doc.Alternative, number: int) -> str:
    label = alternative.label or f"Option {number}"
    wording = alternative.wording.strip() or "(delete the passage)"
    by = f" — proposed by {', '.join(alternative.proposed_by)}" if alternative.proposed_by else ""
    return f"{label}: {wording}{by}"


# -- Internal notes ---------------------------------------------------------------------


@bp.route("/texts/<int:text_id>/internal-notes/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def add_note(text_id: int):
    text = or_404(queries.get_text(text_id))
    form = InternalNoteForm()
    labels = _provision_labels(text)
    form.provision_id.choices = [NONE_CHOSEN, *(SelectChoice(k, v) for k, v in labels.items())]
    if request.method == "GET":
        form.provision_id.data = _number(request.args.get("provision"))
    marking_forms.prepare(form.marking, marking_services.value_of(text))
    edit = Edit(form)
    if edit.save(
        lambda: services.add_internal_note(
            text,
            kind=doc.InternalKind(form.kind.data),
            body=form.body.data,
            author_id=current_user.id,
            provision_id=form.provision_id.data,
            marking=form.marking.choice(),
        )
    ):
        flash("Internal note added.", "success")
        return redirect(url_for(".detail", text_id=text.id, _anchor="internal-notes"))
    return edit.render("texts/note_form.html", text=text)


@bp.route("/texts/internal-notes/<int:internal_note_id>/delete", methods=["POST"])
@role_required(Role.EDITOR)
def delete_note(internal_note_id: int):
    note = or_404(queries.get_internal_note(internal_note_id))
    text_id = note.text_id
    if Edit(ConfirmForm()).save(lambda: services.delete_internal_note(note)):
        flash("Internal note deleted.", "success")
    return redirect(url_for(".detail", text_id=text_id, _anchor="internal-notes"))


# -- Comparing revisions ------------------------------------------------------------------


def _pick(text, name: str):
    """The revision ``?name=`` names, among the text's revisions the reader sees; None when
    not given; a 404 for one that is not there."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        abort(400, description=f"“{name}” must be a revision's number.")
    found = queries.revision_of(text, int(raw))
    return or_404(found)


@bp.route("/texts/<int:text_id>/compare")
def compare_revisions(text_id: int):
    text = or_404(queries.get_text(text_id))
    if not text.revisions:
        abort(404)
    new = _pick(text, "to") or text.revisions[-1]
    old = _pick(text, "from")
    if old is None:
        earlier = [r for r in text.revisions if r.id < new.id]
        based = new.based_on_id and queries.revision_of(text, new.based_on_id)
        old = based or (earlier[-1] if earlier else new)
    before, after = queries.documents_of([old, new])
    comparison = compare.compare(before, after)
    return render_template(
        "texts/compare.html",
        text=text,
        revisions=text.revisions,
        old=old,
        new=new,
        comparison=comparison,
        before=progress.progress(before),
        after=progress.progress(after),
        show_all=bool(request.args.get("all")),
        parties=_party_lists(comparison.parties),
        words=_words,
    )


def _party_lists(names: Mapping[str, str]) -> Callable[[Iterable[str]], Markup]:
    """Parties named by code, each with its name to hover over when known: drawn once per
    distinct list (a page names the same few lists hundreds of times)."""
    made: dict[tuple[str, ...], Markup] = {}

    def party(code: str) -> str:
        name = names.get(code)
        return f'<abbr title="{escape(name)}">{escape(code)}</abbr>' if name else escape(code)

    def parties(codes: Iterable[str]) -> Markup:
        key = tuple(codes)
        found = made.get(key)
        if found is None:
            found = made[key] = Markup(", ".join(map(party, key)))  # noqa: S704  (escaped)
        return found

    return parties


_RUN_TAGS = {compare.DiffOp.INSERT: "ins", compare.DiffOp.DELETE: "del"}


def _words(runs: Iterable[compare.WordRun]) -> Markup:
    """A wording's runs: inserted words underlined, deleted ones struck through."""
    parts = []
    for run in runs:
        tag = _RUN_TAGS.get(run.op)
        text = escape(run.text)
        parts.append(f"<{tag}>{text}</{tag}>" if tag else text)
    return Markup("".join(parts))  # noqa: S704  (escaped above)


# -- Word and PDF files -------------------------------------------------------------------


def _filename(*parts: str) -> str:
    stem = "-".join(re.sub(r"[^A-Za-z0-9]+", "-", part).strip("-") for part in parts)
    return stem[:120] or "text"


@bp.route("/texts/revisions/<int:revision_id>/text.<any(docx, pdf):fmt>")
def download(revision_id: int, fmt: str):
    """The revision as the parties exchange it; ``?internal=1``: an internal copy with our
    side's notes (those the reader may read), marked as such on every page."""
    revision = or_404(queries.get_revision(revision_id))
    internal = request.args.get("internal") == "1"
    value = queries.document(revision, internal=internal)
    if fmt == "docx":
        content, mimetype = text_docx.write(value), DOCX
    else:
        content, mimetype = text_pdf.write(value), "application/pdf"
    name = _filename(revision.text.title, revision.label, "internal" if internal else "")
    response = Response(
        content,
        content_type=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )
    return mark(response, value.marking)


# -- Importing a Word file ----------------------------------------------------------------


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="tracker.texts.import")


@bp.route("/texts/<int:text_id>/import", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def import_draft(text_id: int):
    """Read a Word file, show what it would make, and save it as the next draft only when
    the reviewer says so (the document read travels in the review form, signed)."""
    text = or_404(queries.get_text(text_id))
    form = ImportForm()
    draft = services.draft_of(text)
    if draft is None and form.validate_on_submit():
        value, problems = docx_import.read(form.file.data.read())
        if value is None:
            form.file.errors = [*form.file.errors, *problems]
        else:
            payload = {"text": text.id, "user": current_user.id, "document": doc.to_data(value)}
            return render_template(
                "texts/import_review.html",
                text=text,
                document=value,
                problems=problems,
                plan=importing.plan(text, value),
                save=SaveImportForm(
                    document=_signer().dumps(payload), label=form.label.data.strip()
                ),
            )
    return render_template("texts/import.html", text=text, form=form, draft=draft), (
        400 if form.errors else 200
    )


@bp.route("/texts/<int:text_id>/import/save", methods=["POST"])
@role_required(Role.EDITOR)
def save_import(text_id: int):
    text = or_404(queries.get_text(text_id))
    form = SaveImportForm()
    if not form.validate_on_submit():
        abort(400, description="The reviewed import came back incomplete: read the file again.")
    try:
        payload = _signer().loads(form.document.data)
    except BadSignature:
        abort(400, description="The reviewed import was changed on the way: read the file again.")
    if payload.get("text") != text.id or payload.get("user") != current_user.id:
        abort(400, description="This review belongs to another text or user: read the file again.")
    value = doc.from_data(payload["document"])
    edit = Edit(form)
    if edit.save(lambda: importing.store(text, value, label=form.label.data)):
        flash(f"{edit.result.label} saved as a draft from the Word file: review it.", "success")
        return redirect(url_for(".revision", revision_id=edit.result.id))
    flash(" ".join(form.label.errors + form.form_errors) or "The draft was not saved.", "danger")
    return redirect(url_for(".import_draft", text_id=text.id))
