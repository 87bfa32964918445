"""The base of every form the app renders."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.widgets import HiddenInput


class TrackerForm(FlaskForm):
    """A Flask-WTF form whose hidden inputs are rendered without an ``id``.

    WTForms gives every input the id of its name, so two forms on one page (a user's role and
    password reset; a record's page with its status form) would both hold
    ``id="csrf_token"``, and two versioned forms ``id="version"``: ids must be unique. Nothing
    labels or targets a hidden input, so it needs no id; the name, which the server reads, is
    unchanged. ``field(id="...")`` still sets one where wanted.
    """

    class Meta:
        def render_field(self, field, render_kw):
            if isinstance(field.widget, HiddenInput):
                render_kw = {"id": False, **render_kw}
            return super().render_field(field, render_kw)
