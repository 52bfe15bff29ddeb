"""The weekly missing meeting's oversight sections: strategy meeting decisions due or overdue,
and actions overdue, each as it stood at the end of the week (or now, for the current week).
They follow the shape of `services.weekly`'s sections."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rhc_app.domain import uk_time, vocabulary
from rhc_app.domain.weekly import Section, SectionRow, Week
from rhc_app.services import strategy
from rhc_app.services.figure_lists import worker_names
from rhc_app.services.follow_up import kinds_for
from rhc_app.store.models import Child, Conversation, Episode, FollowUpAction, Organisation


def decisions_due(s: Session, org: Organisation, week: Week, now: datetime) -> Section:
    """Children whose strategy meeting decision was due or overdue at the end of the week."""
    cutoff = min(week.starts()[1], now)
    due = strategy.due_decisions(s, org, cutoff)
    rows = tuple(SectionRow((d.child.case_reference or "",
                             vocabulary.label_of(vocabulary.STRATEGY_STATES, d.state.state),
                             d.state.prompt or "",
                             uk_time.format_date(d.state.due_on) if d.state.due_on else ""))
                 for d in due)
    return Section("decisions_due", "Strategy meeting decisions due or overdue",
                   ("Case reference", "Decision", "Why", "Due by"), rows,
                   note=f"As it stood at {uk_time.format_datetime(cutoff)}.",
                   measures={"Strategy meeting decisions due or overdue": len(due)})


def actions_overdue(s: Session, org: Organisation, week: Week, now: datetime) -> Section:
    """Actions and referrals still open at the end of the week past their due day."""
    cutoff = min(week.starts()[1], now)
    cutoff_day = uk_time.london_date(cutoff)
    found = s.execute(
        select(FollowUpAction, Child, Conversation.id)
        .join(Conversation, Conversation.id == FollowUpAction.conversation_id)
        .join(Episode, Episode.id == Conversation.episode_id)
        .join(Child, Child.id == Episode.child_id)
        .where(FollowUpAction.organisation_id == org.id, FollowUpAction.due_on < cutoff_day,
               FollowUpAction.created_at < cutoff,
               or_(FollowUpAction.closed_at.is_(None), FollowUpAction.closed_at >= cutoff))
        .order_by(FollowUpAction.due_on, FollowUpAction.id)).all()
    kinds, names = kinds_for(org), worker_names(s, org)
    rows = tuple(SectionRow((child.case_reference or "",
                             vocabulary.label_of(kinds, a.kind),
                             names.get(a.owner_id or "", "Nobody"),
                             uk_time.format_date(a.due_on)), conv_id)
                 for a, child, conv_id in found)
    return Section("actions_overdue", "Actions and referrals overdue",
                   ("Case reference", "Action", "Owner", "Due"), rows,
                   note=f"Open at {uk_time.format_datetime(cutoff)}, past the day they were due.",
                   measures={"Actions and referrals overdue": len(found)})
