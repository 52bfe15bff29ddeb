"""The weekly multi-agency missing meeting for one week: one function per section, in the
order the meeting takes them (SECTIONS), then what changed since the week before.

Each section function takes (session, organisation, week, now) and returns a
``domain.weekly.Section``. To add one, write a function of that shape (the oversight ones are
in `services/weekly_oversight.py`) and add it to SECTIONS; give it ``measures`` and the change
section compares them too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, load_only

from rhc_app.domain import figures, uk_time, vocabulary
from rhc_app.domain.weekly import Section, SectionRow, Week, change_text, episodes_in_days
from rhc_app.services import weekly_oversight
from rhc_app.services.figure_lists import worker_names
from rhc_app.store.models import Child, Conversation, Episode, Organisation

SectionFunction = Callable[[Session, Organisation, Week, datetime], Section]


def _care(in_care: bool) -> str:
    return vocabulary.CARE_STATUSES["in_care" if in_care else "at_home"]


def _episodes(s: Session, org: Organisation, *where: object) -> list[tuple[Episode, Child,
                                                                          Conversation | None]]:
    return [tuple(r) for r in s.execute(  # type: ignore[misc]
        select(Episode, Child, Conversation)
        .join(Child, Child.id == Episode.child_id)
        .outerjoin(Conversation, Conversation.episode_id == Episode.id)
        .where(Episode.organisation_id == org.id, *where)
        .options(load_only(Child.id, Child.case_reference_enc))
        .order_by(Episode.reported_missing_at, Episode.id)).all()]


def went_missing(s: Session, org: Organisation, week: Week, now: datetime) -> Section:
    """Children reported missing in the week, with their episodes in 30 and 90 days to the
    end of the week and their care status (from their latest episode)."""
    lo, hi = week.starts()
    found = _episodes(s, org, Episode.reported_missing_at >= lo, Episode.reported_missing_at < hi)
    per_child: dict[str, list[tuple[Episode, Child, Conversation | None]]] = defaultdict(list)
    for row in found:
        per_child[row[1].id].append(row)
    history: dict[str, list[datetime]] = defaultdict(list)
    ids = list(per_child)
    for i in range(0, len(ids), 1000):  # bounded IN lists
        for child_id, at in s.execute(select(Episode.child_id, Episode.reported_missing_at).where(
                Episode.child_id.in_(ids[i:i + 1000]), Episode.reported_missing_at < hi,
                Episode.reported_missing_at >= hi - timedelta(days=90))):
            history[child_id].append(at)
    rows = []
    for child_id, episodes in per_child.items():
        latest, child, conv = episodes[-1]
        rows.append((episodes_in_days(history[child_id], hi, 30), child.case_reference or "",
                     SectionRow((child.case_reference or "", str(len(episodes)),
                                 str(episodes_in_days(history[child_id], hi, 30)),
                                 str(episodes_in_days(history[child_id], hi, 90)),
                                 _care(latest.in_care)), conv.id if conv else None)))
    rows.sort(key=lambda r: (-r[0], r[1]))
    return Section("went_missing", "Children who went missing",
                   ("Case reference", "Episodes this week", "Episodes in 30 days",
                    "Episodes in 90 days", "Care status"), tuple(r[2] for r in rows),
                   note="Episodes in 30 and 90 days are counted to the end of the week.",
                   measures={"Children who went missing": len(per_child),
                             "Missing episodes reported": len(found)})


def still_missing(s: Session, org: Organisation, week: Week, now: datetime) -> Section:
    """Episodes with no found time by the end of the week (or now, for the current week)."""
    cutoff = min(week.starts()[1], now)
    found = _episodes(s, org, Episode.reported_missing_at < cutoff,
                      or_(Episode.found_at.is_(None), Episode.found_at >= cutoff))
    rows = tuple(SectionRow((child.case_reference or "",
                             uk_time.format_datetime(e.reported_missing_at),
                             uk_time.format_duration(cutoff - uk_time.as_utc(e.reported_missing_at)),
                             vocabulary.label_of(vocabulary.POLICE_RISKS, e.police_risk,
                                                 vocabulary.POLICE_RISK_NOT_KNOWN),
                             _care(e.in_care)), conv.id if conv else None)
                 for e, child, conv in found)
    return Section("still_missing", "Children still missing",
                   ("Case reference", "Reported missing", "Missing for", "Police risk",
                    "Care status"), rows,
                   note=f"No found time recorded by {uk_time.format_datetime(cutoff)}.",
                   measures={"Children still missing": len({c.id for _e, c, _v in found})})


def not_offered_in_time(s: Session, org: Organisation, week: Week, now: datetime) -> Section:
    """Conversations whose 72 hours ran out during the week without an offer in time (the
    rule of the figures: domain.figures.offered_within_timescale)."""
    lo, hi = week.starts()
    cutoff = min(hi, now)
    found = _episodes(s, org, Episode.found_at >= lo - uk_time.DEADLINE,
                      Episode.found_at < cutoff - uk_time.DEADLINE)
    late = [(e, child, conv) for e, child, conv in found
            if not (conv and figures.offered_within_timescale(e.found_at, conv.offered_at,
                                                              conv.held_at))]
    names = worker_names(s, org)
    rows = tuple(SectionRow((child.case_reference or "", uk_time.format_datetime(e.found_at),
                             uk_time.format_datetime(conv.offered_at) if conv and conv.offered_at
                             else "Not offered",
                             vocabulary.label_of(vocabulary.STATUSES, conv.status if conv else ""),
                             names.get(conv.worker_id or "", "Not allocated") if conv
                             else "Not allocated"), conv.id if conv else None)
                 for e, child, conv in late)
    return Section("not_offered_in_time", "Conversations not offered within 72 hours",
                   ("Case reference", "Found", "Offered", "Status", "Held by"), rows,
                   note="The 72 hours from the time found ended during the week.",
                   measures={"Conversations not offered within 72 hours": len(late)})


#: The meeting's sections in order; the change section stays last.
SECTIONS: list[SectionFunction] = [went_missing, still_missing, not_offered_in_time,
                                   weekly_oversight.decisions_due,
                                   weekly_oversight.actions_overdue]


def changes_since_last_week(this_week: list[Section], last_week: list[Section]) -> Section:
    before = {k: v for section in last_week for k, v in section.measures.items()}
    rows = tuple(SectionRow((name, str(n), str(before.get(name, 0)),
                             change_text(n, before.get(name, 0))))
                 for section in this_week for name, n in section.measures.items())
    return Section("changes", "What changed since last week",
                   ("", "This week", "Last week", "Change"), rows)


def meeting(s: Session, org: Organisation, week: Week, now: datetime) -> list[Section]:
    sections = [make(s, org, week, now) for make in SECTIONS]
    previous = [make(s, org, week.previous, now) for make in SECTIONS]
    return [*sections, changes_since_last_week(sections, previous)]
