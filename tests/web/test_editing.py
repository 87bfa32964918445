"""The one save path: validate, call the service, commit once; refusals reach the form."""

import sqlalchemy as sa
from flask import render_template_string
from flask_wtf import FlaskForm
from wtforms import StringField

from tracker.models import Party, PartyKind, RuleError
from tracker.web.editing import Edit

ERRORS = '{% from "_macros/forms.html" import form_errors %}{{ form_errors(form) }}'


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField()
    new_password = StringField()


def _submit(app, **data):
    return app.test_request_context("/", method="POST", data=data)


def test_a_saved_change_is_committed_once_and_its_result_kept(app, db):
    with _submit(app, name="Japan"):
        edit = Edit(NameForm())

        def create():
            party = Party(name="Japan", code="JPN", kind=PartyKind.STATE)
            db.session.add(party)
            db.session.flush()
            return party

        assert edit.save(create)
        assert edit.result.name == "Japan"
    db.session.rollback()  # what the request committed stays
    assert db.session.scalar(sa.select(Party.name)) == "Japan"


def test_a_refused_change_is_rolled_back_and_shown_on_its_field(app, db):
    with _submit(app, name="Japan"):
        form = NameForm()

        def refuse():
            db.session.add(Party(name="Japan", code="JPN", kind=PartyKind.STATE))
            db.session.flush()
            raise RuleError("There is already a party called “Japan”.", "name")

        assert not Edit(form).save(refuse)
        assert form.name.errors == ["There is already a party called “Japan”."]
        assert form.form_errors == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Party)) == 0


def test_a_rule_about_the_whole_change_is_shown_above_the_form(app):
    with _submit(app, name="Japan"):
        form = NameForm()

        def refuse():
            raise RuleError("A meeting cannot be held during itself or its own side meetings.")

        assert not Edit(form).save(refuse)
        html = render_template_string(ERRORS, form=form)
    assert "A meeting cannot be held during itself" in html
    assert "Please correct the fields marked below." not in html


def test_a_service_keyword_can_name_a_field_of_another_name(app):
    with _submit(app, name="ann"):
        form = NameForm()

        def refuse():
            raise RuleError("Passwords must be at least 10 characters long.", "password")

        assert not Edit(form, fields={"password": "new_password"}).save(refuse)
        assert form.new_password.errors == ["Passwords must be at least 10 characters long."]


def test_nothing_is_called_for_a_form_that_was_not_submitted(app):
    with app.test_request_context("/"):
        called = []
        assert not Edit(NameForm()).save(lambda: called.append(1))
        assert called == []
