from app.platforms.signatures import (
    meta_verification_challenge,
    sign_meta_body,
    sign_shopify_body,
    verify_meta_signature,
    verify_shopify_webhook,
)

SECRET = "shpss_app_secret"
BODY = b'{"id":788032119674292922,"title":"Example T-Shirt","variants":[{"price":"19.99"}]}'


def test_shopify_valid_signature():
    assert verify_shopify_webhook(SECRET, BODY, sign_shopify_body(SECRET, BODY))


def test_shopify_wrong_secret():
    assert not verify_shopify_webhook(SECRET, BODY, sign_shopify_body("other", BODY))


def test_shopify_body_altered_by_one_byte():
    signature = sign_shopify_body(SECRET, BODY)
    altered = BODY.replace(b"19.99", b"19.98")
    assert not verify_shopify_webhook(SECRET, altered, signature)


def test_shopify_missing_header():
    assert not verify_shopify_webhook(SECRET, BODY, None)
    assert not verify_shopify_webhook(SECRET, BODY, "")


def test_shopify_signature_is_base64_of_hmac_sha256():
    # echo -n 'abc' | openssl dgst -sha256 -hmac key -binary | base64
    assert sign_shopify_body("key", b"abc") == "nBluMtwBdfhvSxy4konWYZ3mvuaZ5MN45oMJ7Zehpqs="


def test_meta_valid_signature():
    assert verify_meta_signature("meta-secret", BODY, sign_meta_body("meta-secret", BODY))


def test_meta_prefix_missing_is_invalid():
    signature = sign_meta_body("meta-secret", BODY)
    assert not verify_meta_signature("meta-secret", BODY, signature.removeprefix("sha256="))


def test_meta_wrong_secret_altered_body_missing_header():
    signature = sign_meta_body("meta-secret", BODY)
    assert not verify_meta_signature("other", BODY, signature)
    assert not verify_meta_signature("meta-secret", BODY + b" ", signature)
    assert not verify_meta_signature("meta-secret", BODY, None)


def test_meta_handshake():
    params = {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"}
    assert meta_verification_challenge(params, "tok") == "1158201444"
    assert meta_verification_challenge({**params, "hub.verify_token": "nope"}, "tok") is None
    assert meta_verification_challenge({**params, "hub.mode": "unsubscribe"}, "tok") is None
