"""The bulk export documents keep Shopify's bulk rules (one top-level connection, at most five connections,
at most two levels of them, no variables) on the pinned Admin schema; their JSONL folds back into the paged
shapes; a refusal at the shop's limit is its own retryable error."""

from __future__ import annotations

import json

import graphql
import pytest
from graphql.validation import NoDeprecatedCustomRule, specified_rules

from app.platforms.errors import ShopifyBulkLimitReached, ShopifyError, shopify_user_error
from app.platforms.shopify.bulk import (
    BULK_INNER_QUERIES,
    assemble_bulk_locations,
    assemble_bulk_orders,
    assemble_bulk_variant_media,
    bulk_products_query,
)
from app.platforms.shopify.cost import load_admin_schema

DOCUMENTS = {**BULK_INNER_QUERIES, "products(filter)": bulk_products_query("updated_at:>'2026-01-01'")}


def _connections(schema, document: str) -> list[int]:
    """The nesting depth (1 = top level) of every connection field the document selects."""
    depths: list[int] = []
    info = graphql.TypeInfo(schema)

    class Visitor(graphql.Visitor):
        def __init__(self):
            super().__init__()
            self.stack: list[bool] = []

        def enter_field(self, node, *_):
            field = info.get_field_def()
            is_connection = field is not None and graphql.get_named_type(field.type).name.endswith(
                "Connection"
            )
            self.stack.append(is_connection)
            if is_connection:
                depths.append(sum(self.stack))

        def leave_field(self, *_):
            self.stack.pop()

    graphql.visit(graphql.parse(document), graphql.TypeInfoVisitor(info, Visitor()))
    return depths


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_bulk_document_keeps_shopifys_bulk_rules(name):
    schema, document = load_admin_schema(), DOCUMENTS[name]
    rules = [*specified_rules, NoDeprecatedCustomRule]
    assert [e.message for e in graphql.validate(schema, graphql.parse(document), rules)] == []
    operation = graphql.get_operation_ast(graphql.parse(document))
    assert not operation.variable_definitions  # bulk queries take no variables
    assert len(operation.selection_set.selections) == 1
    depths = _connections(schema, document)
    assert depths[0] == 1 and 1 <= len(depths) <= 5 and max(depths) <= 2, depths


def test_a_third_level_of_connections_would_be_caught():
    document = (
        "{ products { edges { node { variants { edges { node { media { edges { node { id } } } } } } } } } }"
    )
    assert max(_connections(load_admin_schema(), document)) == 3


def _jsonl(*lines: dict) -> list[bytes]:
    return [json.dumps(line).encode() for line in lines]


def test_order_lines_and_refund_lines_fold_back_under_their_parents():
    order = {"id": "gid://shopify/Order/1", "refunds": [{"id": "gid://shopify/Refund/9", "note": "ça"}]}
    lines = _jsonl(
        order,
        {"id": "gid://shopify/LineItem/1", "quantity": 2, "__parentId": "gid://shopify/Order/1"},
        {
            "lineItem": {"id": "gid://shopify/LineItem/1"},
            "quantity": 1,
            "__parentId": "gid://shopify/Refund/9",
        },
        {"id": "gid://shopify/Order/2", "refunds": []},
    )
    first, second = assemble_bulk_orders(lines)
    assert [n["id"] for n in first["lineItems"]["nodes"]] == ["gid://shopify/LineItem/1"]
    assert first["refunds"][0]["refundLineItems"]["nodes"][0]["quantity"] == 1
    assert second["lineItems"]["nodes"] == []


def test_variant_media_and_location_levels_fold_back():
    media = _jsonl(
        {"id": "gid://shopify/ProductVariant/1"},
        {"id": "gid://shopify/MediaImage/5", "__parentId": "gid://shopify/ProductVariant/1"},
        {"id": "gid://shopify/MediaImage/6", "__parentId": "gid://shopify/ProductVariant/1"},
        {"id": "gid://shopify/ProductVariant/2"},
    )
    assert dict(assemble_bulk_variant_media(media)) == {
        "gid://shopify/ProductVariant/1": "gid://shopify/MediaImage/5",
        "gid://shopify/ProductVariant/2": None,
    }
    levels = _jsonl(
        {"id": "gid://shopify/Location/1", "name": "Lisboa"},
        *({"item": {"id": f"gid://shopify/InventoryItem/{i}"}, "quantities": [],
           "__parentId": "gid://shopify/Location/1"} for i in (3, 4)),
        {"id": "gid://shopify/Location/2", "name": "Porto"},
        {"id": "gid://shopify/Location/3", "name": "Faro"},
        {"item": {"id": "gid://shopify/InventoryItem/5"}, "quantities": [], "__parentId": "gid://shopify/Location/3"},
    )  # fmt: skip
    # Each location's levels are a stream, read before the next location is asked for.
    read = [
        (loc["name"], [level["item"]["id"][-1] for level in found])
        for loc, found in assemble_bulk_locations(levels)
    ]
    assert read == [("Lisboa", ["3", "4"]), ("Porto", []), ("Faro", ["5"])]
    # A stream left unread is skipped, not mistaken for the next location's.
    assert [loc["name"] for loc, _ in assemble_bulk_locations(levels)] == ["Lisboa", "Porto", "Faro"]
    with pytest.raises(ShopifyError, match="not grouped"):
        for _, found in assemble_bulk_locations(
            _jsonl({"id": "gid://shopify/Location/1"}, {"item": {}, "__parentId": "gid://shopify/Location/9"})
        ):
            list(found)


def test_a_child_line_away_from_its_parent_fails_loudly():
    lines = _jsonl({"id": "gid://shopify/Order/1"}, {"id": "x", "__parentId": "gid://shopify/Order/7"})
    with pytest.raises(ShopifyError, match="not grouped"):
        list(assemble_bulk_orders(lines))


def test_limit_reached_is_a_retryable_error_of_its_own():
    message = "A maximum of 5 bulk query operations can run at once for this app and shop."
    error = shopify_user_error(
        "bulkOperationRunQuery", [{"field": None, "message": message, "code": "LIMIT_REACHED"}]
    )
    assert isinstance(error, ShopifyBulkLimitReached) and error.retryable
