"""Issue 17's part of a conversation's record, as plain data for the documents: what the
parents or carers said, a decision not to offer, why it came late, who held it, and the
councils of a child placed out of area. Labels are already in words (services/records)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RecordFields:
    carers_said: str = ""
    not_offered: bool = False
    not_offered_by: str = ""
    late_reason: str = ""  # the label, with the note for an other reason
    holder_role: str = ""  # the label
    holder_independent: bool | None = None
    placing_authority: str = ""
    host_area: str = ""
