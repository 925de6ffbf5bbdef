"""Outbound HTTP to an address a merchant typed in (the notification URL): public internet addresses only.

A URL a merchant controls must not make our worker reach loopback services, the private network or a cloud
metadata endpoint. The guard runs when the request is sent: the host is resolved once, every address it
resolves to is checked (IPv4, IPv6 and IPv4-mapped IPv6), and the connection is pinned to the checked address,
so DNS cannot answer differently between the check and the connect (rebinding). TLS still verifies the
certificate for the host name and sends it as SNI; the Host header keeps the name. Redirects are never
followed: a 3xx is the answer. `allow_private` (the operator's `NOTIFY_ALLOW_PRIVATE`) lets loopback and
private-network addresses through for an endpoint inside the operator's own network; metadata, link-local,
multicast, unspecified and reserved addresses stay refused even then.

Plain data in and out, no Flask, no models.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

IP = ipaddress.IPv4Address | ipaddress.IPv6Address

# Instance metadata services (AWS/GCP/Azure/OpenStack, AWS over IPv6, Alibaba, Oracle).
METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
# Carrier-grade NAT: internal workloads on some clouds. Treated as a private network.
SHARED = ipaddress.ip_network("100.64.0.0/10")
# Never reached, not even with `allow_private`: "this network", and ranges that carry or translate another
# address (which could be an internal one), beyond what Python's ipaddress calls reserved.
NEVER = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network": 0.0.0.0 and its neighbours reach the local host on Linux
        "192.0.0.0/24",  # IETF protocol assignments
        "192.88.99.0/24",  # 6to4 relay anycast
        "64:ff9b::/96",  # NAT64: carries an IPv4 address inside
        "64:ff9b:1::/48",  # local-use NAT64
        "2002::/16",  # 6to4: carries an IPv4 address inside
        "2001::/32",  # Teredo: carries an IPv4 address inside
    )
)
DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeAddress(requests.RequestException):
    """The URL's host is (or resolves to) an address notifications must not reach."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    ip: IP


def refusal(ip: IP, *, allow_private: bool = False) -> str | None:
    """Why `ip` must not be reached ("a loopback address"), or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip in METADATA:
        return "a cloud metadata address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_loopback:
        return None if allow_private else "a loopback address"
    if ip.is_reserved or any(ip in net for net in NEVER):
        return "a reserved address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "a reserved address"
    if ip.is_private or ip in SHARED:
        return None if allow_private else "a private-network address"
    if not ip.is_global:
        return "a reserved address"
    return None


def _split(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise UnsafeAddress("only http(s) URLs with a host can be called")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
        # The name as requests will send it (punycode), so the pinned adapter recognises it.
        host = parts.hostname.rstrip(".").encode("idna").decode("ascii").lower()
    except ValueError as exc:  # UnicodeError included
        raise UnsafeAddress("the URL's host or port is not valid") from exc
    return scheme, host, port


def resolve(url: str, *, allow_private: bool = False) -> Target:
    """Resolve the URL's host once and check every address. Raises UnsafeAddress, or ConnectionError when
    the name does not resolve."""
    _scheme, host, port = _split(url)
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise requests.ConnectionError(f"{host} does not resolve") from exc
        # Scope ids ("fe80::1%eth0") are cut: the address is what is judged.
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise requests.ConnectionError(f"{host} does not resolve")
    for ip in addresses:
        reason = refusal(ip, allow_private=allow_private)
        if reason:
            raise UnsafeAddress(f"{host} is {reason} ({ip})" if str(ip) != host else f"{ip} is {reason}")
    return Target(host=host, port=port, ip=addresses[0])


def refusal_for_url(url: str, *, allow_private: bool = False) -> str | None:
    """For forms: the reason a URL would be refused when sent, or None. A name that does not resolve now is
    not refused (DNS may be down for a moment); the send-time check decides then."""
    try:
        resolve(url, allow_private=allow_private)
    except UnsafeAddress as exc:
        return str(exc)
    except requests.ConnectionError:
        return None
    return None


class _PinnedAdapter(HTTPAdapter):
    """Connects to the checked address instead of resolving the host again; TLS and Host keep the name."""

    def __init__(self, target: Target):
        super().__init__(max_retries=0)
        self.target = target

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        scheme, host, port = _split(request.url)
        if (host, port) != (self.target.host, self.target.port):
            raise UnsafeAddress(f"{host} was not checked")  # no redirects are followed; never reached
        ip = self.target.ip
        host_params["host"] = f"[{ip}]" if ip.version == 6 else str(ip)
        if scheme == "https":
            pool_kwargs["server_hostname"] = host  # SNI
            pool_kwargs["assert_hostname"] = host  # the certificate is checked for the name, not the IP
        request.headers["Host"] = host if port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
        return host_params, pool_kwargs


def post_json(
    url: str, payload: dict, *, timeout: tuple[float, float], headers: dict | None = None,
    allow_private: bool = False, verify: bool | str = True,
) -> requests.Response:  # fmt: skip
    """POST JSON to a public address, pinned to the address that was checked; no redirects, no proxies from
    the environment (a proxy would resolve the name itself). Raises UnsafeAddress or another
    RequestException."""
    target = resolve(url, allow_private=allow_private)
    with requests.Session() as session:
        session.trust_env = False
        adapter = _PinnedAdapter(target)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        # Only the status matters: the body is never read, so an endless answer cannot hold the worker.
        response = session.post(
            url,
            json=payload,
            timeout=timeout,
            headers=headers,
            allow_redirects=False,
            verify=verify,
            stream=True,
        )
        response.close()
        return response
