"""The WSGI entry point for production servers: ``gunicorn tracker.wsgi:app``."""

from tracker import create_app

app = create_app()
