"""The rows an import adds (children, episodes, conversations) as plain values for Core
INSERTs of many rows: no ORM object is built for a row that is only inserted, which was
most of an import's time. Sealed fields are sealed by the store's own `new_row`, as the
models seal them.

Each builder sets what the model path set (`dataset_import._update` on a new episode and
a new conversation), so a file imports the same whichever way its rows are written.
"""

from __future__ import annotations

from typing import Any

from rhc_app.crypto import KeyRing
from rhc_app.domain import lifecycle
from rhc_app.domain.dataset import DatasetRow
from rhc_app.services.canvas import empty_canvas
from rhc_app.services.conversation_fields import new_import_record
from rhc_app.store.db import new_id, new_row
from rhc_app.store.models import Child, Conversation, Episode


class NewRows:
    """Builds one import's new rows; what every row shares is worked out once."""

    def __init__(self, ring: KeyRing, org_id: str, user_id: str | None) -> None:
        self.ring, self.org_id, self.user_id = ring, org_id, user_id
        self.empty_record = Conversation.record_text(empty_canvas())

    def child(self, row: DatasetRow, cidx: str) -> dict[str, Any]:
        name = row.child_name or ""
        return new_row(Child, {
            "id": new_id(), "organisation_id": self.org_id, "case_reference": row.child_ref,
            "case_reference_index": cidx, "name": name,
            "name_index": self.ring.index("child_name", name),
            "date_of_birth": row.date_of_birth.isoformat() if row.date_of_birth else None,
            "gender": row.gender or "not_recorded", "ethnicity": row.ethnicity,
            "in_care": row.in_care, "created_by": self.user_id,
            "placing_authority": row.placing_authority, "host_area": row.host_area,
        }, self.ring)

    def episode(self, row: DatasetRow, child_id: str, eidx: str) -> dict[str, Any]:
        return new_row(Episode, {
            "id": new_id(), "organisation_id": self.org_id, "child_id": child_id,
            "episode_ref": row.episode_ref, "episode_ref_index": eidx,
            **episode_fields(row)}, self.ring)

    def conversation(self, row: DatasetRow, episode_id: str) -> dict[str, Any]:
        """A conversation as the app starts one, set from the row (the last for its episode)."""
        return new_row(Conversation, {
            "id": new_id(), "organisation_id": self.org_id, "episode_id": episode_id,
            **conversation_fields(row), **new_import_record(row, self.empty_record),
        }, self.ring)


def episode_fields(row: DatasetRow) -> dict[str, Any]:
    """An episode's columns a row sets."""
    return {"reported_missing_at": row.reported_missing_at, "found_at": row.found_at,
            "police_risk": row.police_risk, "in_care": row.in_care,
            "missing_from": "care" if row.in_care else "home"}


def conversation_fields(row: DatasetRow) -> dict[str, Any]:
    """A conversation's columns a row sets (a time held stands for the offer when the row
    gives an outcome but no time offered)."""
    return {"offered_at": row.rhc_offered_at or (row.rhc_held_at if row.rhc_outcome else None),
            "outcome": row.rhc_outcome, "held_at": row.rhc_held_at,
            "risk_factors": sorted(row.risk_factors),
            "status": lifecycle.dataset_status(row.rhc_outcome, bool(row.rhc_offered_at),
                                               bool(row.rhc_held_at))}
