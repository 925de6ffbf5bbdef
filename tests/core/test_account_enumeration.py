"""Nobody learns who has an account: an unknown email costs the login the same password hashing as a known
one (counted in calls to the key derivation function, not timed), and sign-up answers a taken email exactly
as it answers a new one."""

import hashlib
import re

import pytest
from flask import g
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.models import User, Workspace
from app.services import passwords


def _csrf(client, path):
    g.pop("csrf_token", None)  # one app context serves every request in tests; Flask-WTF caches in g
    html = client.get(path).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def kdf_calls(monkeypatch):
    """How many times werkzeug's password hashing ran its key derivation function (scrypt or PBKDF2)."""
    calls = []
    for name in ("scrypt", "pbkdf2_hmac"):
        real = getattr(hashlib, name)

        def counting(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(hashlib, name, counting)
    passwords.warm_up()
    return calls


def _kdf_calls_of(calls, request) -> int:
    before = len(calls)
    request()
    return len(calls) - before


def test_unknown_and_known_accounts_cost_the_same_hashing(app, client, user, kdf_calls):
    token = _csrf(client, "/login")

    def attempt(email, password):
        return lambda: client.post("/login", data={"csrf_token": token, "email": email, "password": password})

    unknown = _kdf_calls_of(kdf_calls, attempt("nobody@example.com", "some password"))
    known_wrong = _kdf_calls_of(kdf_calls, attempt(user.email, "some password"))
    known_right = _kdf_calls_of(kdf_calls, attempt(user.email, "correct horse battery"))

    assert unknown == known_wrong == known_right == 1


def test_signup_answers_a_taken_email_as_it_answers_a_new_one(app, user, db, kdf_calls):
    def sign_up(email):
        client = app.test_client()
        token = _csrf(client, "/signup")
        before = len(kdf_calls)
        answer = client.post(
            "/signup",
            data={"csrf_token": token, "email": email, "password": "a long new pw", "workspace": "W"},
        )
        cost = len(kdf_calls) - before
        g.pop("csrf_token", None)
        page = client.get(answer.headers["Location"]).get_data(as_text=True)
        # Only the session's own CSRF token and the email the person typed (filled in again) may differ.
        own_token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
        page = page.replace(own_token, "").replace(email, "")
        return answer.status_code, answer.headers["Location"], cost, page

    taken = sign_up(user.email)
    new = sign_up("fresh@example.com")

    assert taken == new
    assert taken[0] == 302 and taken[2] == 1 and "Welcome!" in taken[3]
    assert db.session.query(User).count() == 2 and db.session.query(Workspace).count() == 2


@pytest.mark.parametrize("common", ["password", "12345678", "qwertyuiop", "Password1", " iloveyou "])
def test_common_passwords_are_refused_at_signup(client, db, common):
    token = _csrf(client, "/signup")
    answer = client.post(
        "/signup", data={"csrf_token": token, "email": "new@example.com", "password": common}
    )
    assert answer.status_code == 422
    assert "most common" in answer.get_data(as_text=True) or "at least 8" in answer.get_data(as_text=True)
    assert db.session.query(User).count() == 0


@pytest.mark.parametrize("weak", ["password", "12345678", "qwertyuiop"])
def test_create_user_command_refuses_common_passwords(app, db, weak):
    result = app.test_cli_runner().invoke(args=["create-user", "ops@example.com", "--password", weak])
    assert result.exit_code != 0
    assert "most common" in result.output
    assert db.session.query(User).count() == 0


def test_password_rules():
    with pytest.raises(passwords.PasswordRejected, match="at least 8"):
        passwords.check_new_password("short1!")
    with pytest.raises(passwords.PasswordRejected, match="email"):
        passwords.check_new_password("owner@example.com", "owner@example.com")
    passwords.check_new_password("correct horse battery", "owner@example.com")


def test_common_password_file_is_zxcvbns_list():
    # The file is a copy of the list the zxcvbn package ships (see `app.services.passwords`): the same
    # 30,000 entries and nothing else.
    shipped = FREQUENCY_LISTS["passwords"]
    assert len(shipped) == 30_000
    assert passwords._common_passwords() == frozenset(shipped)
    assert all(passwords.is_common(word) for word in shipped[:: len(shipped) // 50])
    assert not passwords.is_common("correct horse battery")
