"""Meta documents webhook payloads of at most 3 MB: a larger POST to the Meta endpoints is refused with 413
before a byte of it is read (so before any HMAC), signed or not; bodies within it, and other endpoints'
bodies up to MAX_CONTENT_LENGTH, are read as before."""

from __future__ import annotations

import io

import pytest

from app.platforms.signatures import sign_meta_body, sign_shopify_body

META_LIMIT = 3 * 1024 * 1024


class CountingInput(io.BytesIO):
    """The request body stream, counting the bytes the app reads from it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        part = super().read(size)
        self.bytes_read += len(part)
        return part

    def readline(self, size=-1):
        part = super().readline(size)
        self.bytes_read += len(part)
        return part

    def readinto(self, buffer):
        count = super().readinto(buffer)
        self.bytes_read += count
        return count


def _body(size: int) -> bytes:
    head = b'{"object":"whatsapp_business_account","entry":[],"padding":"'
    return head + b"x" * (size - len(head) - 2) + b'"}'


def _post(client, path: str, body: bytes, headers: dict) -> tuple:
    stream = CountingInput(body)
    response = client.post(
        path, input_stream=stream, content_type="application/json",
        headers={"Content-Length": str(len(body)), **headers},
    )  # fmt: skip
    return response, stream


def test_default_meta_limit_is_what_meta_documents(app):
    assert app.config["META_WEBHOOK_MAX_CONTENT_LENGTH"] == META_LIMIT
    assert app.config["MAX_CONTENT_LENGTH"] > META_LIMIT


@pytest.mark.parametrize("platform", ["whatsapp", "facebook"])
@pytest.mark.parametrize("signed", [False, True])
def test_meta_body_over_three_megabytes_is_refused_unread(client, platform, signed):
    body = _body(5_000_000)
    signature = sign_meta_body("test-meta-secret", body) if signed else "sha256=" + "0" * 64
    response, stream = _post(client, f"/api/webhooks/{platform}", body, {"X-Hub-Signature-256": signature})
    assert response.status_code == 413
    assert response.get_json() == {
        "error": f"The request body is larger than the limit of {META_LIMIT} bytes."
    }
    assert stream.bytes_read == 0


def test_meta_body_within_the_limit_is_read_and_checked(client):
    body = _body(META_LIMIT - 10)
    response, stream = _post(
        client, "/api/webhooks/whatsapp", body, {"X-Hub-Signature-256": "sha256=" + "0" * 64}
    )
    assert response.status_code == 401
    assert stream.bytes_read == len(body)


def test_shopify_bodies_keep_the_app_wide_limit(client):
    body = _body(4_000_000)
    response, _ = _post(
        client, "/api/webhooks/shopify", body,
        {"X-Shopify-Hmac-Sha256": sign_shopify_body("test-api-secret", body), "X-Shopify-Topic": "products/update",
         "X-Shopify-Shop-Domain": "nobody.myshopify.com"},
    )  # fmt: skip
    assert response.status_code == 200
