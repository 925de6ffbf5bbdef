"""The Conversations pages: WhatsApp/Messenger chats, their messages with the agent's tool calls, and a human
reply form."""

from flask import Blueprint

bp = Blueprint("conversations", __name__, url_prefix="/conversations")

from app.web.conversations import routes  # noqa: E402,F401
