"""From the database models to the plain records the document builders take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import object_session

from rhc_app.documents.records import (
    AmendmentInfo,
    ChildInfo,
    ConversationRecord,
    EpisodeInfo,
    OrganisationInfo,
    PersonEntry,
    PlaceEntry,
)
from rhc_app.domain.child_summary import SummaryFacts
from rhc_app.domain.risk_factors import label_for
from rhc_app.domain.uk_time import london_date
from rhc_app.domain.vocabulary import ACTIONS, AREAS, MISSING_FROM, label_of
from rhc_app.services.amendments import trail
from rhc_app.services.canvas import normalise_canvas
from rhc_app.store.models import Conversation, User


def _yes(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


@dataclass(frozen=True)
class CanvasParts:
    """What the documents show of a canvas (plain data: the benchmark builds it too)."""

    areas: dict[str, str]
    people: list[PersonEntry]
    places: list[PlaceEntry]
    risk_factors: list[tuple[str, str]]
    actions: list[tuple[str, str]]
    details: dict[str, str]


def canvas_parts(raw: dict[str, Any], extra_risk_factors: Any = None) -> CanvasParts:
    canvas = normalise_canvas(raw)
    areas = {k: canvas["areas"].get(k, "") for k in AREAS}
    # Untagged or tagged quick notes belong in the record too, under their area.
    for note in canvas["notes"]:
        key = note.get("area") or ""
        text = note.get("text", "")
        if key in areas:
            areas[key] = (areas[key] + "\n\nQuick note: " + text).strip()
        else:
            areas["themes"] = (areas["themes"] + "\n\nUnsorted note: " + text).strip()
    actions = [(ACTIONS.get(a, a), "") for a in canvas["actions"]]
    if canvas["actions_detail"]:
        actions.append(("Details", canvas["actions_detail"]))
    return CanvasParts(
        areas=areas,
        people=[PersonEntry(name=p.get("name", ""), description=p.get("description", ""),
                            approximate_age=p.get("approximate_age") or None,
                            relationship=p.get("relationship", ""), concern=p.get("concern", ""))
                for p in canvas["people"]],
        places=[PlaceEntry(name=p.get("name", ""), area=p.get("area", ""),
                           slept_there=_yes(p.get("slept_there")), concern=p.get("concern", ""))
                for p in canvas["places"]],
        risk_factors=[(c, label_for(c, extra_risk_factors)) for c in canvas["risk_factors"]],
        actions=actions, details=canvas["details"])


def conversation_record(conv: Conversation, worker: User, produced_at: datetime
                        ) -> ConversationRecord:
    episode = conv.episode
    child = episode.child
    org = worker.organisation
    parts = canvas_parts(conv.canvas, org.setting("extra_risk_factors"))
    details = parts.details
    dob = date.fromisoformat(child.date_of_birth) if child.date_of_birth else None
    return ConversationRecord(
        organisation=OrganisationInfo(org.name),
        child=ChildInfo(name=child.name, date_of_birth=dob,
                        case_reference=child.case_reference or ""),
        episode=EpisodeInfo(reported_missing_at=episode.reported_missing_at,
                            found_at=episode.found_at, police_risk=episode.police_risk,
                            police_reference=episode.police_reference or "",
                            missing_from=label_of(MISSING_FROM, episode.missing_from, "")),
        produced_at=produced_at, offered_at=conv.offered_at, outcome=conv.outcome,
        held_at=conv.held_at, method=details.get("method") or None,
        location=details.get("location", ""), present=details.get("present", ""),
        seen_alone=_yes(details.get("seen_alone")), areas=parts.areas, people=parts.people,
        places=parts.places, risk_factors=parts.risk_factors, actions=parts.actions,
        child_summary=conv.child_summary or "",
        worker_name=worker.name or "", worker_role=worker.role.title(),
        amendments=_amendments(conv))


def _amendments(conv: Conversation) -> list[AmendmentInfo]:
    s = object_session(conv)
    if s is None:
        return []
    return [AmendmentInfo(at=a.at, by=a.by, reason=a.reason, subject=a.subject,
                          changes=[c.what if c.before is None
                                   else f"{c.what}: {c.before} to {c.after}" for c in a.changes])
            for a in trail(s, conv)]


def summary_facts(conv: Conversation, worker: User) -> SummaryFacts:
    """Only what the child may read: never the analysis, carers' words or other people."""
    canvas = normalise_canvas(conv.canvas)
    child = conv.episode.child
    talked = [k for k in ("victims", "offenders", "locations", "themes", "push_factors",
                          "pull_factors", "safety_advice")
              if canvas["areas"].get(k, "").strip()]
    advice = ["helplines"] if canvas["details"].get("helplines_given") else []
    return SummaryFacts(
        child_first_name=(child.name or "").split()[0] if child.name else "",
        worker_first_name=(worker.name or "").split()[0] if worker.name else "",
        talked_on=london_date(conv.held_at) if conv.held_at else None,  # the child's date
        child_wants=canvas["areas"].get("child_wants", ""),
        areas=talked, safety_advice=advice,
        next_steps=[ACTIONS[a] for a in canvas["actions"] if a in ACTIONS and a != "other"])
