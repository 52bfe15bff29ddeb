"""One action or referral: what it is, who owns it, when it is due, where it stands."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
)
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from rhc_app.domain.follow_up import NOTE_MAX
from rhc_app.domain.vocabulary import ACTION_STATUSES, choices
from rhc_app.web.fields import DayMonthYearField

TOO_LONG = f"Enter {NOTE_MAX:,} characters or fewer"


class ActionForm(FlaskForm):
    """The choices of action and owner are the organisation's and the conversation's: the view
    sets them; the rules (a reason for "not done", an owner who can open the conversation) are
    checked in services/follow_up.py."""

    kind = SelectField("Action or referral", widget=GovSelect(),
                       validators=[InputRequired("Select the action or referral")])
    detail = TextAreaField("Details (optional)", widget=GovCharacterCount(),
                           description="For example, who it is with or what it is for",
                           validators=[Optional(), Length(max=NOTE_MAX, message=TOO_LONG)])
    owner_id = SelectField("Who owns it", widget=GovSelect(),
                           validators=[InputRequired("Select who owns this action")])
    due_on = DayMonthYearField("Due date (optional)", widget=GovDateInput(),
                               description="For example, 27 3 2027")
    status = RadioField("Where it stands", widget=GovRadioInput(),
                        choices=choices(ACTION_STATUSES), default="open",
                        validators=[InputRequired("Select where this action stands")])
    outcome = TextAreaField("Outcome", widget=GovCharacterCount(),
                            description="What came of it. If it was not done, why not.",
                            validators=[Optional(), Length(max=NOTE_MAX, message=TOO_LONG)])
    submit = SubmitField("Save the action", widget=GovSubmitInput())
