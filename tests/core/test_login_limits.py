"""Guessing passwords: failed logins are limited per account and per address, and a limited attempt is
refused even with the right password, answering 429 with Retry-After and a sentence on the page."""

import re

from flask import g

PASSWORD = "correct horse battery"  # the `make_user` fixture's password


def _csrf(client, path="/login"):
    # Tests share one app context across requests and Flask-WTF caches the token in `g`: each client
    # needs its own (in production every request has its own context).
    g.pop("csrf_token", None)
    html = client.get(path).get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def _login(client, token, email, password):
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password})


def test_two_hundred_wrong_passwords_then_the_right_one_is_refused(client, user):
    token = _csrf(client)
    answers = [_login(client, token, user.email, f"guess number {n}").status_code for n in range(200)]
    assert answers[:5] == [422] * 5  # five wrong guesses are told they are wrong ...
    assert set(answers[5:]) == {429}  # ... then every attempt waits, whatever it holds

    right = _login(client, token, user.email, PASSWORD)

    assert right.status_code == 429
    assert int(right.headers["Retry-After"]) > 0
    assert "Too many attempts. Wait" in right.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still not logged in


def test_the_account_limit_holds_across_addresses(app, user):
    for n in range(5):
        roaming = app.test_client()
        roaming.environ_base["REMOTE_ADDR"] = f"198.51.100.{n + 1}"
        assert _login(roaming, _csrf(roaming), user.email, f"wrong {n}").status_code == 422
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.77"
    assert _login(other, _csrf(other), user.email, PASSWORD).status_code == 429


def test_the_address_limit_holds_across_accounts(app, client, make_user):
    victim = make_user("victim@example.com")
    token = _csrf(client)
    per_minute = int(app.config["LOGIN_LIMITS_PER_ADDRESS"].split()[0])
    # One wrong guess on each of many accounts (unknown ones too) stays under every account's own limit.
    for n in range(per_minute):
        assert _login(client, token, f"someone{n}@example.com", "not the password").status_code == 422

    limited = _login(client, token, victim.email, PASSWORD)

    assert limited.status_code == 429 and "Retry-After" in limited.headers
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert _login(elsewhere, _csrf(elsewhere), victim.email, PASSWORD).status_code == 302


def test_successful_logins_do_not_count(client, user):
    token = _csrf(client)
    for _ in range(8):
        assert _login(client, token, user.email, PASSWORD).status_code == 302


def test_behind_a_proxy_the_forwarded_address_is_the_one_limited(app, client, user):
    app.config["FORWARDED_FOR_PROXIES"] = 1
    try:
        token = _csrf(client)
        for n in range(20):  # one proxy address, twenty clients behind it, each on its own account
            forwarded = {"X-Forwarded-For": f"192.0.2.{n + 1}"}
            answer = client.post(
                "/login",
                data={"csrf_token": token, "email": f"u{n}@example.com", "password": "nope"},
                headers=forwarded,
            )
            assert answer.status_code == 422
        ok = client.post(
            "/login",
            data={"csrf_token": token, "email": user.email, "password": PASSWORD},
            headers={"X-Forwarded-For": "192.0.2.200"},
        )
        assert ok.status_code == 302
    finally:
        app.config["FORWARDED_FOR_PROXIES"] = 0


def test_signup_attempts_are_limited_per_address(client):
    token = _csrf(client, "/signup")
    answers = [
        client.post(
            "/signup", data={"csrf_token": token, "email": f"new{n}@example.com", "password": "short"}
        )
        for n in range(6)
    ]
    assert [a.status_code for a in answers[:5]] == [422] * 5
    assert answers[5].status_code == 429
    assert "Too many attempts. Wait" in answers[5].get_data(as_text=True)


def test_attempts_are_counted_where_the_queues_live(app, client, user):
    """Redis when the app has one (every web process shares the count), memory in the embedded default."""
    from app.extensions import limiter
    from app.queues import get_redis

    _login(client, _csrf(client), user.email, "wrong")

    if app.config["REDIS_URL"]:
        assert type(limiter.storage).__name__ == "RedisStorage"
        assert get_redis().keys("*wagents-limits*")
    else:
        assert type(limiter.storage).__name__ == "MemoryStorage"
