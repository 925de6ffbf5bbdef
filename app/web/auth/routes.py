from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from app.services import accounts
from app.web.auth import bp
from app.web.auth.forms import LoginForm, SignupForm


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login would hand sessions to another site.
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Wrong email or password.")
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.password.data, form.workspace.data)
        except accounts.AccountError as exc:
            getattr(form, exc.field or "email").errors.append(str(exc))
        else:
            login_user(user)
            flash("Welcome! Connect your Shopify store to bring your catalog in.", "success")
            return redirect(url_for("dashboard.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))
