"""Importing the standard dataset: every parsed row added to the organisation's children,
episodes and conversations, or matched to them by keyed hash and updated (idempotent: a file
imported twice changes nothing the second time).

In bounded memory whatever the file's size (:func:`import_file`): a first pass checks every
row and keeps none; a second reads the file again and writes it in batches of
:data:`BATCH` rows, new rows inserted many at a time (store.bulk), existing ones looked up a
batch at a time (IN lists of at most :data:`BATCH` hashes) and updated through the models;
new ones built as plain values (dataset_rows), never as model objects. Both passes
are in the caller's one transaction, so a bad row anywhere, or a file that changed between
the passes, changes nothing.

No Flask: `rhc import episodes` and the upload page both call these, inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from rhc_app.crypto import KeyRing
from rhc_app.domain import lifecycle
from rhc_app.domain.dataset import DatasetFile, DatasetRow, ParseResult, RowError, parse_dataset
from rhc_app.security import audit
from rhc_app.services import covering, dataset_held
from rhc_app.services.conversation_fields import import_fields, late_reasons
from rhc_app.services.dataset_rows import NewRows, conversation_fields, episode_fields
from rhc_app.services.errors import CaseworkError
from rhc_app.store import bulk, figures_version
from rhc_app.store.models import Child, Conversation, Episode, Organisation

BATCH = 1000  # rows written at a time; also the longest IN list of a look-up

# Told how far an import has gone: ("checked", rows so far, None) in the first pass,
# ("imported", rows so far, rows in the file) in the second.
Progress = Callable[[str, int, "int | None"], None]


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


def _file(source: bytes | BinaryIO, org: Organisation) -> DatasetFile:
    return DatasetFile(source, org.setting("extra_risk_factors"), late_reasons=late_reasons(org))


def validate(data: bytes, org: Organisation) -> ParseResult:
    return parse_dataset(data, org.setting("extra_risk_factors"), late_reasons=late_reasons(org))


def _set(obj: Any, name: str, value: Any) -> bool:
    """Assign only when different: re-sealing an unchanged value would rewrite the row."""
    if getattr(obj, name) == value:
        return False
    setattr(obj, name, value)
    return True


def _set_all(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        changed |= _set(obj, name, value)
    return changed


def _update_episode(row: DatasetRow, child_id: str, episode: Episode) -> bool:
    changed = _set(episode, "child_id", child_id)  # re-assigned to another child
    return _set_all(episode, episode_fields(row)) or changed


def _update(row: DatasetRow, child_id: str, episode: Episode, conv: Conversation) -> bool:
    """Set an existing episode's and conversation's fields from the row; True if any changed."""
    changed = _update_episode(row, child_id, episode)
    # A conversation being written, awaiting sign-off or completed in the app changes only
    # in the app; otherwise the row (the last one for an episode) wins.
    if not lifecycle.app_holds(conv.status, conv.completed_at is not None):
        changed |= _set_all(conv, conversation_fields(row))
        changed |= import_fields(conv, row)
    return changed


def _child_changes(child: Child, row: DatasetRow) -> bool:
    """An existing child updated from its first row in the file: given cells only."""
    changed = False
    dob = row.date_of_birth.isoformat() if row.date_of_birth else None
    for name, value in (("name", row.child_name), ("date_of_birth", dob),
                        ("gender", row.gender), ("ethnicity", row.ethnicity),
                        ("placing_authority", row.placing_authority),
                        ("host_area", row.host_area)):
        if value:
            changed |= _set(child, name, value)
    return changed


@dataclass
class _Batch:
    """Up to BATCH rows (with their keyed hashes) and what they add, not yet written."""

    rows: list[tuple[DatasetRow, str, str]] = field(default_factory=list)
    episode_keys: set[str] = field(default_factory=set)
    # New rows, as plain values for Core INSERTs (dataset_rows).
    children: list[dict[str, Any]] = field(default_factory=list)
    episodes: list[dict[str, Any]] = field(default_factory=list)
    convs: list[dict[str, Any]] = field(default_factory=list)


class _Writer:
    """Writes rows a batch at a time. Between batches it keeps only each child's id by keyed
    hash: a child's later rows need it, and only its first row in the file updates it."""

    def __init__(self, s: Session, ring: KeyRing, org: Organisation, user_id: str | None
                 ) -> None:
        self.s, self.ring, self.org_id, self.user_id = s, ring, org.id, user_id
        self.child_ids: dict[str, str] = {}
        self.summary = ImportSummary()
        self.covers = covering.covering_ids(s, org.id)  # once, not a query a row
        self.new = NewRows(ring, org.id, user_id)

    def write(self, rows: Iterable[DatasetRow], progress: Progress | None = None,
              total: int | None = None) -> ImportSummary:
        batch = _Batch()
        for row in rows:
            eidx = self.ring.index("episode_ref", row.episode_ref)
            # An episode twice in one batch is written in the next, so the later row wins.
            if len(batch.rows) >= BATCH or eidx in batch.episode_keys:
                self._write(batch, progress, total)
                batch = _Batch()
            batch.rows.append((row, self.ring.index("child_ref", row.child_ref), eidx))
            batch.episode_keys.add(eidx)
        if batch.rows:
            self._write(batch, progress, total)
        return self.summary

    def _write(self, batch: _Batch, progress: Progress | None, total: int | None) -> None:
        s, org_id = self.s, self.org_id
        wanted = {cidx for _row, cidx, _e in batch.rows if cidx not in self.child_ids}
        children = {c.case_reference_index: c for c in s.execute(select(Child).where(
            Child.organisation_id == org_id, Child.case_reference_index.in_(wanted))).scalars()
        } if wanted else {}
        held = dataset_held.held(s, org_id, batch.episode_keys)
        changing = []
        for row, cidx, eidx in batch.rows:
            child_id = self._child(row, cidx, children.get(cidx), batch)
            found = held.get(eidx)
            if found is None:
                self._new_episode(row, child_id, eidx, batch)
            elif dataset_held.unchanged(row, child_id, found):
                self.summary.unchanged += 1
            else:
                changing.append((row, child_id, found))
        if changing:
            self._update_all(changing, batch)
        with s.no_autoflush:  # children first: an existing episode may move to a new one
            for model, values in ((Child, batch.children), (Episode, batch.episodes),
                                  (Conversation, batch.convs)):
                bulk.insert_rows(s, model.__table__, values)
        # Flushed, the batch's objects are clean: the session holds those only weakly, so
        # they go when this returns.
        s.flush()
        self.summary.rows += len(batch.rows)
        if progress:
            progress("imported", self.summary.rows, total)

    def _update_all(self, rows: list[tuple[DatasetRow, str, dataset_held.Held]],
                    batch: _Batch) -> None:
        """The rows that change what is held, through the models."""
        episodes, convs = dataset_held.models_for(self.s, rows)
        for row, child_id, found in rows:
            episode = episodes[found.episode.id]
            conv = convs.get(episode.id)
            if conv is None:  # an episode without one gets it, as the app would start it
                _update_episode(row, child_id, episode)
                batch.convs.append(self.new.conversation(row, episode.id))
                self.summary.episodes_updated += 1
            elif _update(row, child_id, episode, conv):
                if conv.id in self.covers:  # the episodes it covers count by its facts too
                    covering.sync(self.s, conv)
                self.summary.episodes_updated += 1
            else:
                self.summary.unchanged += 1

    def _child(self, row: DatasetRow, cidx: str, child: Child | None, batch: _Batch) -> str:
        """The row's child's id: added, or (at its first row in the file) updated."""
        if cidx in self.child_ids:
            return self.child_ids[cidx]
        if child is not None:
            self.summary.children_updated += int(_child_changes(child, row))
            self.child_ids[cidx] = child.id
        else:
            batch.children.append(self.new.child(row, cidx))
            self.summary.children_added += 1
            self.child_ids[cidx] = batch.children[-1]["id"]
        return self.child_ids[cidx]

    def _new_episode(self, row: DatasetRow, child_id: str, eidx: str, batch: _Batch) -> None:
        batch.episodes.append(self.new.episode(row, child_id, eidx))
        batch.convs.append(self.new.conversation(row, batch.episodes[-1]["id"]))
        self.summary.episodes_added += 1


def _write_all(s: Session, ring: KeyRing, org: Organisation, rows: Iterable[DatasetRow],
               user_id: str | None, progress: Progress | None = None,
               total: int | None = None) -> ImportSummary:
    with bulk.import_cache(s):
        summary = _Writer(s, ring, org, user_id).write(rows, progress, total)
        s.flush()
    # The rows went in as Core inserts, unseen by the session's listener: the figures change.
    figures_version.mark(s, [org.id])
    return summary


def _audit(s: Session, org: Organisation, summary: ImportSummary, user_id: str | None) -> None:
    audit.record(s, "dataset_imported", user_id=user_id, org_id=org.id,
                 detail=f"{summary.rows} rows")


def import_rows(s: Session, ring: KeyRing, org: Organisation, rows: Iterable[DatasetRow],
                user_id: str | None = None) -> ImportSummary:
    """Add or update every row (already checked); the caller commits (or rolls back) the
    whole file at once."""
    summary = _write_all(s, ring, org, rows, user_id)
    _audit(s, org, summary, user_id)
    return summary


def _checked(rows: Iterator[DatasetRow], progress: Progress | None) -> Iterator[DatasetRow]:
    for n, row in enumerate(rows, start=1):
        if progress and n % BATCH == 0:
            progress("checked", n, None)
        yield row


def import_file(s: Session, ring: KeyRing, org: Organisation, source: bytes | BinaryIO,
                user_id: str | None = None, progress: Progress | None = None
                ) -> tuple[list[RowError], ImportSummary | None]:
    """Check every row of the file, then (if none has an error) read it again and write it.
    Every error and no summary, or no error and the summary. The caller commits, or rolls
    back on CaseworkError (the file changed between the passes)."""
    file = _file(source, org)
    for _row in _checked(file.rows(), progress):
        pass  # the first pass keeps nothing of a row
    if file.errors:
        return file.errors, None
    total = file.count
    summary = _write_all(s, ring, org, file.rows(), user_id, progress, total)
    if file.errors or file.count != total:
        raise CaseworkError("the file changed while it was being imported: nothing was "
                            "imported, import it again")
    _audit(s, org, summary, user_id)
    return [], summary
