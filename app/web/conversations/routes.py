"""Routes of the Conversations pages. The reply form posts to `reply`, which answers the reply fragment (the new
message, or the form with the reason it was not sent) to htmx and redirects otherwise. Sending and the 24-hour
rule live in `app.services.conversations`.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.auth_scope import current_scope
from app.services import conversations as service
from app.web.conversations import bp
from app.web.fragments import is_htmx, render_page_or_fragment


@bp.get("/")
@login_required
def index():
    filters = service.ConversationFilters.from_args(request.args)
    page, last = service.list_conversations(
        current_scope(), filters, request.args.get("cursor"), request.args.get("per_page")
    )
    return render_page_or_fragment(
        "conversations/index.html", "conversations/_partial.html",
        page=page, last=last, filters=filters, statuses=service.STATUSES,
    )  # fmt: skip


def _conversation_or_404(conversation_id: int):
    conversation = service.get_conversation(current_scope(), conversation_id)
    if conversation is None:
        abort(404, "Conversation not found.")
    return conversation


@bp.get("/<int:conversation_id>")
@login_required
def detail(conversation_id: int):
    conversation = _conversation_or_404(conversation_id)
    return render_template(
        "conversations/detail.html", c=conversation, messages=service.messages(conversation),
        blocker=service.reply_blocker(conversation), error=None, text="", describe_calls=service.describe_calls,
    )  # fmt: skip


@bp.post("/<int:conversation_id>/reply")
@login_required
def reply(conversation_id: int):
    conversation = _conversation_or_404(conversation_id)
    text = request.form.get("text", "")
    try:
        message = service.send_human_reply(conversation, text)
    except service.ReplyRefused as exc:
        if not is_htmx():
            flash(exc.message, "error")
            return redirect(url_for("conversations.detail", conversation_id=conversation_id))
        return render_template(
            "conversations/_reply.html", c=conversation, blocker=service.reply_blocker(conversation),
            error=exc.message, text=text,
        ), exc.status  # fmt: skip
    if not is_htmx():
        flash("Reply sent.", "success")
        return redirect(url_for("conversations.detail", conversation_id=conversation_id))
    return render_template(
        "conversations/_sent.html", c=conversation, m=message, describe_calls=service.describe_calls
    )
