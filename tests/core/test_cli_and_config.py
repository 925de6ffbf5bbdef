"""The CLI an operator uses, and configuration parsing."""

from app.config import _database_url


def test_create_user_and_token_cli(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "ops@example.com", "--password", "long enough pw",
                                 "--workspace", "Ops"])  # fmt: skip
    assert result.exit_code == 0, result.output
    token_result = runner.invoke(args=["create-token", "ops@example.com"])
    assert token_result.exit_code == 0
    token = token_result.output.strip().splitlines()[-1]
    response = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.get_json()["workspace"]["name"] == "Ops"


def test_create_user_cli_reports_bad_input(app):
    result = app.test_cli_runner().invoke(
        args=["create-user", "not-an-email", "--password", "long enough pw"]
    )
    assert result.exit_code != 0
    assert "valid email" in result.output


def test_create_token_for_unknown_user(app):
    result = app.test_cli_runner().invoke(args=["create-token", "ghost@example.com"])
    assert result.exit_code != 0
    assert "No user" in result.output


def test_heroku_postgres_urls_are_accepted():
    assert _database_url("postgres://u:p@h:5432/d") == "postgresql+psycopg://u:p@h:5432/d"
    assert _database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert _database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}
