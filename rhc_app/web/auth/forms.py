"""Sign-in and account forms: a plain-English message on every validator."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length


class SignInForm(FlaskForm):
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[DataRequired("Enter your email address"),
                                    Length(max=254, message="Email address is too long")])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[DataRequired("Enter your password"),
                                         Length(max=256, message="Password is too long")])
    code = StringField("Security code", widget=GovTextInput(),
                       description="The 6-digit code from your authenticator app, if you use one",
                       validators=[Length(max=12, message="Security code is 6 digits")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", widget=GovPasswordInput(),
                            validators=[DataRequired("Enter your current password")])
    new = PasswordField("New password", widget=GovPasswordInput(),
                        description="At least 12 characters. A few unrelated words work well.",
                        validators=[DataRequired("Enter a new password")])
    confirm = PasswordField("Confirm new password", widget=GovPasswordInput(),
                            validators=[DataRequired("Enter the new password again"),
                                        EqualTo("new", "The passwords do not match")])
    submit = SubmitField("Change password", widget=GovSubmitInput())


class TotpSetupForm(FlaskForm):
    code = StringField("Security code", widget=GovTextInput(),
                       description="Enter the 6-digit code your authenticator app shows",
                       validators=[DataRequired("Enter the 6-digit security code")])
    submit = SubmitField("Turn on two-step sign-in", widget=GovSubmitInput())


class ConfirmItIsYouMixin:
    """Password and a code from the app in use now: needed to change or remove two-step
    sign-in, so that a session left open is not enough to take over the account."""

    password = PasswordField("Your password", widget=GovPasswordInput(),
                             validators=[DataRequired("Enter your password"),
                                         Length(max=256, message="Password is too long")])
    current_code = StringField("Security code from the app you use now", widget=GovTextInput(),
                               description="The 6-digit code your current authenticator app shows",
                               validators=[DataRequired("Enter the 6-digit security code from "
                                                        "the app you use now"),
                                           Length(max=12, message="Security code is 6 digits")])


class TotpChangeForm(ConfirmItIsYouMixin, FlaskForm):
    code = StringField("Security code from the new app", widget=GovTextInput(),
                       description="Enter the 6-digit code the new app shows for the key above",
                       validators=[DataRequired("Enter the 6-digit security code from the new app"),
                                   Length(max=12, message="Security code is 6 digits")])
    submit = SubmitField("Change the app for two-step sign-in", widget=GovSubmitInput())


class TotpRemoveForm(ConfirmItIsYouMixin, FlaskForm):
    submit = SubmitField("Turn off two-step sign-in", widget=GovSubmitInput())
