from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.services import accounts, sessions
from app.web import limits
from app.web.auth import bp
from app.web.auth.forms import LoginForm, SignupForm

# The same answer whether or not the email already had an account: sign-up must not tell who is a customer.
SIGNED_UP = (
    "Welcome! Log in with the email and password you chose to open your workspace. "
    "If this email already had an account, nothing was changed: log in with that account's password."
)


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login would hand sessions to another site.
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@limits.login_limits
def login():
    form = LoginForm()
    if request.method == "GET" and not form.email.data:
        form.email.data = session.pop("signup_email", None)
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user:
            if current_user.is_authenticated:  # another account was logged in in this browser
                sessions.end_session(current_user.session_token)
            sessions.start_session(user)
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Wrong email or password.")
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@limits.page_for("auth.login")
def _login_limited(message: str) -> str:
    form = LoginForm()
    form.password.errors = [message]
    return render_template("auth/login.html", form=form)


@bp.route("/signup", methods=["GET", "POST"])
@limits.signup_limits
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        try:
            accounts.sign_up(form.email.data, form.password.data, form.workspace.data)
        except accounts.AccountError as exc:
            getattr(form, exc.field or "email").errors.append(str(exc))
        else:
            flash(SIGNED_UP, "success")
            session["signup_email"] = accounts.normalise_email(form.email.data)
            return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/signup.html", form=form), status


@limits.page_for("auth.signup")
def _signup_limited(message: str) -> str:
    form = SignupForm()
    form.email.errors = [message]
    return render_template("auth/signup.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    sessions.end_session(current_user.session_token)
    logout_user()
    return redirect(url_for("auth.login"))
