"""Importing the standard dataset: every parsed row added to the organisation's children,
episodes and conversations, or matched to them by keyed hash and updated (idempotent: a file
imported twice changes nothing the second time).

No Flask: `rhc import episodes` and the upload page both call these, inside one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhc_app.crypto import KeyRing
from rhc_app.domain import lifecycle
from rhc_app.domain.dataset import DatasetRow, ParseResult, parse_dataset
from rhc_app.security import audit
from rhc_app.services import covering
from rhc_app.services.canvas import empty_canvas
from rhc_app.services.conversation_fields import import_fields, late_reasons
from rhc_app.store.models import Child, Conversation, Episode, Organisation


@dataclass
class ImportSummary:
    rows: int = 0
    children_added: int = 0
    children_updated: int = 0
    episodes_added: int = 0
    episodes_updated: int = 0
    unchanged: int = 0

    def text(self) -> str:
        return (f"{self.rows} rows: {self.children_added} children added, "
                f"{self.children_updated} updated; {self.episodes_added} episodes added, "
                f"{self.episodes_updated} updated; {self.unchanged} unchanged")


def validate(data: bytes, org: Organisation) -> ParseResult:
    return parse_dataset(data, org.setting("extra_risk_factors"), late_reasons=late_reasons(org))


def _set(obj: Any, name: str, value: Any) -> bool:
    """Assign only when different: re-sealing an unchanged value would rewrite the row."""
    if getattr(obj, name) == value:
        return False
    setattr(obj, name, value)
    return True


def _set_conversation(conv: Conversation, row: DatasetRow) -> bool:
    changed = False
    for name, value in (("offered_at", row.rhc_offered_at or (
            row.rhc_held_at if row.rhc_outcome else None)),
                        ("outcome", row.rhc_outcome), ("held_at", row.rhc_held_at),
                        ("risk_factors", sorted(row.risk_factors)),
                        ("status", lifecycle.dataset_status(
                            row.rhc_outcome, bool(row.rhc_offered_at), bool(row.rhc_held_at)))):
        changed |= _set(conv, name, value)
    return changed


class _Importer:
    """One file's import: the organisation's children, episodes and conversations looked up
    once, then each row matched to them (by keyed hash) or added."""

    def __init__(self, s: Session, ring: KeyRing, org: Organisation, rows: list[DatasetRow],
                 user_id: str | None) -> None:
        self.s, self.ring, self.org, self.user_id = s, ring, org, user_id
        self.summary = ImportSummary(rows=len(rows))
        child_idx = {ring.index("child_ref", r.child_ref) for r in rows}
        self.children = {c.case_reference_index: c for c in s.execute(
            select(Child).where(Child.organisation_id == org.id)).scalars()
            if c.case_reference_index in child_idx}
        self.episodes = {e.episode_ref_index: e for e in s.execute(
            select(Episode).where(Episode.organisation_id == org.id,
                                  Episode.episode_ref_index.is_not(None))).scalars()}
        self.convs = {c.episode_id: c for c in s.execute(
            select(Conversation).where(Conversation.organisation_id == org.id)).scalars()}
        self.new_convs: dict[str, Conversation] = {}  # made by this import, before they have ids
        self.seen_children: set[str] = set()

    def child(self, row: DatasetRow) -> Child:
        """The row's child, added or (at its first row in the file) updated."""
        cidx = self.ring.index("child_ref", row.child_ref)
        child = self.children.get(cidx)
        dob = row.date_of_birth.isoformat() if row.date_of_birth else None
        if child is None:
            child = Child(organisation_id=self.org.id, case_reference=row.child_ref,
                          case_reference_index=cidx, name=row.child_name or "",
                          name_index=self.ring.index("child_name", row.child_name or ""),
                          date_of_birth=dob, gender=row.gender or "not_recorded",
                          ethnicity=row.ethnicity, in_care=row.in_care, created_by=self.user_id,
                          placing_authority=row.placing_authority, host_area=row.host_area)
            self.s.add(child)
            self.children[cidx] = child
            self.summary.children_added += 1
        elif cidx not in self.seen_children:
            changed = False
            if row.child_name:
                changed |= _set(child, "name", row.child_name)
            if dob:
                changed |= _set(child, "date_of_birth", dob)
            if row.gender:
                changed |= _set(child, "gender", row.gender)
            if row.ethnicity:
                changed |= _set(child, "ethnicity", row.ethnicity)
            for name in ("placing_authority", "host_area"):
                if getattr(row, name):
                    changed |= _set(child, name, getattr(row, name))
            self.summary.children_updated += int(changed)
        self.seen_children.add(cidx)
        return child

    def episode(self, row: DatasetRow, child: Child) -> tuple[Episode, Conversation, bool]:
        """The row's episode and its conversation, and whether this import added them."""
        eidx = self.ring.index("episode_ref", row.episode_ref)
        episode = self.episodes.get(eidx)
        if episode is not None:
            return episode, self.convs.get(episode.id) or self.new_convs[eidx], False
        episode = Episode(organisation_id=self.org.id, child=child, episode_ref=row.episode_ref,
                          episode_ref_index=eidx, reported_missing_at=row.reported_missing_at)
        self.s.add(episode)
        self.episodes[eidx] = episode
        conv = Conversation(organisation_id=self.org.id, episode=episode, status="to_offer")
        conv.canvas = empty_canvas()
        self.s.add(conv)
        self.new_convs[eidx] = conv
        return episode, conv, True


def _update(row: DatasetRow, child: Child, episode: Episode, conv: Conversation,
            created: bool) -> bool:
    """Set the episode's and conversation's fields from the row; True if any changed."""
    changed = False
    if not created and (child.id is None or episode.child_id != child.id):
        episode.child = child  # the episode was re-assigned to another child
        changed = True
    for name, value in (("reported_missing_at", row.reported_missing_at),
                        ("found_at", row.found_at), ("police_risk", row.police_risk),
                        ("in_care", row.in_care),
                        ("missing_from", "care" if row.in_care else "home")):
        changed |= _set(episode, name, value)
    # A conversation being written, awaiting sign-off or completed in the app changes only
    # in the app; otherwise the row (the last one for an episode) wins.
    if not lifecycle.app_holds(conv.status, conv.completed_at is not None):
        changed |= _set_conversation(conv, row)
        changed |= import_fields(conv, row)
    return changed


def import_rows(s: Session, ring: KeyRing, org: Organisation, rows: list[DatasetRow],
                user_id: str | None = None) -> ImportSummary:
    """Add or update every row; the caller commits (or rolls back) the whole file at once."""
    importer = _Importer(s, ring, org, rows, user_id)
    summary = importer.summary
    covers = covering.covering_ids(s, org.id)  # once, not a query a row
    for row in rows:
        child = importer.child(row)
        episode, conv, created = importer.episode(row, child)
        changed = _update(row, child, episode, conv, created)
        if changed and conv.id in covers:  # the episodes it covers count by its facts too
            covering.sync(s, conv)
        if created:
            summary.episodes_added += 1
        elif changed:
            summary.episodes_updated += 1
        else:
            summary.unchanged += 1
    s.flush()
    audit.record(s, "dataset_imported", user_id=user_id, org_id=org.id,
                 detail=f"{summary.rows} rows")
    return summary
