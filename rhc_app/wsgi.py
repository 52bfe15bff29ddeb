"""The WSGI entry point for gunicorn: `gunicorn rhc_app.wsgi:app`."""

from . import create_app

app = create_app()
