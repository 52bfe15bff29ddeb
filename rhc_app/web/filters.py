"""Template filters: times shown in UK local time, plain-English durations."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask

LONDON = ZoneInfo("Europe/London")


def local(dt: datetime | None, fmt: str = "%a %-d %b %Y, %H:%M") -> str:
    if dt is None:
        return "Not recorded"
    return dt.astimezone(LONDON).strftime(fmt)


def local_input(dt: datetime | None) -> str:
    return "" if dt is None else dt.astimezone(LONDON).strftime("%Y-%m-%dT%H:%M")


def to_local_input(value: str | datetime | None) -> str:
    """A stored ISO UTC time as the value of a datetime-local input (UK wall clock)."""
    if not value:
        return ""
    try:
        dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return str(value)  # what the user typed, shown back with its error
    if dt.tzinfo is None:
        return dt.strftime("%Y-%m-%dT%H:%M")
    return local_input(dt)


def duration(delta: timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rem = divmod(minutes, 60 * 24)
    hours, mins = divmod(rem, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if not days and (mins or not parts):
        parts.append(f"{mins} minute{'s' if mins != 1 else ''}")
    return " ".join(parts)


def iso_date(value: str | date | None) -> str:
    if not value:
        return "Not recorded"
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return d.strftime("%-d %B %Y")


def register(app: Flask) -> None:
    app.jinja_env.filters["local"] = local
    app.jinja_env.filters["local_input"] = local_input
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["to_local_input"] = to_local_input
    app.jinja_env.filters["iso_date"] = iso_date
    from rhc_app.domain.child_summary import sentence
    from rhc_app.domain.ethnicity import display

    app.jinja_env.filters["sentence"] = sentence

    app.jinja_env.filters["ethnic_group"] = display
