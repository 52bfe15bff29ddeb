"""Children and missing episodes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from rhc_app.domain import ethnicity
from rhc_app.domain.uk_time import today_in_london
from rhc_app.domain.vocabulary import (
    GENDERS,
    MISSING_FROM,
    POLICE_RISK_NOT_KNOWN,
    POLICE_RISKS,
    choices,
)
from rhc_app.web.fields import DayMonthYearField, LocalDateTimeField

RISKS = [*choices(POLICE_RISKS), ("", POLICE_RISK_NOT_KNOWN)]


class FindChildForm(FlaskForm):
    query = StringField("Name or case reference", widget=GovTextInput(),
                        validators=[DataRequired("Enter a name or case reference"),
                                    Length(max=200, message="Enter 200 characters or fewer")])
    submit = SubmitField("Search", widget=GovSubmitInput())


class ChildForm(FlaskForm):
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[DataRequired("Enter the child's name"),
                                   Length(max=200, message="Name must be 200 characters or fewer")])
    case_reference = StringField(
        "Case reference", widget=GovTextInput(),
        description="The id in your case-management system, for example Mosaic",
        validators=[DataRequired("Enter the case reference"),
                    Length(max=64, message="Case reference must be 64 characters or fewer")])
    date_of_birth = DayMonthYearField("Date of birth", widget=GovDateInput(),
                                      description="For example, 27 3 2011")
    gender = RadioField("Gender", widget=GovRadioInput(), choices=choices(GENDERS),
                        default="not_recorded",
                        validators=[InputRequired("Select the child's gender, or Not recorded")])
    # The 2021 census categories only: free text would reach partners' spreadsheets as typed.
    ethnicity = SelectField(
        "Ethnic group", widget=GovSelect(), choices=ethnicity.choices(), default="",
        validate_choice=False, description="As the child or their family describe it",
        validators=[Optional(), AnyOf(ethnicity.ALL, message="Select an ethnic group from the "
                                      "list, or Not known")])
    in_care = RadioField("Is the child in care?", widget=GovRadioInput(),
                         choices=[("yes", "Yes, in care (looked after)"), ("no", "No, at home")],
                         validators=[InputRequired("Select whether the child is in care")])
    home_area = StringField("Home or placement area", widget=GovTextInput(),
                            description="A town, area or postcode district",
                            validators=[Optional(), Length(max=200, message="Enter 200 characters or fewer")])
    # A child placed out of area: councils' names (not personal), kept plain for the figures.
    placing_authority = StringField(
        "Placing authority", widget=GovTextInput(),
        description="Only if the child is placed out of area: the council that placed them, "
                    "for example Harrow",
        validators=[Optional(), Length(max=100, message="Enter 100 characters or fewer")])
    host_area = StringField(
        "Host area", widget=GovTextInput(),
        description="Only if the child is placed out of area: the council where they live now",
        validators=[Optional(), Length(max=100, message="Enter 100 characters or fewer")])
    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    def validate_date_of_birth(self, field: DayMonthYearField) -> None:
        if field.data and field.data > today_in_london():
            raise ValidationError("Date of birth must be in the past")
        if field.data and field.data.year < 1990:
            raise ValidationError("Date of birth must be after 1990")


class PlacementForm(FlaskForm):
    """A child placed out of area: the two councils, changed on their own (issue 17)."""

    placing_authority = ChildForm.placing_authority
    host_area = ChildForm.host_area
    submit = SubmitField("Save", widget=GovSubmitInput())


class EpisodeForm(FlaskForm):
    reported_missing_at = LocalDateTimeField(
        "Reported missing", widget=GovTextInput(),
        description="The date and time the child was reported missing",
        validators=[InputRequired("Enter the date and time the child was reported missing")])
    found_at = LocalDateTimeField(
        "Found or returned", widget=GovTextInput(),
        description="Leave empty if not known yet: the 72-hour clock starts from this time",
        validators=[Optional()])
    found_where = StringField("Where found", widget=GovTextInput(),
                              validators=[Optional(), Length(max=500, message="Enter 500 characters or fewer")])
    missing_from = RadioField("Missing from", widget=GovRadioInput(),
                              choices=choices(MISSING_FROM),
                              validators=[InputRequired("Select where the child went missing from")])
    police_risk = RadioField("Police risk grade", widget=GovRadioInput(), choices=RISKS,
                             default="", validators=[Optional()])
    police_reference = StringField("Police reference", widget=GovTextInput(),
                                   validators=[Optional(), Length(max=64, message="Enter 64 characters or fewer")])
    submit = SubmitField("Save episode", widget=GovSubmitInput())


class EpisodeAmendmentForm(EpisodeForm):
    """The episode behind a completed conversation: changed only with a reason, kept in the
    conversation's amendment trail (its times change the 72-hour figures)."""

    reason = TextAreaField(
        "Reason for the amendment", widget=GovCharacterCount(),
        description="For example, the police corrected the time the child was found",
        validators=[InputRequired("Enter the reason for the amendment"),
                    Length(max=2000, message="Enter 2,000 characters or fewer")])
    submit = SubmitField("Save amendment", widget=GovSubmitInput())
