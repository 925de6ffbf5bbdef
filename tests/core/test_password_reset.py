"""Password reset: ask by email (same answer for unknown emails), get a signed link in the mail outbox and
the log, set a new password under the usual rules; the link works once and expires; every session ends."""

from __future__ import annotations

import logging
import re
import time

from app.models import User
from app.services import mail, password_reset

from .test_sessions import PASSWORD, _csrf, _logged_in, _opens

NEW = "a brand new long passphrase"


def _ask(client, email):
    return client.post(
        "/forgot-password", data={"csrf_token": _csrf(client, "/forgot-password"), "email": email}
    )


def _link() -> str:
    return re.search(r"http://app\.test(/reset-password/\S+)", mail.OUTBOX[-1].body).group(1)


def _reset(client, path, password=NEW, confirmation=None):
    return client.post(path, data={"csrf_token": _csrf(client, path), "password": password,
                                   "confirmation": confirmation or password})  # fmt: skip


def test_reset_by_email_link_sets_the_password_and_ends_every_session(app, user, db, caplog):
    mail.OUTBOX.clear()
    browser = _logged_in(app, user)
    assert "Forgot your password?" in app.test_client().get("/login").get_data(as_text=True)
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="app.mail"):
        answer = _ask(client, user.email.upper())
    assert answer.status_code == 302
    assert mail.OUTBOX[-1].to == user.email
    path = _link()
    assert path in caplog.text  # the operator finds the link in the log when no mail is sent
    assert "operator finds the message in the app" in client.get("/login").get_data(as_text=True)

    assert client.get(path).status_code == 200
    weak = _reset(client, path, "password")
    assert weak.status_code == 422 and "most common" in weak.get_data(as_text=True)
    differ = _reset(client, path, NEW, NEW + "x")
    assert differ.status_code == 422 and "The two passwords differ." in differ.get_data(as_text=True)
    assert _reset(client, path).status_code == 302

    assert not _opens(browser)  # the session open before the reset has ended
    _logged_in(app, user, NEW)
    # Once used, the link is dead.
    assert client.get(path).status_code == 410
    assert _reset(client, path, "yet another passphrase").status_code == 410
    db.session.expire_all()
    from app.services import passwords

    assert passwords.verify(db.session.get(User, user.id).password_hash, NEW)


def test_unknown_email_gets_the_same_answer_and_no_mail(app, user):
    mail.OUTBOX.clear()
    client = app.test_client()
    known, unknown = _ask(client, user.email), _ask(app.test_client(), "nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert [m.to for m in mail.OUTBOX] == [user.email]


def test_links_expire_and_forged_links_are_refused(app, user, monkeypatch):
    import itsdangerous.timed

    client = app.test_client()
    now = time.time()
    token = password_reset.make_token(user)
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: now + password_reset.MAX_AGE - 60)
    assert password_reset.user_for(token) is not None
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: now + password_reset.MAX_AGE + 60)
    assert password_reset.user_for(token) is None
    assert client.get("/reset-password/" + token).status_code == 410
    monkeypatch.undo()
    assert client.get("/reset-password/" + token[:-2] + "xx").status_code == 410
    assert client.get("/reset-password/not-a-token").status_code == 410
    _logged_in(app, user, PASSWORD)  # nothing changed
