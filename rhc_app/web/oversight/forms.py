"""Strategy meeting decisions, and telling a senior manager of a child missing a long time."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovDateInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from rhc_app.domain.vocabulary import (
    STRATEGY_DECISIONS,
    STRATEGY_DECISIONS_MANAGER_ONLY,
    choices,
)
from rhc_app.services.still_missing import TOLD_MAX
from rhc_app.services.strategy import CHAIR_MAX, REASON_MAX
from rhc_app.web.fields import DayMonthYearField, LocalDateTimeField


class DecisionForm(FlaskForm):
    decision = RadioField("What was decided?", widget=GovRadioInput(),
                          choices=choices(STRATEGY_DECISIONS), validate_choice=False,
                          validators=[InputRequired("Select what was decided")])
    # Not revealed by the radios: GOV.UK's conditional reveal puts aria-expanded on a radio,
    # which axe refuses; each question says which answer it is for instead.
    held_on = DayMonthYearField("Date the meeting was held", widget=GovDateInput(),
                                description="If it was held. For example, 27 3 2026",
                                validators=[Optional()])
    chair = StringField("Who chaired it", widget=GovTextInput(),
                        description="If it was held: their name and role",
                        validators=[Optional(), Length(max=CHAIR_MAX, message=f"Enter "
                                                       f"{CHAIR_MAX} characters or fewer")])
    booked_for = DayMonthYearField("Date the meeting is booked for", widget=GovDateInput(),
                                   description="If it is booked. For example, 27 3 2026",
                                   validators=[Optional()])
    reason = TextAreaField("Why a strategy meeting is not needed", widget=GovCharacterCount(),
                           description="If it is not needed (a manager's decision)",
                           validators=[Optional(), Length(max=REASON_MAX, message="Enter "
                                                          "2,000 characters or fewer")])
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    def for_role(self, role: str) -> DecisionForm:
        """Only a manager is offered "not needed" (the service refuses it from anyone else)."""
        if role != "manager":
            self.decision.choices = [c for c in self.decision.choices  # type: ignore[union-attr]
                                     if c[0] not in STRATEGY_DECISIONS_MANAGER_ONLY]
        return self


class SeniorManagerForm(FlaskForm):
    told_name = StringField("Senior manager who was told", widget=GovTextInput(),
                            description="Their name and role",
                            validators=[InputRequired("Enter the name of the senior manager "
                                                      "who was told"),
                                        Length(max=TOLD_MAX, message=f"Enter {TOLD_MAX} "
                                               "characters or fewer")])
    told_at = LocalDateTimeField("When they were told", widget=GovTextInput(),
                                 description="The date and time, UK time",
                                 validators=[InputRequired("Enter the date and time they were "
                                                           "told")])
    submit = SubmitField("Save", widget=GovSubmitInput())
