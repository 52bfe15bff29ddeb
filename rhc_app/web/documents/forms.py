"""The child's summary and PDF downloads."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextArea
from wtforms import Field, Form, PasswordField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

#: Why a line limit: both PDFs cost time by the line, and the summary is in both. A summary
#: of 20,000 characters is long prose; 10,000 one-letter lines is not a summary.
SUMMARY_MAX_LINES = 500
SUMMARY_MAX_CHARS = 20_000


def _not_too_many_lines(form: Form, field: Field) -> None:
    lines = (field.data or "").replace("\r\n", "\n").count("\n") + 1
    if lines > SUMMARY_MAX_LINES:
        raise ValidationError(f"The summary must be {SUMMARY_MAX_LINES:,} lines or fewer "
                              f"(it has {lines:,}): join the short lines")


class SummaryForm(FlaskForm):
    summary = TextAreaField("Summary for the child", widget=GovTextArea(),
                            description="Written to the child: “You told me…”, “We talked "
                                        "about…”, “What happens next is…”. Short sentences, "
                                        "plain words.",
                            validators=[DataRequired("Write the summary for the child"),
                                        Length(max=SUMMARY_MAX_CHARS,
                                               message="The summary must be 20,000 "
                                                       "characters or fewer"),
                                        _not_too_many_lines])
    submit = SubmitField("Save the summary", widget=GovSubmitInput())


class PdfForm(FlaskForm):
    password = PasswordField(
        "Password (optional)", widget=GovPasswordInput(),
        description="To send by email, protect the PDF with a password of 12 characters or "
                    "more and give the password another way, such as by phone",
        validators=[Optional(), Length(min=12, max=128,
                                       message="The password must be 12 to 128 characters")])
    submit = SubmitField("Download", widget=GovSubmitInput())
