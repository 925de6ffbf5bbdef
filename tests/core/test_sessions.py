"""Sessions end on the server: a cookie copied before logout, "log out everywhere" or a password change is
worth nothing afterwards."""

import re

from flask import g

from app.models import LoginSession

PASSWORD = "correct horse battery"


def _csrf(client, path="/login"):
    g.pop("csrf_token", None)  # one app context serves every request in tests; Flask-WTF caches in g
    html = client.get(path).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def _logged_in(app, user, password=PASSWORD):
    client = app.test_client()
    answer = client.post(
        "/login", data={"csrf_token": _csrf(client), "email": user.email, "password": password}
    )
    assert answer.status_code == 302
    return client


def _copy(app, client):
    """Another client holding the same cookies, as a thief with a copied cookie would."""
    thief = app.test_client()
    for cookie in client._cookies.values():
        thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    return thief


def _opens(client, path="/settings/tokens") -> bool:
    answer = client.get(path)
    assert answer.status_code in (200, 302)
    return answer.status_code == 200


def test_a_cookie_copied_before_logout_is_redirected_to_login_after_it(app, user):
    browser = _logged_in(app, user)
    thief = _copy(app, browser)
    assert _opens(thief)

    browser.post("/logout", data={"csrf_token": _csrf(browser, "/")})

    for path in ("/", "/products", "/settings/tokens", "/settings/security"):
        answer = thief.get(path)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert thief.get("/api/me").status_code == 401


def test_log_out_everywhere_ends_every_session(app, user, db):
    laptop, phone = _logged_in(app, user), _logged_in(app, user)
    assert _opens(laptop) and _opens(phone)

    answer = laptop.post("/settings/security/logout-everywhere", data={"csrf_token": _csrf(laptop, "/")})

    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login")
    assert not _opens(phone) and not _opens(laptop)
    assert db.session.query(LoginSession).count() == 0


def test_log_out_everywhere_needs_the_forms_csrf_token(app, user):
    laptop = _logged_in(app, user)
    assert laptop.post("/settings/security/logout-everywhere").status_code == 400
    assert _opens(laptop)


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app, user, db):
    laptop, phone = _logged_in(app, user), _logged_in(app, user)
    page = laptop.get("/settings/security")
    assert page.status_code == 200 and "Change password" in page.get_data(as_text=True)

    answer = laptop.post(
        "/settings/security/password",
        data={
            "csrf_token": _csrf(laptop, "/settings/security"),
            "current_password": PASSWORD,
            "new_password": "a brand new secret",
            "confirmation": "a brand new secret",
        },
    )

    assert answer.status_code == 302
    assert "1 other session ended" in laptop.get("/settings/security").get_data(as_text=True)
    assert _opens(laptop) and not _opens(phone)
    _logged_in(app, user, "a brand new secret")


def _change(client, current, new, confirmation=None):
    return client.post(
        "/settings/security/password",
        data={
            "csrf_token": _csrf(client, "/settings/security"),
            "current_password": current,
            "new_password": new,
            "confirmation": new if confirmation is None else confirmation,
        },
    )


def test_a_password_change_checks_the_current_password_and_the_new_one(app, user):
    laptop, phone = _logged_in(app, user), _logged_in(app, user)
    for current, new, confirmation, message in (
        ("not it at all", "a brand new secret", None, "current password is not this one"),
        (PASSWORD, "a brand new secret", "a different one", "two new passwords differ"),
        (PASSWORD, "password", None, "most common"),
        (PASSWORD, "short", None, "at least 8"),
        (PASSWORD, "12345678", None, "most common"),
        (PASSWORD, "qwertyuiop", None, "most common"),
    ):
        answer = _change(laptop, current, new, confirmation)
        assert answer.status_code == 422 and message in answer.get_data(as_text=True)
    assert _opens(phone)  # nothing changed, nothing ended
    _logged_in(app, user)


def test_guessing_the_current_password_is_limited(app, user):
    laptop = _logged_in(app, user)
    answers = [_change(laptop, f"guess {n}", "a brand new secret").status_code for n in range(6)]
    assert answers == [422] * 5 + [429]
    right = _change(laptop, PASSWORD, "a brand new secret")
    assert right.status_code == 429 and "Too many attempts" in right.get_data(as_text=True)


def test_logging_in_again_in_the_same_browser_ends_the_session_it_replaces(app, user, db):
    browser = _logged_in(app, user)
    browser.post("/login", data={"csrf_token": _csrf(browser), "email": user.email, "password": PASSWORD})
    assert db.session.query(LoginSession).count() == 1
