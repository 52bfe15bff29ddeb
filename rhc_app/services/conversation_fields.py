"""What the record says beyond the conversation itself (issue 17): what the parents or carers
said when the child declined or could not be reached, a decision not to offer, why a late
offer or hold came late, and who held it.

Called from `conversations` (the outcome form and the canvas's saves) so every rule sits in
one place. No Flask; problems are `CaseworkError`s or field problems, as their callers use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rhc_app.documents.record_fields import RecordFields
from rhc_app.domain import delay_reasons
from rhc_app.domain.dataset import DatasetRow
from rhc_app.domain.vocabulary import HOLDER_ROLES, YES_NO, label_of
from rhc_app.services.canvas import empty_canvas, normalise_canvas, parse_held_at
from rhc_app.services.errors import CaseworkError
from rhc_app.store.models import Conversation, Episode, Organisation

CARERS_MAX = 5000


@dataclass
class OfferFields:
    """Typed on the outcome form next to what happened."""

    carers_said: str = ""
    late_reason: str = ""
    late_reason_note: str = ""
    not_offered_by: str = ""


def late_reasons(org: Organisation) -> dict[str, str]:
    return delay_reasons.reasons_for((org.settings or {}).get("late_reasons"))


def offer_time(conv: Conversation, action: str, at: datetime) -> datetime:
    """When the conversation counts as offered once this answer is saved, as record_outcome
    sets it (an answer without an offer before it counts as offered when answered)."""
    return at if action == "offer" else conv.offered_at or at


def apply_offer_fields(conv: Conversation, episode: Episode, org: Organisation, action: str,
                       at: datetime, reason: str | None, f: OfferFields) -> str:
    """Check and keep the outcome form's own fields; returns the lifecycle action (a decision
    not to offer is recorded as not completed). Raises CaseworkError (the caller rolls back)."""
    not_offered = action == "not_offered"
    if not_offered and not f.not_offered_by.strip():
        raise CaseworkError("Enter who decided not to offer the conversation", "not_offered_by")
    if not_offered and not (reason or "").strip():
        raise CaseworkError("Enter why it was decided not to offer the conversation", "reason")
    lifecycle_action = "not_completed" if not_offered else action
    offered = None if not_offered else offer_time(conv, lifecycle_action, at)
    late = delay_reasons.is_late(episode.found_at, offered)
    problem = delay_reasons.reason_problem(late, f.late_reason or None, f.late_reason_note,
                                           late_reasons(org), what="offered")
    if problem:
        field = "late_reason_note" if problem.startswith("Enter") else "late_reason"
        raise CaseworkError(problem, field)
    if len(f.carers_said) > CARERS_MAX:
        raise CaseworkError(f"Enter {CARERS_MAX:,} characters or fewer", "carers_said")
    if lifecycle_action in ("declined", "not_completed"):
        conv.carers_said = f.carers_said.strip() or None
    conv.not_offered = not_offered
    conv.not_offered_by = f.not_offered_by.strip() if not_offered else None
    if f.late_reason:
        _keep_late_reason(conv, f.late_reason, f.late_reason_note)
    return lifecycle_action


def _keep_late_reason(conv: Conversation, code: str, note: str) -> None:
    """In the canvas as well as its column, so the canvas shows it and its saves keep it."""
    canvas = conv.canvas
    canvas.setdefault("details", {}).update(
        late_reason=code, late_reason_note=note.strip() if code == "other" else "")
    conv.canvas = canvas
    conv.late_reason = code
    conv.version += 1  # a draft of the old canvas must not overwrite it unseen


def canvas_problems(canvas: dict[str, Any], episode: Episode, org: Organisation,
                    strict: bool) -> dict[str, str]:
    """The canvas's late reason and holder, checked. A late hold without its reason is
    refused only when the worker saves or completes (``strict``): an autosave refused while
    they are still typing would lose what they typed."""
    d = canvas["details"]
    problems: dict[str, str] = {}
    if d.get("holder_role") not in ("", None, *HOLDER_ROLES):
        problems["holder_role"] = "Choose one of the options"
    if d.get("holder_independent") not in ("", None, *YES_NO):
        problems["holder_independent"] = "Choose yes or no"
    try:
        held = parse_held_at(d.get("held_at"))
    except ValueError:
        held = None  # reported on its own box by check_canvas
    late = strict and delay_reasons.is_late(episode.found_at, held)
    problem = delay_reasons.reason_problem(late, d.get("late_reason") or None,
                                           d.get("late_reason_note"), late_reasons(org))
    if problem:
        problems["late_reason_note" if problem.startswith("Enter") else "late_reason"] = problem
    return problems


def canvas_columns(canvas: dict[str, Any]) -> dict[str, Any]:
    """The plain columns the figures count, from the canvas's details."""
    d = canvas["details"]
    independent = d.get("holder_independent") or ""
    return {"late_reason": d.get("late_reason") or None,
            "holder_role": d.get("holder_role") or None,
            "holder_independent": {"yes": True, "no": False}.get(independent)}


def holder_defaults(org: Organisation) -> dict[str, str]:
    """What the canvas suggests until the worker confirms: an independent provider's worker
    is independent of the child's care; a council's is asked."""
    if org.kind == "provider":
        return {"holder_role": "provider_worker", "holder_independent": "yes"}
    return {"holder_role": "missing_worker", "holder_independent": "no"}


def record_fields(conv: Conversation, org: Organisation) -> RecordFields:
    """This part of the record in words, for the documents."""
    child = conv.episode.child
    late = ""
    if conv.late_reason:
        note = (conv.canvas.get("details", {}).get("late_reason_note") or "").strip()
        late = label_of(late_reasons(org), conv.late_reason)
        late += f": {note}" if note and conv.late_reason == "other" else ""
    return RecordFields(
        carers_said=conv.carers_said or "", not_offered=bool(conv.not_offered),
        not_offered_by=conv.not_offered_by or "", late_reason=late,
        holder_role=label_of(HOLDER_ROLES, conv.holder_role, ""),
        holder_independent=conv.holder_independent,
        placing_authority=child.placing_authority or "", host_area=child.host_area or "")


def _imported(row: DatasetRow) -> dict[str, str]:
    """The row's late reason and holder, where it gives them, as the canvas's details."""
    given = {"late_reason": row.late_reason, "holder_role": row.holder_role,
             "holder_independent": {True: "yes", False: "no"}.get(row.held_by_independent)}
    return {k: v for k, v in given.items() if v}


def import_fields(conv: Conversation, row: DatasetRow) -> bool:
    """A dataset row's late reason and holder, where the row gives them (an empty cell, or an
    older file without the columns, changes nothing). Kept in the canvas too, as the canvas's
    saves copy its details to these columns. True if anything changed."""
    given = _imported(row)
    if not given:  # nothing to compare: the sealed record is not opened
        return False
    canvas = conv.canvas
    details = canvas.setdefault("details", {})
    if all(details.get(k) == v for k, v in given.items()):
        return False
    details.update(given)
    conv.canvas = canvas
    for name, value in canvas_columns(normalise_canvas(canvas)).items():
        setattr(conv, name, value)
    return True


def new_import_record(row: DatasetRow, empty: str) -> dict[str, Any]:
    """A new conversation's record and the columns it feeds, as :func:`import_fields` sets
    them on an empty canvas; ``empty`` is that canvas's JSON, made once per import."""
    given = _imported(row)
    if not given:
        return {"record": empty}
    canvas = empty_canvas()
    canvas["details"].update(given)
    return {"record": Conversation.record_text(canvas), **canvas_columns(normalise_canvas(canvas))}
