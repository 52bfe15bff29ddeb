"""Fields shared by the forms: UK local date-times stored as UTC."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wtforms import Field
from wtforms.fields import DateField, DateTimeLocalField

from rhc_app.domain.uk_time import NoSuchUkTime, from_london, to_london


class LocalDateTimeField(DateTimeLocalField):
    """A native date-and-time picker (big and touch-friendly on tablets); value is UTC."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(label, validators, **kwargs)
        self.utc: datetime | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.utc = None
        if not valuelist or not valuelist[0]:
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            self.data = None
            raise ValueError(f"Enter {self.label.text.lower()} as a real date and time") from exc
        if self.data is not None:
            try:  # workers type what the clock on the wall said
                self.utc = from_london(self.data)
            except NoSuchUkTime as exc:
                self.data = None  # refused, as a date that does not exist; the typing is kept
                raise ValueError(str(exc)) from exc

    def process_data(self, value: Any) -> None:
        if isinstance(value, datetime) and value.tzinfo is not None:
            self.utc = value
            value = to_london(value).replace(tzinfo=None)
        super().process_data(value)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.strftime("%Y-%m-%dT%H:%M") if self.data else ""


def utc_of(field: Field) -> datetime | None:
    return getattr(field, "utc", None)


class DayMonthYearField(DateField):
    """The GOV.UK date input's three boxes. Always keeps exactly three parts (the widget
    unpacks them), refuses a date with a box left empty rather than dropping it, and treats
    three empty boxes as not given."""

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        parts = [v.strip() if isinstance(v, str) else "" for v in valuelist]
        self.raw_data = (parts + ["", "", ""])[:3]
        self.data = None
        if not any(parts):
            return
        name = self.label.text
        if len(valuelist) != 3 or not all(self.raw_data):
            raise ValueError(f"{name} must include a day, month and year")
        try:
            self.data = datetime.strptime(" ".join(self.raw_data), "%d %m %Y").date()
        except ValueError as exc:
            raise ValueError(f"{name} must be a real date, for example 27 3 2011") from exc
