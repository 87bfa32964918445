"""The one path of a form that changes records: validate, call a service, commit once.

A broken rule (:class:`~tracker.models.RuleError`) goes back to the form, on the field it
names or at the top; a save from a form loaded at an older version of the record is refused
with what others changed (409, see :mod:`tracker.web.conflicts`). A view reads as load →
check → save → flash and redirect, or the form again::

    agreement = or_404(queries.agreement_for_page(agreement_id))
    form = AgreementEditForm(obj=agreement)
    edit = Edit(form, agreement)
    if edit.save(lambda: services.update_agreement(agreement, ...)):
        flash("Agreement saved.", "success")
        return redirect(url_for(".detail", agreement_id=agreement.id))
    return edit.render("agreements/form.html", agreement=agreement)

Services add and flush; only :meth:`Edit.save` commits. A save that is refused ends the
request's transaction, so the form page is drawn again without the write lock
(:func:`tracker.data.database.done_writing`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

from flask import render_template

from tracker.data import database
from tracker.extensions import db
from tracker.models import RuleError
from tracker.web import conflicts


def field_at(form, name: str):
    """The field ``name`` of ``form``; a dotted name reaches into sub-forms
    (``marking.level``). None if there is no such field."""
    field = None
    for part in name.split("."):
        fields = getattr(form, "_fields", None)
        field = fields.get(part) if fields is not None else None
        if field is None:
            return None
        form = getattr(field, "form", None)
    return field


class Edit:
    """One submission of ``form``, which changes ``record`` (None when it creates one).

    ``parts`` are (sub-form, record) pairs whose versions the form carries too; ``fields``
    maps a service's keyword to the form field of another name.
    """

    def __init__(
        self,
        form,
        record=None,
        *,
        parts: Sequence[tuple[Any, Any]] = (),
        noun: str | None = None,
        fields: dict[str, str] | None = None,
    ) -> None:
        self.form = form
        self.record = record
        self.parts = parts
        self.noun = noun
        self.fields = fields or {}
        self.result: Any = None
        # On GET the form is stamped with the versions; on POST they are compared.
        self.conflict = (
            None if record is None else conflicts.check(form, record, parts=parts, noun=noun)
        )

    def save(
        self,
        change: Callable[[], Any],
        *,
        refused: Callable[[RuleError], None] | None = None,
    ) -> bool:
        """Whether the submitted form was saved: valid, not stale, ``change()`` (a service
        call, its result kept in ``result``) allowed by the rules, and committed.

        A refused change is rolled back and handed to ``refused`` (by default the error is
        shown on its field); a lost race with another save becomes ``conflict``.
        """
        valid = self.form.validate_on_submit()
        if not valid or self.conflict is not None:
            database.done_writing()
            return False
        guard = (
            nullcontext()
            if self.record is None
            else conflicts.saving(self.form, self.record, parts=self.parts, noun=self.noun)
        )
        try:
            with guard:
                self.result = change()
                db.session.commit()
        except RuleError as error:
            db.session.rollback()
            database.done_writing()
            (refused or self.refuse)(error)
            return False
        except conflicts.EditConflict as error:
            database.done_writing()
            self.conflict = error.conflict
            return False
        return True

    def refuse(self, error: RuleError) -> None:
        """Show ``error`` on the field it names, or above the form."""
        name = self.fields.get(error.field or "", error.field)
        field = field_at(self.form, name) if name else None
        if field is None:
            self.form.form_errors.append(str(error))
        else:
            field.errors = [*field.errors, str(error)]

    @property
    def status(self) -> int:
        """The form page's status: 200, or the conflict's (409; 400 for a forged form)."""
        return 200 if self.conflict is None else self.conflict.status

    def render(self, template: str, **context) -> tuple[str, int]:
        """The form's page, with the conflict notice when there is one."""
        page = render_template(template, form=self.form, conflict=self.conflict, **context)
        return page, self.status
