"""Offering the conversation: contact attempts and outcomes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from rhc_app.domain.vocabulary import CONTACT_METHODS, NOT_OFFERED_ANSWER, OFFER_ANSWERS, choices
from rhc_app.web.fields import LocalDateTimeField


class AttemptForm(FlaskForm):
    at = LocalDateTimeField("When", widget=GovTextInput(),
                            validators=[InputRequired("Enter when you tried to make contact")])
    method = RadioField("How", widget=GovRadioInput(), choices=choices(CONTACT_METHODS),
                        validators=[InputRequired("Select how you tried to make contact")])
    result = TextAreaField("What happened", widget=GovCharacterCount(),
                           validators=[Optional(), Length(max=2000, message="Enter 2,000 characters or fewer")])
    submit = SubmitField("Record attempt", widget=GovSubmitInput())


class OutcomeForm(FlaskForm):
    action = RadioField("What happened", widget=GovRadioInput(),
                        choices=choices(OFFER_ANSWERS) + choices(NOT_OFFERED_ANSWER),
                        validators=[InputRequired("Select what happened")])
    at = LocalDateTimeField("When", widget=GovTextInput(),
                            validators=[InputRequired("Enter the date and time")])
    reason = TextAreaField("Reason", widget=GovCharacterCount(),
                           description="If the child declined, their reason in their own words "
                                       "if they gave one. If not completed, or not offered, why.",
                           validators=[Optional(), Length(max=2000, message="Enter 2,000 characters or fewer")])
    # Issue 17 (checked in services/conversation_fields.py, which knows the 72-hour clock).
    not_offered_by = StringField("Who decided not to offer it", widget=GovTextInput(),
                                 description="Only if a decision was taken not to offer it: "
                                             "their name and role",
                                 validators=[Optional(), Length(max=200, message="Enter 200 characters or fewer")])
    carers_said = TextAreaField("What the parents or carers said", widget=GovCharacterCount(),
                                description="If the child declined or could not be reached: "
                                            "what the parents or carers know, in their words",
                                validators=[Optional(), Length(max=5000, message="Enter 5,000 characters or fewer")])
    # Its choices are the organisation's own list, set by the view.
    late_reason = RadioField("If this is more than 72 hours after the child was found, why?",
                             widget=GovRadioInput(), choices=[], validate_choice=False,
                             validators=[Optional()])
    late_reason_note = TextAreaField("If other, what the reason was", widget=GovTextArea(),
                                     validators=[Optional(), Length(max=500, message="Enter 500 characters or fewer")])
    submit = SubmitField("Save", widget=GovSubmitInput())


class SignOffForm(FlaskForm):
    """The manager's decision and their words: a comment when signing off (optional), what the
    worker needs to change when returning it (needed, checked in services/conversations.py).
    Both are kept in the record's history and printed as "Management oversight"."""

    reason = TextAreaField("Comment", widget=GovCharacterCount(),
                           description="Optional when you sign it off. If you return it to the "
                                       "worker, say what they need to change.",
                           validators=[Optional(), Length(max=2000, message="Enter 2,000 characters or fewer")])


class AttachEpisodeForm(FlaskForm):
    """Which other missing episode of the child this conversation covers too. The choices are
    the episodes the page offers; an id it did not offer is checked by the view (404)."""

    episode_id = RadioField("Which missing episode does this conversation cover too?",
                            widget=GovRadioInput(), validate_choice=False,
                            validators=[InputRequired("Select the missing episode this "
                                                      "conversation covers too")])
    submit = SubmitField("Attach the missing episode", widget=GovSubmitInput())


class DetachEpisodeForm(FlaskForm):
    reason = TextAreaField("Why does this conversation no longer cover it?",
                           widget=GovCharacterCount(),
                           description="For example, attached by mistake, or the child will be "
                                       "offered a conversation about it on its own.",
                           validators=[InputRequired("Enter why this missing episode is no "
                                                     "longer covered"),
                                       Length(max=2000, message="Enter 2,000 characters or fewer")])
    submit = SubmitField("Detach the missing episode", widget=GovSubmitInput())
