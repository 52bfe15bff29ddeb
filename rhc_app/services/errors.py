"""The one error the services raise: a rule was broken, with a message for the user.

The web layer shows it next to the field it names; the commands print it."""

from __future__ import annotations


class CaseworkError(Exception):
    """A rule was broken; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
