"""Small helpers every blueprint's views use."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from flask import url_for
from flask_login import current_user
from wtforms import Form

from rhc_app.crypto import KeyRing
from rhc_app.security import audit
from rhc_app.services.errors import CaseworkError
from rhc_app.store.models import User
from rhc_app.web.extensions import database, db

T = TypeVar("T")


def user() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def ring() -> KeyRing:
    keyring = database().keyring
    assert keyring is not None
    return keyring


def links_to(endpoint: str, key: str, **values: Any) -> Callable[[str], str]:
    """``url_for(endpoint, key=value, **values)`` for many values of one key (a list's links):
    the address is built once with a stand-in where the value goes, and each value is quoted
    into its place as the route's default converter quotes it. One ``url_for`` a link was a
    large share of the connections page."""
    standin = "rhc-stand-in"
    before, after = url_for(endpoint, **{key: standin}, **values).split(standin)
    return lambda value: before + quote(value, safe=_PATH_SAFE) + after


_PATH_SAFE = "!$&'()*+,/:;=@"  # werkzeug's BaseConverter.to_url


def query_links_to(endpoint: str) -> Callable[..., str]:
    """``url_for(endpoint, **query)`` for an endpoint whose values all go in the query string,
    for many links at once: the path is built once and each link's query encoded as werkzeug
    encodes it (in the order given, None left out), each name and value once, as a table
    repeats them. One ``url_for`` a count was most of the team page's timeliness table."""
    path = url_for(endpoint)
    pairs: dict[tuple[str, Any], str] = {}

    def pair(key: str, value: Any) -> str:
        if (key, value) not in pairs:
            pairs[key, value] = urlencode([(key, value)], safe=_QUERY_SAFE)
        return pairs[key, value]

    def link(**query: Any) -> str:
        items = [pair(k, v) for k, v in query.items() if v is not None]
        return f"{path}?{'&'.join(items)}" if items else path
    return link


_QUERY_SAFE = "!$'()*,/:;?@"  # werkzeug.urls._urlencode


def audit_event(action: str, *, record_type: str | None = None, record_id: str | None = None,
                detail: str | None = None) -> None:
    """Append what the signed-in user did, in their organisation, to the audit log (in the
    request's transaction: the view commits it with its change)."""
    me = user()
    audit.record(db(), action, user_id=me.id, org_id=me.organisation_id, record_type=record_type,
                 record_id=record_id, detail=detail)


def audit_each(action: str, record_type: str, record_ids: Iterable[str],
               detail: str | None = None) -> None:
    """The same event against each record (every conversation a page opened), appended in
    one pass: one head look-up and one transaction, not one per record."""
    me = user()
    audit.record_many(db(), [audit.Entry(action, me.id, me.organisation_id, record_type, rid,
                                         detail) for rid in record_ids])


def field_error(form: Form, name: str | None, message: str) -> None:
    """Attach a domain rule's message to its field (or the form's first field)."""
    field = form._fields.get(name) if name else None
    if field is None:
        field = next(iter(form._fields.values()))
    field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]


def apply(form: Form, action: Callable[[], T]) -> tuple[bool, T | None]:
    """Run a domain action in one transaction: commit it, or roll back and put the rule's
    message next to its field (what the user typed stays in the form)."""
    try:
        result = action()
    except CaseworkError as exc:
        db().rollback()
        field_error(form, exc.field, str(exc))
        return False, None
    db().commit()
    return True, result
