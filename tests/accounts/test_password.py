"""Changing one's own password."""

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, log_in
from tracker.models import User

NEW_PASSWORD = "a brand new passphrase"


def _change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None, **kwargs):
    data = {"current_password": current, "new_password": new, "confirm_password": confirm or new}
    return client.post("/account/password", data=data, **kwargs)


def _user(db, username="desk.officer") -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


def test_page_is_linked_from_every_page(logged_in):
    html = logged_in.get("/").get_data(as_text=True)
    assert 'href="/account/password">Change password</a>' in html
    page = logged_in.get("/account/password").get_data(as_text=True)
    assert '<label class="form-label" for="current_password">Current password</label>' in page


def test_change_password(logged_in, client, db):
    response = _change(logged_in, follow_redirects=True)
    assert "Your password has been changed" in response.get_data(as_text=True)
    user = _user(db)
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    assert user.session_generation == 2
    assert logged_in.get("/").status_code == 200  # still logged in here

    logged_in.post("/logout")
    assert log_in(logged_in, "desk.officer", PASSWORD).status_code == 200
    assert log_in(logged_in, "desk.officer", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"current": "not my password"}, "current_password", "That is not your current password."),
        ({"new": "short one", "confirm": "short one"}, "new_password", "at least 10 characters"),
        ({"confirm": "something else entirely"}, "confirm_password", "differ"),
    ],
    ids=["wrong-current", "too-short", "mismatch"],
)
def test_refusals_are_shown_next_to_the_field(logged_in, db, data, field, message):
    response = _change(logged_in, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    errors = html.split(f'id="{field}-errors"')[1].split("</div>\n")[0]
    assert message in errors
    assert _user(db).check_password(PASSWORD)
    assert _user(db).session_generation == 1
    for secret in (PASSWORD, NEW_PASSWORD, "not my password"):
        assert f'value="{secret}"' not in html


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get("/account/password").status_code == 302
