"""Password reset pages: ask for a link by email, then choose a new password through it. Thin: the rules are
`app.services.password_reset`'s."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, logout_user

from app.services import password_reset
from app.services.passwords import MIN_LENGTH
from app.web import limits
from app.web.auth import bp
from app.web.auth.forms import ForgotPasswordForm, ResetPasswordForm

# The same answer whether or not the email has an account: the page must not tell who is a customer.
SENT = (
    "If an account uses this email, a link to choose a new password is on its way; it works once, within "
    f"{password_reset.MAX_AGE // 60} minutes. This installation sends no mail itself: the operator finds the "
    "message in the app's log (app.mail) and passes it on."
)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limits.signup_limits
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_reset.request_reset(form.email.data)
        flash(SENT, "success")
        return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/forgot_password.html", form=form), status


@limits.page_for("auth.forgot_password")
def _forgot_limited(message: str) -> str:
    form = ForgotPasswordForm()
    form.email.errors = [message]
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if password_reset.user_for(token) is None:
        return render_template("auth/reset_password.html", form=None, expired=True), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.reset(token, form.password.data, form.confirmation.data)
        except password_reset.ResetRefused as exc:
            getattr(form, exc.field or "password").errors.append(str(exc))
        else:
            if current_user.is_authenticated:
                logout_user()  # its session ended with the others
            flash(
                "Password changed, and every session of the account ended: log in with the new one.",
                "success",
            )
            return redirect(url_for("auth.login"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "auth/reset_password.html", form=form, expired=False, min_length=MIN_LENGTH
    ), status
