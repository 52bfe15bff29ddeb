"""Small helpers every blueprint's views use."""

from __future__ import annotations

from flask_login import current_user
from wtforms import Form

from .crypto import KeyRing
from .extensions import database
from .models import User


def user() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def ring() -> KeyRing:
    keyring = database().keyring
    assert keyring is not None
    return keyring


def field_error(form: Form, name: str | None, message: str) -> None:
    """Attach a domain rule's message to its field (or the form's first field)."""
    field = form._fields.get(name) if name else None
    if field is None:
        field = next(iter(form._fields.values()))
    field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
