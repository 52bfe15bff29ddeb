"""The standard dataset in and out of the database, and the facts the reports count.

No Flask: the `rhc` commands and the upload page both call these, inside one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from rhc_app.crypto import KeyRing
from rhc_app.domain import ethnicity as ethnic_groups
from rhc_app.domain import figures, lifecycle
from rhc_app.domain.dataset import DatasetRow, ParseResult, parse_dataset
from rhc_app.domain.figures import EpisodeFacts
from rhc_app.security import audit
from rhc_app.services.casework import empty_canvas
from rhc_app.store.models import Child, Conversation, Episode, Organisation

LONDON = ZoneInfo("Europe/London")


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
    return parse_dataset(data, org.setting("extra_risk_factors"))


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


def import_rows(s: Session, ring: KeyRing, org: Organisation, rows: list[DatasetRow],
                user_id: str | None = None) -> ImportSummary:
    """Add or update every row; the caller commits (or rolls back) the whole file at once."""
    summary = ImportSummary(rows=len(rows))
    child_idx = {ring.index("child_ref", r.child_ref) for r in rows}
    children = {c.case_reference_index: c for c in s.execute(
        select(Child).where(Child.organisation_id == org.id)).scalars()
        if c.case_reference_index in child_idx}
    episodes = {e.episode_ref_index: e for e in s.execute(
        select(Episode).where(Episode.organisation_id == org.id,
                              Episode.episode_ref_index.is_not(None))).scalars()}
    convs = {c.episode_id: c for c in s.execute(
        select(Conversation).where(Conversation.organisation_id == org.id)).scalars()}
    new_convs: dict[str, Conversation] = {}  # made by this import, before they have ids
    seen_children: set[str] = set()
    for row in rows:
        cidx = ring.index("child_ref", row.child_ref)
        child = children.get(cidx)
        dob = row.date_of_birth.isoformat() if row.date_of_birth else None
        if child is None:
            child = Child(organisation_id=org.id, case_reference=row.child_ref,
                          case_reference_index=cidx, name=row.child_name or "",
                          name_index=ring.index("child_name", row.child_name or ""),
                          date_of_birth=dob, gender=row.gender or "not_recorded",
                          ethnicity=row.ethnicity, in_care=row.in_care, created_by=user_id)
            s.add(child)
            children[cidx] = child
            summary.children_added += 1
        elif cidx not in seen_children:
            changed = False
            if row.child_name:
                changed |= _set(child, "name", row.child_name)
            if dob:
                changed |= _set(child, "date_of_birth", dob)
            if row.gender:
                changed |= _set(child, "gender", row.gender)
            if row.ethnicity:
                changed |= _set(child, "ethnicity", row.ethnicity)
            summary.children_updated += int(changed)
        seen_children.add(cidx)
        eidx = ring.index("episode_ref", row.episode_ref)
        episode = episodes.get(eidx)
        created = episode is None
        if created:
            episode = Episode(organisation_id=org.id, child=child, episode_ref=row.episode_ref,
                              episode_ref_index=eidx, reported_missing_at=row.reported_missing_at)
            s.add(episode)
            episodes[eidx] = episode
            conv = Conversation(organisation_id=org.id, episode=episode, status="to_offer")
            conv.canvas = empty_canvas()
            s.add(conv)
            new_convs[eidx] = conv
        else:
            conv = convs.get(episode.id) or new_convs[eidx]
        changed = False
        if not created and (child.id is None or episode.child_id != child.id):
            episode.child = child  # the episode was re-assigned to another child
            changed = True
        for name, value in (("reported_missing_at", row.reported_missing_at),
                            ("found_at", row.found_at), ("police_risk", row.police_risk),
                            ("in_care", row.in_care),
                            ("missing_from", "care" if row.in_care else "home")):
            changed |= _set(episode, name, value)
        if not lifecycle.app_holds(conv.status, conv.completed_at is not None):
            changed |= _set_conversation(conv, row)
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


def _london_day_start(d: date) -> datetime:
    return datetime.combine(d, time(0), LONDON).astimezone(UTC)


def facts(s: Session, org: Organisation, start: date, end: date, *, personal: bool = False
          ) -> list[EpisodeFacts]:
    """Episodes reported missing between two UK dates (inclusive). The quarterly figures need
    only times and outcomes, so nothing else is loaded; `personal` adds gender and opens the
    sealed date of birth and ethnicity, for the breakdown."""
    lo, hi = _london_day_start(start), _london_day_start(end + timedelta(days=1))
    query = (select(Episode.reported_missing_at, Episode.found_at, Episode.in_care,
                    Episode.child_id, Conversation.offered_at, Conversation.outcome,
                    Conversation.held_at)
             .join(Conversation, Conversation.episode_id == Episode.id)
             .where(Episode.organisation_id == org.id, Episode.reported_missing_at >= lo,
                    Episode.reported_missing_at < hi))
    rows = s.execute(query).all()
    about: dict[str, tuple[date | None, str | None, str | None]] = {}
    if personal and rows:
        ids = list({r[3] for r in rows})
        for i in range(0, len(ids), 5000):  # bounded IN lists
            for child in s.execute(select(Child).where(Child.id.in_(ids[i:i + 5000]))).scalars():
                dob = date.fromisoformat(child.date_of_birth) if child.date_of_birth else None
                # Older free-text values are counted under their census category.
                about[child.id] = (dob, child.gender, ethnic_groups.display(child.ethnicity))
    out = []
    for reported, found, in_care, child_id, offered, outcome, held in rows:
        dob, gender, ethnicity = about.get(child_id, (None, None, None))
        out.append(EpisodeFacts(child_key=child_id, in_care=bool(in_care),
                                reported_missing_at=reported, found_at=found,
                                offered_at=offered, outcome=outcome, held_at=held,
                                date_of_birth=dob, gender=gender, ethnicity=ethnicity))
    return out


def _quarter_starts(year: int) -> list[datetime]:
    """1 April, 1 July, 1 October, 1 January and the next 1 April, at UK midnight, in UTC."""
    days = [date(year, 4, 1), date(year, 7, 1), date(year, 10, 1), date(year + 1, 1, 1),
            date(year + 1, 4, 1)]
    return [_london_day_start(d) for d in days]


def _within_72_hours(dialect: str) -> Any:
    """Held no earlier than found and at most 72 hours after (as figures.within_timescale)."""
    if dialect == "sqlite":
        seconds = (func.julianday(Conversation.held_at) - func.julianday(Episode.found_at)) * 86400
        # julianday is a float: half a second of slack either side keeps exactly 72 h within
        return and_(seconds >= -0.5, seconds <= 72 * 3600 + 0.5)
    gap = Conversation.held_at - Episode.found_at
    return and_(gap >= timedelta(0), gap <= timedelta(hours=72))


def quarterly_counts(s: Session, org: Organisation, year: int
                     ) -> dict[str, list[dict[str, int]]]:
    """The counts behind the quarterly tables of both cohorts, made by the database
    (Q1..Q4, then the year): a whole borough's history is counted without loading it.
    Tested against the reference definition in domain.figures."""
    starts = _quarter_starts(year)
    reported = Episode.reported_missing_at
    quarter = case((reported < starts[1], 1), (reported < starts[2], 2),
                   (reported < starts[3], 3), else_=4)
    offered = or_(Conversation.offered_at.is_not(None),
                  Conversation.outcome.in_(("accepted", "declined")))
    accepted = and_(offered, Conversation.outcome == "accepted")
    conditions = {
        "offered": offered, "accepted": accepted,
        "declined": Conversation.outcome == "declined",
        "within": and_(accepted, Conversation.held_at.is_not(None),
                       Episode.found_at.is_not(None),
                       _within_72_hours(s.get_bind().dialect.name)),
    }
    in_care = Episode.in_care.is_(True)

    def measures(only_in_care: bool) -> list[Any]:
        def when(cond: Any) -> Any:
            return and_(cond, in_care) if only_in_care else cond

        child = case((in_care, Episode.child_id)) if only_in_care else Episode.child_id
        return [func.count(func.distinct(child)),
                func.coalesce(func.sum(case((when(true()), 1), else_=0)), 0),
                *[func.coalesce(func.sum(case((when(c), 1), else_=0)), 0)
                  for c in conditions.values()]]

    columns = measures(False) + measures(True)
    keys = figures.COUNT_KEYS

    def query(*extra: Any) -> Any:
        return (select(*extra, *columns).join(Conversation, Conversation.episode_id == Episode.id)
                .where(Episode.organisation_id == org.id, reported >= starts[0],
                       reported < starts[4]))

    def split(values: Any) -> tuple[dict[str, int], dict[str, int]]:
        values = [int(v or 0) for v in values]
        return dict(zip(keys, values[:6], strict=True)), dict(zip(keys, values[6:], strict=True))

    per_quarter = {q: split(rest) for q, *rest in s.execute(query(quarter).group_by(quarter))}
    empty = (dict.fromkeys(keys, 0), dict.fromkeys(keys, 0))
    year_all, year_care = split(s.execute(query()).one())
    quarters = [per_quarter.get(q, empty) for q in (1, 2, 3, 4)]
    return {"all": [q[0] for q in quarters] + [year_all],
            "in-care": [q[1] for q in quarters] + [year_care]}


def quarterly_tables(s: Session, org: Organisation, year: int
                     ) -> dict[str, figures.QuarterlyTable]:
    return {cohort: figures.table_from_counts(year, cohort, counts)  # type: ignore[arg-type]
            for cohort, counts in quarterly_counts(s, org, year).items()}


def held_facts(s: Session, org: Organisation, start: date, end: date) -> list[EpisodeFacts]:
    """Conversations held in a period (risk factors count by when the conversation was held)."""
    lo, hi = _london_day_start(start), _london_day_start(end + timedelta(days=1))
    rows = s.execute(
        select(Conversation.held_at, Conversation.risk_factors, Episode.reported_missing_at,
               Episode.found_at, Episode.in_care, Episode.child_id)
        .join(Episode, Conversation.episode_id == Episode.id)
        .where(Conversation.organisation_id == org.id, Conversation.held_at >= lo,
               Conversation.held_at < hi)).all()
    return [EpisodeFacts(child_key=cid, in_care=bool(care), reported_missing_at=rep,
                         found_at=found, outcome="accepted", held_at=held,
                         risk_factors=tuple(codes or ()))
            for held, codes, rep, found, care, cid in rows]


def export_rows(s: Session, org: Organisation, start: date, end: date) -> Iterable[DatasetRow]:
    lo, hi = _london_day_start(start), _london_day_start(end + timedelta(days=1))
    found = s.execute(
        select(Episode, Conversation, Child)
        .join(Conversation, Conversation.episode_id == Episode.id)
        .join(Child, Child.id == Episode.child_id)
        .where(Episode.organisation_id == org.id, Episode.reported_missing_at >= lo,
               Episode.reported_missing_at < hi)
        .order_by(Episode.reported_missing_at)).all()
    for episode, conv, child in found:
        yield DatasetRow(
            child_ref=child.case_reference or child.id, child_name=None,
            date_of_birth=date.fromisoformat(child.date_of_birth) if child.date_of_birth
            else None, gender=child.gender, ethnicity=child.ethnicity, in_care=episode.in_care,
            episode_ref=episode.episode_ref or episode.id,
            reported_missing_at=episode.reported_missing_at, found_at=episode.found_at,
            police_risk=episode.police_risk, rhc_offered_at=conv.offered_at,
            rhc_outcome=conv.outcome, rhc_held_at=conv.held_at,  # type: ignore[arg-type]
            risk_factors=tuple(conv.risk_factors or ()))
