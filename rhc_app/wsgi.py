"""The WSGI entry point for gunicorn: `gunicorn rhc_app.wsgi:app`."""

from rhc_app import create_app

app = create_app()
