"""Routes of the general settings page: notification settings, the agent switch/model and the product feed. Each form posts to
its own route and answers its own fragment to htmx (422 with field errors when invalid) or, without JavaScript,
the whole page (422) or a redirect after success."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.services import workspace_settings as service
from app.services.periods import timezone_names
from app.web.fragments import is_htmx
from app.web.settings import bp
from app.web.settings.feed import FeedForm, feed_form
from app.web.settings.forms import SUGGESTED_MODELS, AgentForm, NotificationsForm, TimezoneForm

NO_MODEL_KEY = (
    "The agent cannot be switched on: no model key is configured. Set OPENAI_API_KEY (and OPENAI_BASE_URL for an "
    "OpenAI-compatible server) in the app's environment, restart, then switch it on."
)


def _workspace():
    return service.get_workspace(current_user.workspace_id)


def _forms(workspace, notifications=None, agent=None, feed=None, timezone=None):
    notifications = notifications or NotificationsForm(
        formdata=None, webhook_url=workspace.notification_webhook_url, email=workspace.notification_email
    )
    agent = agent or AgentForm(
        formdata=None, enabled=workspace.agent_enabled,
        model=workspace.agent_model or current_app.config.get("OPENAI_MODEL"),
        instructions=workspace.agent_instructions,
    )  # fmt: skip
    timezone = timezone or TimezoneForm(formdata=None, timezone=workspace.timezone or "UTC")
    return {"notifications": notifications, "agent": agent, "models": SUGGESTED_MODELS,
            "feed": feed_form(workspace.id, feed), "model_key_set": _model_key_set(), "timezone": timezone,
            "zones": timezone_names()}  # fmt: skip


def _model_key_set() -> bool:
    # The agent answers through OpenAI's API (or a compatible server at OPENAI_BASE_URL): without the key it
    # cannot answer at all (`app.agent.runner.chat_model`).
    return bool(current_app.config.get("OPENAI_API_KEY"))


@bp.get("/")
@login_required
def index():
    return render_template("settings/index.html", **_forms(_workspace()))


def _answer(fragment: str, workspace, status: int, saved: bool = False, **forms):
    context = _forms(workspace, **forms)
    if is_htmx():
        return render_template(fragment, saved=saved, **context), status
    if status >= 400:
        return render_template("settings/index.html", **context), status
    flash("Settings saved.", "success")
    return redirect(url_for("settings.index"))


@bp.post("/notifications")
@login_required
def notifications():
    workspace, form = _workspace(), NotificationsForm()
    if not form.validate_on_submit():
        return _answer("settings/_notifications.html", workspace, 422, notifications=form)
    service.update_notifications(workspace, form.webhook_url.data, form.email.data)
    return _answer("settings/_notifications.html", workspace, 200, saved=True)


@bp.post("/timezone")
@login_required
def timezone():
    workspace, form = _workspace(), TimezoneForm()
    if not form.validate_on_submit():
        return _answer("settings/_timezone.html", workspace, 422, timezone=form)
    service.update_timezone(workspace, form.timezone.data)
    return _answer("settings/_timezone.html", workspace, 200, saved=True)


@bp.post("/agent")
@login_required
def agent():
    workspace, form = _workspace(), AgentForm()
    if not form.validate_on_submit():
        return _answer("settings/_agent.html", workspace, 422, agent=form)
    if form.enabled.data and not _model_key_set():
        form.enabled.errors = [NO_MODEL_KEY]
        return _answer("settings/_agent.html", workspace, 422, agent=form)
    service.update_agent(workspace, form.enabled.data, form.model.data, form.instructions.data)
    return _answer("settings/_agent.html", workspace, 200, saved=True)


@bp.post("/feed")
@login_required
def feed():
    workspace = _workspace()
    form = feed_form(workspace.id, FeedForm())
    if not form.validate_on_submit():
        return _answer("settings/_feed.html", workspace, 422, feed=form)
    try:
        service.update_feed_settings(
            workspace.id, scope=form.scope.data, collection_id=form.collection_id.data,
            excluded_tags=form.excluded_tags.data, target_countries=form.target_countries.data,
            store_country=form.store_country.data, store_url=form.store_url.data,
        )  # fmt: skip
    except service.FeedSettingsInvalid as exc:
        for name, message in exc.fields.items():
            getattr(form, name).errors = [message]
        return _answer("settings/_feed.html", workspace, 422, feed=form)
    return _answer("settings/_feed.html", workspace, 200, saved=True)
