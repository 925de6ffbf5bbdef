"""Bearer tokens guard /api: 401 JSON without one, hashed storage, revocation."""

from app.models import ApiToken
from app.services import accounts


def test_api_without_token_is_401_json(client):
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.is_json
    assert "API token" in response.get_json()["error"]


def test_api_with_wrong_token_is_401(client):
    response = client.get("/api/me", headers={"Authorization": "Bearer wag_not-a-real-token"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "Invalid or revoked API token."


def test_api_with_token_sees_its_workspace(api_client, workspace):
    response = api_client.get("/api/me")
    assert response.status_code == 200
    assert response.get_json()["workspace"] == {"id": workspace.id, "name": workspace.name}


def test_token_is_stored_hashed(api_token, db):
    row = db.session.query(ApiToken).one()
    assert api_token not in (row.token_hash, row.token_prefix)
    assert row.token_hash == accounts.hash_token(api_token)


def test_revoked_token_stops_working(api_client, user, db):
    token = db.session.query(ApiToken).one()
    assert accounts.revoke_api_token(user.workspace_id, token.id)
    assert api_client.get("/api/me").status_code == 401


def test_token_of_another_workspace_cannot_be_revoked(make_user, api_token, db, user):
    other = make_user()
    token = db.session.query(ApiToken).one()
    assert not accounts.revoke_api_token(other.workspace_id, token.id)


def test_unknown_api_route_is_404_json(api_client):
    response = api_client.get("/api/nothing-here")
    assert response.status_code == 404
    assert "error" in response.get_json()


def test_settings_page_creates_token_shown_once(auth_client, db):
    import re

    html = auth_client.get("/settings/tokens").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    page = auth_client.post(
        "/settings/tokens", data={"csrf_token": csrf, "name": "zapier", "scopes": ["shop:admin"]}
    )
    plain = re.search(r'id="new-token">([^<]+)<', page.get_data(as_text=True)).group(1)
    assert auth_client.get("/api/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    assert plain not in auth_client.get("/settings/tokens").get_data(as_text=True)
