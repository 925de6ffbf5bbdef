"""Every GraphQL document the app sends validates against the pinned 2026-10 Admin schema."""

import graphql
import pytest
from graphql.validation import NoDeprecatedCustomRule, specified_rules

from app.platforms.shopify import checkout_queries, product_writes, queries
from app.platforms.shopify.bulk import bulk_products_query
from app.platforms.shopify.cost import load_admin_schema

DOCUMENTS = {
    name: value
    for name, value in vars(queries).items()
    if not name.startswith("_") and name.isupper() and isinstance(value, str)
}
DOCUMENTS.update(product_writes.DOCUMENTS)
DOCUMENTS["ABANDONED_CHECKOUTS_PAGE_QUERY"] = checkout_queries.ABANDONED_CHECKOUTS_PAGE_QUERY
DOCUMENTS["bulk_products_query(filter)"] = bulk_products_query('updated_at:>"2026-01-01T00:00:00Z"')


def test_queries_module_exposes_documents():
    assert len(DOCUMENTS) >= 12


def test_pinned_schema_loads_and_is_marked_validated():
    schema = load_admin_schema()
    assert graphql.validate_schema(schema) == []
    assert load_admin_schema() is schema  # cached


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_is_valid(name):
    errors = graphql.validate(load_admin_schema(), graphql.parse(DOCUMENTS[name]))
    assert [e.message for e in errors] == []


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_uses_no_deprecated_fields(name):
    rules = [*specified_rules, NoDeprecatedCustomRule]
    errors = graphql.validate(load_admin_schema(), graphql.parse(DOCUMENTS[name]), rules)
    assert [e.message for e in errors] == []


def test_deprecated_field_would_be_caught():
    document = graphql.parse("{ products(first: 1) { nodes { images(first: 1) { nodes { url } } } } }")
    rules = [*specified_rules, NoDeprecatedCustomRule]
    assert graphql.validate(load_admin_schema(), document, rules)


def test_inventory_mutation_carries_idempotent_directive():
    assert "@idempotent(key: $idempotencyKey)" in queries.INVENTORY_ADJUST_QUANTITIES_MUTATION
