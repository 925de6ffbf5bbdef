"""The API tokens tab: make a token with the scopes it needs (shown once), list and revoke them."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth_scope import current_scope
from app.models import ApiToken
from app.models.accounts import TOKEN_SCOPES
from app.services import accounts
from app.web.settings import bp
from app.web.settings.forms import TokenForm


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    if request.method == "GET":
        form.scopes.data = list(TOKEN_SCOPES)
    new_token = None
    if form.validate_on_submit():
        _, new_token = accounts.create_api_token(
            current_user, form.name.data or "API token", form.scopes.data
        )
    elif request.method == "POST":
        return render_template("settings/tokens.html", form=form, tokens=_tokens(), new_token=None), 422
    return render_template("settings/tokens.html", form=form, tokens=_tokens(), new_token=new_token)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    if accounts.revoke_api_token(current_user.workspace_id, token_id):
        flash("Token revoked.", "success")
    else:
        flash("That token does not exist or is already revoked.", "error")
    return redirect(url_for("settings.tokens"))


def _tokens():
    return current_scope().all(ApiToken, ApiToken.revoked_at.is_(None))
