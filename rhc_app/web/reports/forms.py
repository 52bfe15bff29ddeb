"""Report periods, the dataset upload, and closing an offer."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
)
from wtforms import BooleanField, RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from rhc_app.domain.vocabulary import CLOSE_REASONS, choices


class UploadForm(FlaskForm):
    file = FileField("Standard dataset (CSV, UTF-8)", widget=GovFileInput(),
                     description="One row per missing episode, with a header row. Every row is "
                                 "checked first: if any row is wrong, nothing is imported.",
                     validators=[FileRequired("Choose a CSV file to upload")])
    submit = SubmitField("Check and import", widget=GovSubmitInput())


class CloseOfferForm(FlaskForm):
    """No further offer: why (from the list), a note ("other" needs one), and a confirmation."""

    reason = RadioField("Why will no further offer be made?", widget=GovRadioInput(),
                        choices=choices(CLOSE_REASONS),
                        validators=[InputRequired("Select why no further offer will be made")])
    note = TextAreaField("Note", widget=GovCharacterCount(),
                         description="Needed if you chose other. Anything the team should know.",
                         validators=[Optional(), Length(max=2000,
                                                        message="Enter 2,000 characters or fewer")])
    confirm = BooleanField("I confirm this conversation will not be offered again",
                           widget=GovCheckboxInput(),
                           validators=[InputRequired("Confirm the conversation will not be "
                                                     "offered again")])
    submit = SubmitField("Close with no further offer", widget=GovSubmitInput())
