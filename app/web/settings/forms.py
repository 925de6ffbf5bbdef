"""Settings forms (Flask-WTF): validation happens here, on the server, whatever the browser checked."""

from __future__ import annotations

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.models.accounts import TOKEN_SCOPES
from app.platforms.public_http import refusal_for_url
from app.services.periods import valid_timezone

# Deliberately loose: the address is for notifications, and the provider will tell if it bounces.
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
MODEL = r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$"
SUGGESTED_MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-4.1")


class NotificationsForm(FlaskForm):
    webhook_url = StringField(
        "Notification webhook URL",
        validators=[
            Optional(),
            Length(max=500),
            URL(message="Enter a full URL, like https://example.com/hook."),
        ],
    )
    email = StringField(
        "Notification email",
        validators=[Optional(), Length(max=255), Regexp(EMAIL, message="Enter an email address.")],
    )

    def validate_webhook_url(self, field):
        # Notifications carry shop data: only over TLS.
        if field.data and not field.data.strip().lower().startswith("https://"):
            raise ValidationError("Use an https:// address.")
        # The send-time check is the guard; this tells the merchant now instead of failing silently later.
        reason = refusal_for_url(
            field.data.strip(), allow_private=bool(current_app.config.get("NOTIFY_ALLOW_PRIVATE"))
        )
        if reason:
            raise ValidationError(f"Use a public internet address: {reason}.")


class AgentForm(FlaskForm):
    enabled = BooleanField("Agent answers customers")
    model = StringField(
        "Model",
        validators=[
            Optional(),
            Length(max=100),
            Regexp(MODEL, message="Letters, digits and . _ : / - only."),
        ],
    )
    instructions = TextAreaField("Instructions for the agent", validators=[Optional(), Length(max=4000)])

    def validate(self, extra_validators=None) -> bool:
        # Not an inline validator: Optional() ends the field's chain on an empty value before it would run.
        valid = super().validate(extra_validators)
        if self.enabled.data and not (self.model.data or "").strip():
            self.model.errors = [*self.model.errors, "Choose a model to turn the agent on."]
            return False
        return valid


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired()])
    confirmation = PasswordField("New password, again", validators=[DataRequired()])


class TokenForm(FlaskForm):
    """A new API token: a name, and what it may do (each scope a checkbox)."""

    name = StringField("Token name", validators=[Length(max=120)])
    scopes = SelectMultipleField(
        "What the token may do",
        choices=[SelectChoice(name, f"{name}: {label}") for name, label in TOKEN_SCOPES.items()],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )

    def validate_scopes(self, field):
        # Not DataRequired: its `required` attribute on every checkbox would make the browser demand them all.
        if not field.data:
            raise ValidationError("Choose at least one scope.")


class TimezoneForm(FlaskForm):
    timezone = StringField(
        "Time zone", validators=[DataRequired(message="Choose a time zone."), Length(max=64)]
    )

    def validate_timezone(self, field):
        field.data = (field.data or "").strip()
        if not valid_timezone(field.data):
            raise ValidationError("Use a time zone name like Europe/Madrid or America/New_York.")
