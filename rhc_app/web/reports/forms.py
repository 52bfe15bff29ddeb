"""Report periods and the dataset upload."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField


class UploadForm(FlaskForm):
    file = FileField("Standard dataset (CSV, UTF-8)", widget=GovFileInput(),
                     description="One row per missing episode, with a header row. Every row is "
                                 "checked first: if any row is wrong, nothing is imported.",
                     validators=[FileRequired("Choose a CSV file to upload")])
    submit = SubmitField("Check and import", widget=GovSubmitInput())
