"""Helpers that put the demo store behind the app's Shopify client in tests and benchmarks.

- `mount_on_responses` routes every ``requests`` call to a ``*.myshopify.com`` host (the real
  ``https://{shop}/admin/...`` URLs) into the blueprint through a Flask test client: client tests run
  in-process, with no server and no network, against Shopify's shapes.
- `run_in_thread` serves the standalone app on a loopback port (Playwright, benchmarks); returns the base
  URL and a ``stop`` function.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from werkzeug.serving import make_server

from app.demo_store.routes import create_standalone_app

SHOP_PATTERN = r"(?P<shop>[A-Za-z0-9][A-Za-z0-9-]*\.myshopify\.com)"


def mount_on_responses(rsps, store, base: str = "https://{shop}"):
    """Register ``responses`` callbacks sending requests under ``base`` (``{shop}`` = any myshopify host)
    to the demo store. Returns the Flask app serving them.

    Bulk result URLs point back at the same host, so downloads are served too. Use a
    ``RequestsMock(assert_all_requests_are_fired=False)``: a test rarely uses both GET and POST."""
    app = create_standalone_app(store)
    client = app.test_client()
    pattern = re.compile(
        "^" + re.escape(base).replace(re.escape("{shop}"), SHOP_PATTERN) + r"(?P<path>/[^?]*)?"
    )

    def callback(request):
        url = urlsplit(request.url)
        match = pattern.match(request.url)
        path = match["path"] or "/"
        if not path.startswith("/demo-store/"):
            path = f"/demo-store/{match['shop']}{path}"
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        response = client.open(
            path,
            method=request.method,
            headers={k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "host")},
            data=body or b"",
            query_string=url.query,
            base_url=f"{url.scheme}://{url.netloc}",
        )
        headers = {
            k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")
        }
        if response.content_type:
            headers["Content-Type"] = response.content_type
        return response.status_code, headers, response.get_data()

    for method in ("GET", "POST"):
        rsps.add_callback(method, pattern, callback=callback, content_type=None)
    return app


def run_in_thread(store, port: int = 0, host: str = "127.0.0.1") -> tuple[str, Callable[[], None]]:
    """Serve the demo store on ``host:port`` (0 = any free port) in a daemon thread."""
    server = make_server(host, port, create_standalone_app(store), threaded=True)
    url = f"http://{host}:{server.port}"
    if store.public_url == "http://127.0.0.1:5000":
        store.public_url = url
    thread = threading.Thread(target=server.serve_forever, name="demo-store", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()

    return url, stop
