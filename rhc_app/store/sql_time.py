"""Stored times moved by whole hours in SQL, the same on SQLite and PostgreSQL, so a rule
about "the N days before this episode" compares stored times in the database.

Hours, not days: a day in PostgreSQL's interval arithmetic follows the session's time zone
across a clock change (23 or 25 hours), while the domain's timedelta(days=N) is N x 24 real
hours. SQLite keeps a time as text ("YYYY-MM-DD HH:MM:SS.ffffff", SQLAlchemy's format);
its date functions keep milliseconds at most, so they are given the whole seconds and the
text's own fraction is put back: the result compares as text with the stored times."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from rhc_app.store.db import UTCDateTime


class minus_hours(FunctionElement[Any]):  # noqa: N801 - used like a SQL function
    """`column` less `hours` real hours, as a stored time."""

    type = UTCDateTime()
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any], hours: int) -> None:
        # An int, rendered into the SQL (never user text), and so part of the statement
        # cache's key: a statement for another number of hours is compiled apart.
        super().__init__(column, literal_column(str(int(hours))))


def minus_days(column: ColumnElement[Any], days: int) -> minus_hours:
    return minus_hours(column, 24 * int(days))


@compiles(minus_hours, "sqlite")
def _sqlite(element: minus_hours, compiler: Any, **kw: Any) -> str:
    col, hours = (compiler.process(c, **kw) for c in element.clauses)
    # The whole seconds alone: SQLite would round .9995 and up to the next second.
    return (f"(strftime('%Y-%m-%d %H:%M:%S', substr({col}, 1, 19), '-{hours} hours')"
            f" || substr({col}, 20))")


@compiles(minus_hours, "postgresql")
def _postgresql(element: minus_hours, compiler: Any, **kw: Any) -> str:
    col, hours = (compiler.process(c, **kw) for c in element.clauses)
    return f"({col} - make_interval(hours => {hours}))"
