"""Notifications reach public addresses only: checked when sent, pinned to the checked address, no redirects."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import responses

from app.platforms import public_http
from app.platforms.notify import post_notification
from tests import fake_dns

PUBLIC_V4, PUBLIC_V6 = "93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"
INTERNAL = [
    "127.0.0.1", "127.4.5.6", "::1", "::ffff:127.0.0.1", "::127.0.0.1", "169.254.169.254", "fd00:ec2::254",
    "100.100.100.200", "10.0.0.5", "172.16.0.1", "192.168.1.1", "100.64.0.1", "fc00::1", "fe80::1",
    "224.0.0.1", "ff02::1", "0.0.0.0", "0.1.2.3", "::", "240.0.0.1", "255.255.255.255", "64:ff9b::7f00:1",
    "2002:7f00:1::", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "fec0::1", "::ffff:169.254.169.254",
]  # fmt: skip
URL_FORMS = [
    "https://127.0.0.1:8443/hook", "https://[::1]/hook", "https://[::ffff:127.0.0.1]:9000/hook",
    "https://169.254.169.254/latest/meta-data/", "https://[fd00:ec2::254]/latest", "https://10.1.2.3/x",
    "https://0.0.0.0/", "https://[::]/", "https://2130706433/x",
]  # fmt: skip
PAYLOAD = {"event": "sync.failed", "run_id": 7}


@pytest.mark.parametrize("address", INTERNAL)
def test_internal_addresses_are_refused(address):
    assert public_http.refusal(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", [PUBLIC_V4, PUBLIC_V6, "8.8.8.8"])
def test_public_addresses_pass(address):
    assert public_http.refusal(ipaddress.ip_address(address)) is None


def test_opt_out_lets_loopback_and_private_through_but_never_metadata():
    for address in ("127.0.0.1", "::1", "10.0.0.5", "fd12::1", "100.64.0.1"):
        assert public_http.refusal(ipaddress.ip_address(address), allow_private=True) is None
    for address in ("169.254.169.254", "fd00:ec2::254", "fe80::1", "0.0.0.0", "224.0.0.1", "240.0.0.1"):
        assert public_http.refusal(ipaddress.ip_address(address), allow_private=True) is not None


@pytest.fixture
def outbound():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, re.compile(r".*"), json={"ok": True})
        yield mock


@pytest.mark.parametrize("url", URL_FORMS)
def test_each_internal_url_form_is_refused_at_send(outbound, monkeypatch, url):
    fake_dns.install(monkeypatch, {})
    assert post_notification(url, PAYLOAD) is False
    assert len(outbound.calls) == 0


def test_a_name_resolving_to_loopback_is_refused(outbound, monkeypatch):
    looked_up = fake_dns.install(
        monkeypatch, {"hooks.evil.test": "127.0.0.1", "mixed.evil.test": [PUBLIC_V4, "10.0.0.8"]}
    )
    assert post_notification("https://hooks.evil.test/hook", PAYLOAD) is False
    # One internal address among public ones is enough to refuse.
    assert post_notification("https://mixed.evil.test/hook", PAYLOAD) is False
    assert looked_up == ["hooks.evil.test", "mixed.evil.test"] and len(outbound.calls) == 0


def test_a_public_address_still_sends(outbound, monkeypatch):
    fake_dns.install(monkeypatch, {"hooks.merchant.test": [PUBLIC_V4]})
    assert post_notification("https://hooks.merchant.test/wagents?key=s3cret", PAYLOAD) is True
    assert post_notification(f"https://[{PUBLIC_V6}]/wagents", PAYLOAD) is True
    assert [json.loads(c.request.body) for c in outbound.calls] == [PAYLOAD, PAYLOAD]


def test_a_redirect_to_an_internal_address_is_not_followed(monkeypatch):
    fake_dns.install(monkeypatch, {"hooks.merchant.test": PUBLIC_V4})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, "https://hooks.merchant.test/wagents", status=307,
                 headers={"Location": "https://169.254.169.254/latest/meta-data/"})  # fmt: skip
        mock.add(responses.POST, re.compile(r"https://169\.254\.169\.254/.*"), json={"secret": True})
        assert post_notification("https://hooks.merchant.test/wagents", PAYLOAD) is False
        assert [c.request.url for c in mock.calls] == ["https://hooks.merchant.test/wagents"]


def test_an_unresolvable_name_fails_quietly(monkeypatch):
    fake_dns.install(monkeypatch, {})
    assert post_notification("https://nowhere.invalid/hook", PAYLOAD) is False


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.seen.append((self.headers["Host"], json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_connection_goes_to_the_checked_address_with_the_name_as_host(listener, monkeypatch):
    port = listener.server_port
    # A rebinding resolver: the first answer is the listener, any later one the metadata service.
    looked_up = fake_dns.install(monkeypatch, {"hooks.merchant.test": [["127.0.0.1"], ["169.254.169.254"]]})
    url = f"http://hooks.merchant.test:{port}/hook"
    assert post_notification(url, PAYLOAD, allow_private=True) is True
    assert listener.seen == [(f"hooks.merchant.test:{port}", PAYLOAD)]
    assert looked_up == ["hooks.merchant.test"]  # resolved once: the connect did not ask again


def test_a_loopback_listener_is_not_reached_without_the_opt_out(listener, monkeypatch):
    fake_dns.install(monkeypatch, {"hooks.merchant.test": "127.0.0.1"})
    assert post_notification(f"http://hooks.merchant.test:{listener.server_port}/hook", PAYLOAD) is False
    assert post_notification(f"http://127.0.0.1:{listener.server_port}/hook", PAYLOAD) is False
    assert listener.seen == []


def _certificate(tmp_path, name):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_path), str(key_path)


def test_tls_verifies_the_name_and_sends_it_as_sni_while_pinned(listener, monkeypatch, tmp_path):
    cert, key = _certificate(tmp_path, "hooks.merchant.test")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    sni = []
    context.sni_callback = lambda sock, name, ctx: sni.append(name)
    listener.socket = context.wrap_socket(listener.socket, server_side=True)
    fake_dns.install(monkeypatch, {"hooks.merchant.test": "127.0.0.1", "other.merchant.test": "127.0.0.1"})
    port = listener.server_port

    response = public_http.post_json(f"https://hooks.merchant.test:{port}/hook", PAYLOAD, timeout=(3, 5),
                                     allow_private=True, verify=cert)  # fmt: skip
    assert response.status_code == 204 and sni == ["hooks.merchant.test"]
    assert listener.seen == [(f"hooks.merchant.test:{port}", PAYLOAD)]
    # The certificate is checked against the name asked for, not the pinned IP.
    with pytest.raises(public_http.requests.exceptions.SSLError):
        public_http.post_json(f"https://other.merchant.test:{port}/hook", PAYLOAD, timeout=(3, 5),
                              allow_private=True, verify=cert)  # fmt: skip


def test_an_international_name_is_checked_and_pinned_as_punycode(listener, monkeypatch):
    looked_up = fake_dns.install(monkeypatch, {"xn--bcher-kva.test": "127.0.0.1"})
    url = f"http://bücher.test:{listener.server_port}/hook"
    assert post_notification(url, PAYLOAD) is False  # loopback, refused
    assert post_notification(url, PAYLOAD, allow_private=True) is True
    assert looked_up == ["xn--bcher-kva.test", "xn--bcher-kva.test"]
    assert listener.seen == [(f"xn--bcher-kva.test:{listener.server_port}", PAYLOAD)]


class _Endless(_Recorder):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", str(10**9))
        self.end_headers()
        for _ in range(40):  # a trickle the read timeout alone would never end (bounded: 4 s)
            try:
                self.wfile.write(b"x" * 10)
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)


def test_an_endless_answer_does_not_hold_the_sender(monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _Endless)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        fake_dns.install(monkeypatch, {"hooks.merchant.test": "127.0.0.1"})
        started = time.monotonic()
        url = f"http://hooks.merchant.test:{server.server_port}/hook"
        assert post_notification(url, PAYLOAD, allow_private=True) is True
        assert time.monotonic() - started < 2
    finally:
        server.shutdown()
        server.server_close()
