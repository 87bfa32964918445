"""Configuration: defaults, then ``instance/config.py``, then ``TRACKER_*`` variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

ENV_PREFIX = "TRACKER"
SECRET_KEY_FILE = "secret_key"  # noqa: S105  (a file name, not a secret)


class Defaults:
    """Settings used when nothing else says otherwise."""

    # Filled in by load_config with a file in the instance folder.
    DATABASE_URL: str | None = None
    SECRET_KEY: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    PAGE_SIZE = 25


def load_config(app: Flask, overrides: dict | None = None) -> None:
    """Fill ``app.config`` in order: defaults, instance file, environment, ``overrides``."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(ENV_PREFIX, loads=_keep_strings)
    if overrides:
        app.config.update(overrides)

    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path, "tracker.sqlite"))
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def _keep_strings(value: str):
    """Parse booleans and numbers from the environment; leave everything else a string."""
    lowered = value.strip().lower()
    if lowered in {"true", "false"}:
        return lowered == "true"
    try:
        return int(value)
    except ValueError:
        return value


def _instance_secret_key(instance: Path) -> str:
    """Read the instance's secret key, creating it (mode 600) on first use."""
    path = instance / SECRET_KEY_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: if another process created it meanwhile, use theirs.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key
