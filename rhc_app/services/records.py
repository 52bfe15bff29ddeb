"""From the database models to the plain records the document builders take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import object_session

from rhc_app.documents.records import (
    ACTION_DETAILS_LABEL,
    DEFAULT_HANDLING,
    AmendmentInfo,
    AttemptInfo,
    ChildInfo,
    ConversationRecord,
    EpisodeInfo,
    FollowUpInfo,
    OrganisationInfo,
    OversightInfo,
    PersonEntry,
    PersonInfo,
    PlaceEntry,
    SignOffInfo,
)
from rhc_app.documents.strategy_section import DecisionInfo
from rhc_app.domain.child_summary import SummaryFacts
from rhc_app.domain.risk_factors import label_for
from rhc_app.domain.uk_time import london_date, today_in_london
from rhc_app.domain.vocabulary import ACTIONS, AREAS, MISSING_FROM, label_of
from rhc_app.services import covering, follow_up, oversight, strategy
from rhc_app.services.amendments import trail
from rhc_app.services.canvas import normalise_canvas
from rhc_app.services.conversation_fields import record_fields
from rhc_app.store.models import Conversation, Organisation, User


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
    child_words: str = ""


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
        actions.append((ACTION_DETAILS_LABEL, canvas["actions_detail"]))
    return CanvasParts(
        areas=areas,
        people=[PersonEntry(name=p.get("name", ""), description=p.get("description", ""),
                            approximate_age=p.get("approximate_age") or None,
                            relationship=p.get("relationship", ""), concern=p.get("concern", ""))
                for p in canvas["people"] if not p.get("do_not_share")],  # the child's wish
        places=[PlaceEntry(name=p.get("name", ""), area=p.get("area", ""),
                           slept_there=_yes(p.get("slept_there")), concern=p.get("concern", ""))
                for p in canvas["places"] if not p.get("do_not_share")],
        risk_factors=[(c, label_for(c, extra_risk_factors)) for c in canvas["risk_factors"]],
        actions=actions, details=canvas["details"], child_words=canvas["child_words"])


def held_by(conv: Conversation) -> User | None:
    """Who held the conversation: the allocated worker, else whoever completed it. Never the
    person downloading a copy (a manager's download must not sign the child's letter)."""
    if conv.worker is not None:
        return conv.worker
    s = object_session(conv)
    return s.get(User, conv.completed_by) if s is not None and conv.completed_by else None


def _name(conv: Conversation, user_id: str | None) -> str:
    s = object_session(conv)
    person = s.get(User, user_id) if s is not None and user_id else None
    return (person.name or "") if person is not None else ""


def _signoff(conv: Conversation) -> SignOffInfo:
    return SignOffInfo(status=conv.status, completed_at=conv.completed_at,
                       signed_off_at=conv.signed_off_at,
                       signed_off_by=_name(conv, conv.signed_off_by),
                       returned_at=conv.returned_at, returned_by=_name(conv, conv.returned_by),
                       return_reason=conv.return_reason or "")


def organisation_info(org: Organisation) -> OrganisationInfo:
    return OrganisationInfo(org.name,
                            handling=org.setting("handling_instructions") or DEFAULT_HANDLING,
                            team_contact=org.setting("team_contact") or "")


def conversation_record(conv: Conversation, producer: User, produced_at: datetime
                        ) -> ConversationRecord:
    """The record as the documents show it, produced by ``producer`` (who may not be the
    worker who held the conversation)."""
    episode = conv.episode
    child = episode.child
    org = producer.organisation
    holder = held_by(conv)
    parts = canvas_parts(conv.canvas, org.setting("extra_risk_factors"))
    d = parts.details
    dob = date.fromisoformat(child.date_of_birth) if child.date_of_birth else None
    return ConversationRecord(
        organisation=organisation_info(org),
        child=ChildInfo(name=child.name, date_of_birth=dob,
                        case_reference=child.case_reference or ""),
        episode=EpisodeInfo(reported_missing_at=episode.reported_missing_at,
                            found_at=episode.found_at, police_risk=episode.police_risk,
                            police_reference=episode.police_reference or "",
                            missing_from=label_of(MISSING_FROM, episode.missing_from, ""),
                            found_where=episode.found_where or ""),
        produced_at=produced_at, offered_at=conv.offered_at, outcome=conv.outcome,
        outcome_reason=conv.outcome_reason or "",
        held_at=conv.held_at, method=d.get("method") or None,
        location=d.get("location", ""), present=d.get("present", ""),
        seen_alone=_yes(d.get("seen_alone")), consent_to_share=_yes(conv.consent_to_share),
        independent_offered=_yes(d.get("independent_offered")), language=d.get("language", ""),
        interpreter=_yes(d.get("interpreter")), sees_self_missing=d.get("sees_self_missing", ""),
        how_got_home=d.get("how_got_home", ""), helplines_given=d.get("helplines_given", ""),
        child_words=parts.child_words,
        attempts=[AttemptInfo(at=a.at, method=a.method, result=a.result or "")
                  for a in conv.attempts],
        areas=parts.areas, people=parts.people,
        places=parts.places, risk_factors=parts.risk_factors, actions=parts.actions,
        child_summary=conv.child_summary or "",
        worker_name=(holder.name or "") if holder else "",
        worker_role=holder.role.title() if holder else "",
        produced_by=PersonInfo(producer.name or "", producer.role.title(), org.name),
        signoff=_signoff(conv), amendments=_amendments(conv),
        follow_up=_follow_up(conv, produced_at), oversight=_oversight(conv),
        strategy_decisions=_strategy_history(conv), fields=record_fields(conv, org),
        covered_episodes=_covered(conv))


def _covered(conv: Conversation) -> list[EpisodeInfo]:
    s = object_session(conv)
    if s is None:
        return []
    return [EpisodeInfo(reported_missing_at=c.reported_missing_at, found_at=c.found_at,
                        found_where=c.found_where, police_reference=c.police_reference)
            for c in covering.summaries(s, conv)]


def _follow_up(conv: Conversation, produced_at: datetime) -> list[FollowUpInfo]:
    s = object_session(conv)
    if s is None:
        return []
    return [FollowUpInfo(label=a.kind_label,
                         status=f"{a.status_label} (overdue)" if a.overdue else a.status_label,
                         owner=a.owner_name, due_on=a.action.due_on,
                         detail=a.action.detail or "", outcome=a.action.outcome or "")
            for a in follow_up.actions_of(s, conv, today_in_london(produced_at))]


def _oversight(conv: Conversation) -> list[OversightInfo]:
    s = object_session(conv)
    if s is None:
        return []
    return [OversightInfo(at=e.at, by=e.by, decision=e.label, comment=e.comment)
            for e in oversight.history(s, conv)]


def _strategy_history(conv: Conversation) -> list[DecisionInfo]:
    s = object_session(conv)
    return strategy.history(s, conv.episode.child) if s is not None else []


def _amendments(conv: Conversation) -> list[AmendmentInfo]:
    s = object_session(conv)
    if s is None:
        return []
    return [AmendmentInfo(at=a.at, by=a.by, reason=a.reason, subject=a.subject,
                          changes=[c.what if c.before is None
                                   else f"{c.what}: {c.before} to {c.after}" for c in a.changes])
            for a in trail(s, conv)]


def summary_facts(conv: Conversation, worker: User | None) -> SummaryFacts:
    """Only what the child may read: never the analysis, carers' words or other people.
    ``worker`` is who held the conversation (see held_by); the child's words are only what
    was recorded as theirs, never the worker's note of what they want."""
    canvas = normalise_canvas(conv.canvas)
    child = conv.episode.child
    talked = [k for k in ("victims", "offenders", "locations", "themes", "push_factors",
                          "pull_factors", "child_wants", "safety_advice")
              if canvas["areas"].get(k, "").strip()]
    advice = ["helplines"] if canvas["details"].get("helplines_given") else []
    return SummaryFacts(
        child_first_name=(child.name or "").split()[0] if child.name else "",
        worker_first_name=(worker.name or "").split()[0] if worker and worker.name else "",
        talked_on=london_date(conv.held_at) if conv.held_at else None,  # the child's date
        child_words=canvas["child_words"],
        areas=talked, safety_advice=advice,
        next_steps=[ACTIONS[a] for a in canvas["actions"] if a in ACTIONS and a != "other"])
