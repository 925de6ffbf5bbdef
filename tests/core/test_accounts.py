"""Sign-up, login, logout, CSRF and the redirect of anonymous visitors."""

import re

from app.models import User, Workspace
from app.services import accounts


def _csrf(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def test_anonymous_page_visit_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_signup_creates_workspace_and_the_login_opens_it(client, db):
    # Sign-up no longer logs in at once: that answer differed from the one for a taken email (see
    # tests/core/test_signup_enumeration.py). It creates the workspace and sends the person to log in.
    token = _csrf(client, "/signup")
    response = client.post(
        "/signup",
        data={
            "csrf_token": token,
            "email": "New@Shop.com",
            "password": "long enough pw",
            "workspace": "Acme",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    user = db.session.query(User).one()
    assert user.email == "new@shop.com"
    assert db.session.get(Workspace, user.workspace_id).name == "Acme"
    login_page = client.get("/login").get_data(as_text=True)
    assert "Welcome!" in login_page and 'value="new@shop.com"' in login_page
    client.post("/login", data={"csrf_token": token, "email": "new@shop.com", "password": "long enough pw"})
    page = client.get("/")
    assert page.status_code == 200
    assert "Overview" in page.get_data(as_text=True)


def test_signup_rejects_short_password_and_gives_a_taken_email_the_neutral_answer(client, user, db):
    token = _csrf(client, "/signup")
    short = client.post("/signup", data={"csrf_token": token, "email": "a@b.co", "password": "short"})
    assert short.status_code == 422
    # The old answer ("already exists", 422) told anyone which emails have accounts.
    dup = client.post(
        "/signup", data={"csrf_token": token, "email": user.email, "password": "long enough pw"}
    )
    assert dup.status_code == 302 and dup.headers["Location"].endswith("/login")
    assert "already exists" not in client.get("/login").get_data(as_text=True)
    assert db.session.query(User).count() == 1 and db.session.query(Workspace).count() == 1
    db.session.expire_all()
    assert accounts.authenticate(user.email, "correct horse battery") is not None  # password unchanged


def test_login_flow_and_logout(client, user):
    token = _csrf(client, "/login")
    bad = client.post("/login", data={"csrf_token": token, "email": user.email, "password": "nope"})
    assert bad.status_code == 422
    assert "Wrong email or password" in bad.get_data(as_text=True)

    good = client.post(
        "/login?next=/settings/tokens",
        data={"csrf_token": token, "email": user.email.upper(), "password": "correct horse battery"},
    )
    assert good.status_code == 302
    assert good.headers["Location"].endswith("/settings/tokens")
    assert client.get("/").status_code == 200

    logout_token = _csrf(client, "/")
    assert client.post("/logout", data={"csrf_token": logout_token}).status_code == 302
    assert client.get("/").status_code == 302


def test_login_never_redirects_off_site(client, user):
    token = _csrf(client, "/login")
    response = client.post(
        "/login?next=//evil.example/steal",
        data={"csrf_token": token, "email": user.email, "password": "correct horse battery"},
    )
    assert response.headers["Location"] == "/"


def test_form_post_without_csrf_token_is_rejected(client, user, db):
    response = client.post("/signup", data={"email": "x@y.co", "password": "long enough pw"})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 1  # only the fixture's user


def test_logged_in_post_without_csrf_is_rejected(auth_client):
    response = auth_client.post("/settings/tokens", data={"name": "sneaky"})
    assert response.status_code == 400


def test_session_cookie_is_http_only(client, user):
    token = _csrf(client, "/login")
    response = client.post(
        "/login", data={"csrf_token": token, "email": user.email, "password": "correct horse battery"}
    )
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
