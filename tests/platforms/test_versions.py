"""API versions are settings (`SHOPIFY_API_VERSION`, `META_GRAPH_VERSION`): the platform clients require one
and name none, and the demo store answers whichever version the URL carries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import responses

from app.demo_store import DemoStore
from app.demo_store.testing import mount_on_responses
from app.platforms.meta_catalog import MetaCatalogClient
from app.platforms.shopify.client import ShopifyClient
from app.platforms.whatsapp import WhatsAppClient

from .conftest import GRAPH_VERSION, SHOPIFY_VERSION

APP = Path(__file__).resolve().parents[2] / "app"
VERSION_LITERAL = re.compile(r"""["'](v\d+\.\d+|20\d\d-(01|04|07|10))["']""")


@pytest.mark.parametrize(
    "build",
    [lambda: ShopifyClient("x.myshopify.com", "t"), lambda: MetaCatalogClient("t"),
     lambda: WhatsAppClient("t", "123")],
)  # fmt: skip
def test_clients_refuse_to_guess_a_version(build):
    with pytest.raises(TypeError, match="version"):
        build()


def test_no_platform_client_or_service_names_a_version():
    sources = [*APP.glob("platforms/**/*.py"), *APP.glob("services/*.py"), *APP.glob("sync/*.py")]
    named = {str(p.relative_to(APP)): VERSION_LITERAL.findall(p.read_text()) for p in sources}
    assert {path: found for path, found in named.items() if found} == {}
    assert VERSION_LITERAL.search((APP / "config.py").read_text())  # the one place


def test_versions_come_from_the_config():
    assert ShopifyClient("x.myshopify.com", "t", api_version=SHOPIFY_VERSION).endpoint.endswith(
        f"/admin/api/{SHOPIFY_VERSION}/graphql.json"
    )
    assert MetaCatalogClient("t", version=GRAPH_VERSION).base.endswith(f"/{GRAPH_VERSION}")


def test_demo_store_answers_any_version_in_the_url(tmp_path):
    store = DemoStore(":memory:", default_products=2, default_orders=0, bulk_dir=str(tmp_path),
                      deliver=lambda url, body, headers: None)  # fmt: skip
    store.seed_shop("versions.myshopify.com")
    store.add_custom_token("versions.myshopify.com", "shpat_versions")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount_on_responses(rsps, store)
        for version in (SHOPIFY_VERSION, "2099-01", "unstable"):
            client = ShopifyClient("versions.myshopify.com", "shpat_versions", api_version=version)
            assert client.get_shop()["myshopifyDomain"] == "versions.myshopify.com"
    store.db.close()
