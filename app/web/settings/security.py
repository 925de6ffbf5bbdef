"""The Security tab: change the password (which ends the other sessions) and log out everywhere."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm

from app.services import accounts, sessions
from app.web import limits
from app.web.settings import bp
from app.web.settings.forms import PasswordForm


def _page(form: PasswordForm | None = None) -> str:
    return render_template(
        "settings/security.html", form=form or PasswordForm(formdata=None), out=FlaskForm()
    )


@bp.get("/security")
@login_required
def security():
    return _page()


@bp.post("/security/password")
@login_required
@limits.password_change_limits
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data, form.new_password.data, form.confirmation.data
            )
        except accounts.AccountError as exc:
            if exc.field == "current_password":
                limits.count_wrong_password()
            getattr(form, exc.field or "new_password").errors.append(str(exc))
        else:
            ended = sessions.end_all_sessions(current_user.id, except_token=current_user.session_token)
            others = f" and {ended} other session{'s' if ended != 1 else ''} ended" if ended else ""
            flash(f"Password changed{others}.", "success")
            return redirect(url_for("settings.security"))
    return _page(form), 422


@limits.page_for("settings.change_password")
def _change_limited(message: str) -> str:
    form = PasswordForm()
    form.current_password.errors = [message]
    return _page(form)


@bp.post("/security/logout-everywhere")
@login_required
def logout_everywhere():
    # CSRFProtect has checked the form's token before this runs: another site cannot log people out.
    sessions.end_all_sessions(current_user.id)
    logout_user()
    flash("You are logged out on every device, this one included.", "success")
    return redirect(url_for("auth.login"))
