"""Managers: accounts an administrator created or reset wait here for a manager's approval,
and every such change of the last weeks is listed (see invitations.py)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for

from rhc_app.services import invitations
from rhc_app.web.common import user
from rhc_app.web.extensions import db
from rhc_app.web.reports.views import bp


def notice() -> dict[str, Any]:
    """For the team page: how many accounts wait, and how many changes there were."""
    org_id = user().organisation_id
    return {"waiting": len(invitations.awaiting(db(), org_id)),
            "changes": len(invitations.recent_changes(db(), org_id)),
            "days": invitations.NOTICE_DAYS}


@bp.get("/team/accounts")
def accounts() -> Any:
    org_id = user().organisation_id
    waiting = [m for m in invitations.awaiting(db(), org_id) if m.id != user().id]
    return render_template("reports/accounts.html", waiting=waiting,
                           changes=invitations.recent_changes(db(), org_id),
                           days=invitations.NOTICE_DAYS, title="Accounts to check")


def _approvable(user_id: str) -> Any:
    member = invitations.approvable(db(), user(), user_id)
    if member is None:
        abort(404)
    return member


@bp.post("/team/accounts/<user_id>/approve")
def approve_account(user_id: str) -> Any:
    member = _approvable(user_id)
    second = invitations.approve(db(), member, user())
    db().commit()
    # Shown once, in this answer only (as an administrator's one-time password is).
    return render_template("reports/account_approved.html", member=member, second=second,
                           title="Account approved")


@bp.post("/team/accounts/<user_id>/refuse")
def refuse_account(user_id: str) -> Any:
    member = _approvable(user_id)
    invitations.decline(db(), member, user())
    db().commit()
    flash(f"{member.name}’s account is refused and disabled. Tell your administrator.",
          "success")
    return redirect(url_for("reports.accounts"))
