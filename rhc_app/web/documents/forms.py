"""The child's summary and PDF downloads."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextArea
from wtforms import PasswordField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class SummaryForm(FlaskForm):
    summary = TextAreaField("Summary for the child", widget=GovTextArea(),
                            description="Written to the child: “You told me…”, “We talked "
                                        "about…”, “What happens next is…”. Short sentences, "
                                        "plain words.",
                            validators=[DataRequired("Write the summary for the child"),
                                        Length(max=20000, message="The summary must be 20,000 "
                                                                  "characters or fewer")])
    submit = SubmitField("Save the summary", widget=GovSubmitInput())


class PdfForm(FlaskForm):
    password = PasswordField(
        "Password (optional)", widget=GovPasswordInput(),
        description="To send by email, protect the PDF with a password of 12 characters or "
                    "more and give the password another way, such as by phone",
        validators=[Optional(), Length(min=12, max=128,
                                       message="The password must be 12 to 128 characters")])
    submit = SubmitField("Download", widget=GovSubmitInput())
