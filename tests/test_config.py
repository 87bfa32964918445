"""Where settings come from: defaults, instance/config.py, TRACKER_* variables, the argument."""

import os
import stat

import pytest

from tracker import create_app


def test_defaults_put_the_database_in_the_instance_folder(tmp_path):
    app = create_app()
    assert app.instance_path == str(tmp_path / "instance")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{tmp_path / 'instance' / 'tracker.sqlite'}"
    )
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_later_sources_override_earlier_ones(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        'DATABASE_URL = "sqlite:///from-file.sqlite"\nPAGE_SIZE = 10\nSECRET_KEY = "file"\n'
    )
    app = create_app()
    assert app.config["DATABASE_URL"] == "sqlite:///from-file.sqlite"
    assert app.config["PAGE_SIZE"] == 10
    assert app.config["SECRET_KEY"] == "file"

    monkeypatch.setenv("TRACKER_DATABASE_URL", "sqlite:///from-env.sqlite")
    monkeypatch.setenv("TRACKER_PAGE_SIZE", "50")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///from-env.sqlite"
    assert app.config["PAGE_SIZE"] == 50
    assert app.config["SECRET_KEY"] == "file"

    app = create_app({"DATABASE_URL": "sqlite:///from-arg.sqlite", "PAGE_SIZE": 5})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///from-arg.sqlite"
    assert app.config["PAGE_SIZE"] == 5


def test_environment_values_take_the_type_of_the_setting(monkeypatch):
    monkeypatch.setenv("TRACKER_SECRET_KEY", "12345")
    monkeypatch.setenv("TRACKER_SESSION_COOKIE_SECURE", "true")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    # A numeric-looking secret stays a string, which is what session signing needs.
    assert app.config["SECRET_KEY"] == "12345"


def test_bad_environment_values_are_named(monkeypatch):
    monkeypatch.setenv("TRACKER_PAGE_SIZE", "many")
    with pytest.raises(ValueError, match="TRACKER_PAGE_SIZE must be a whole number"):
        create_app()


def test_secret_key_is_generated_once_with_private_permissions(tmp_path):
    first = create_app().config["SECRET_KEY"]
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 64
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert create_app().config["SECRET_KEY"] == first


def test_configured_secret_key_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_passwords_are_hashed_with_argon2_rfc9106_by_default():
    from tracker.models import User

    app = create_app()
    with app.app_context():
        user = User(username="ann", display_name="Ann", role="viewer")
        user.set_password("a long password")
    assert app.config["PASSWORD_HASH_PROFILE"] == "RFC_9106_LOW_MEMORY"
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


@pytest.mark.parametrize("url", ["tracker.example.org", "ftp://tracker.example.org", "https://x/a"])
def test_a_base_url_that_is_not_an_address_is_refused_at_start(url):
    with pytest.raises(ValueError, match="BASE_URL"):
        create_app({"BASE_URL": url})
