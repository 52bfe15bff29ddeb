"""Template filters: times shown in UK local time, plain-English durations (domain.uk_time)."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from rhc_app.domain.uk_time import (
    NOT_RECORDED,
    format_date_long,
    format_datetime,
    format_input,
    format_time_left,
)

local, local_input = format_datetime, format_input  # their names in templates


def to_local_input(value: str | datetime | None) -> str:
    """A stored ISO UTC time as the value of a datetime-local input (UK wall clock)."""
    if not value:
        return ""
    try:
        dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)  # what the user typed, shown back with its error
    if dt.tzinfo is None:
        return dt.strftime("%Y-%m-%dT%H:%M")  # already wall clock, as typed
    return format_input(dt)


def iso_date(value: str | date | None) -> str:
    if not value:
        return NOT_RECORDED
    return format_date_long(date.fromisoformat(value) if isinstance(value, str) else value)


def register(app: Flask) -> None:
    app.jinja_env.filters["local"] = local
    app.jinja_env.filters["local_input"] = local_input
    app.jinja_env.filters["duration"] = format_time_left
    app.jinja_env.filters["to_local_input"] = to_local_input
    app.jinja_env.filters["iso_date"] = iso_date
    from rhc_app.domain.child_summary import sentence
    from rhc_app.domain.ethnicity import display

    app.jinja_env.filters["sentence"] = sentence

    app.jinja_env.filters["ethnic_group"] = display
