"""Administrators: users and organisation settings."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, IntegerField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from rhc_app.documents.records import DEFAULT_HANDLING, HANDLING_MAX, TEAM_CONTACT_MAX
from rhc_app.domain.delay_reasons import LABEL_MAX, LIST_MAX, code_of
from rhc_app.domain.vocabulary import ROLE_LABELS
from rhc_app.store.models import ROLES


class UserForm(FlaskForm):
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[DataRequired("Enter the person's name"),
                                   Length(max=200, message="Name must be 200 characters or fewer")])
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[DataRequired("Enter an email address"),
                                    # Possessive, so linear: "a@" and 10,000 dots no longer backtracks.
                                    Regexp(r"^[^@\s]++@[^@\s][^@\s.]*+\.[^@\s]++$",
                                           message="Enter an email address in the right format, "
                                                   "like name@example.org"),
                                    Length(max=254, message="Email address is too long")])
    role = RadioField("Role", widget=GovRadioInput(),
                      choices=[(r, ROLE_LABELS[r]) for r in ROLES],
                      validators=[InputRequired("Select a role")])
    submit = SubmitField("Add user", widget=GovSubmitInput())


class SettingsForm(FlaskForm):
    repeat_threshold = IntegerField(
        "Episodes that call for a strategy meeting", widget=GovTextInput(),
        description="A child with this many episodes within the window is flagged (usually 3)",
        validators=[InputRequired("Enter a number of episodes"),
                    NumberRange(2, 20, "Enter a number from 2 to 20")])
    repeat_window_days = IntegerField(
        "Window in days", widget=GovTextInput(),
        validators=[InputRequired("Enter a number of days"),
                    NumberRange(1, 365, "Enter a number of days from 1 to 365")])
    decision_working_days = IntegerField(
        "Working days to record a strategy meeting decision", widget=GovTextInput(),
        description="After an episode reaches the number above: held, booked or not needed "
                    "(empty for 5, so a weekly missing meeting falls inside it)",
        validators=[Optional(),
                    NumberRange(1, 20, "Enter a number of working days from 1 to 20")])
    in_care_meeting_day = IntegerField(
        "Day of missing by which a strategy meeting is due for a child in care",
        widget=GovTextInput(), description="Day 1 is the day the child was reported missing "
                                           "(empty for 3)",
        validators=[Optional(),
                    NumberRange(1, 14, "Enter a day from 1 to 14")])
    senior_manager_hours = IntegerField(
        "Hours missing before a senior manager must be told", widget=GovTextInput(),
        description="For any child still missing (empty for 72)",
        validators=[Optional(),
                    NumberRange(1, 336, "Enter a number of hours from 1 to 336")])
    offer_again_days = IntegerField(
        "Days a declined or not completed conversation stays on the lists",
        widget=GovTextInput(),
        description="On \"My conversations\" and the team page, while offering again can still "
                    "help; after that it is on the child's page (empty for 14)",
        validators=[Optional(), NumberRange(1, 90, "Enter a number of days from 1 to 90")])
    require_signoff = BooleanField("A manager must sign off each conversation before it counts as complete",
                                   widget=GovCheckboxInput())
    handling_instructions = TextAreaField(
        "Handling instructions on the police record", widget=GovCharacterCount(),
        description="Printed under OFFICIAL-SENSITIVE at the top of the record: who may read it "
                    f"and how it may be passed on. Leave empty for: {DEFAULT_HANDLING}",
        validators=[Optional(), Length(max=HANDLING_MAX,
                                       message=f"Enter {HANDLING_MAX} characters or fewer")])
    team_contact = StringField(
        "How a child can reach their worker's team", widget=GovTextInput(),
        description="Printed on the child's copy under the worker's name, for example: call or "
                    "text the Missing Team on 07700 900123",
        validators=[Optional(), Length(max=TEAM_CONTACT_MAX,
                                       message=f"Enter {TEAM_CONTACT_MAX} characters or fewer")])
    late_reasons = TextAreaField(
        "Reasons a conversation comes after 72 hours", widget=GovTextArea(),
        description="One a line, as workers choose from them when a conversation is offered "
                    "or held late. \"Other\", with a note, is always offered as well. Leave empty "
                    "for the starting list.",
        validators=[Optional()])
    submit = SubmitField("Save settings", widget=GovSubmitInput())

    def validate_late_reasons(self, field: TextAreaField) -> None:
        lines = [" ".join(line.split()) for line in (field.data or "").splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > LIST_MAX:
            raise ValidationError(f"Enter {LIST_MAX} reasons or fewer")
        if any(len(line) > LABEL_MAX for line in lines):
            raise ValidationError(f"Each reason must be {LABEL_MAX} characters or fewer")
        if any(not code_of(line) for line in lines):
            raise ValidationError("Each reason must have letters or numbers in it")
