from app.platforms.shopify import queries
from app.platforms.shopify.cost import requested_cost
from app.platforms.shopify.throttle import page_size_for


def test_object_costs_one_and_scalars_nothing():
    assert requested_cost("{ shop { name currencyCode myshopifyDomain } }") == 1


def test_connection_is_two_plus_first_times_node_and_nested_connections_multiply():
    document = (
        "{ products(first: 10) { edges { node { title variants(first: 5) { edges { node { price } } } } } } }"
    )
    # 2 + 10 * (1 product + 2 + 5 * 1 variant)
    assert requested_cost(document) == 82


def test_first_from_variables_and_nested_objects_count():
    document = "query($n: Int!) { products(first: $n) { nodes { id inventory: variants(first: 2) { nodes { inventoryItem { id } } } } } }"
    # 2 + 3 * (1 + 2 + 2 * (1 + 1))
    assert requested_cost(document, {"n": 3}) == 2 + 3 * 7


def test_mutation_costs_ten():
    assert requested_cost(queries.WEBHOOK_SUBSCRIPTION_DELETE_MUTATION, {"id": "gid://x"}) == 10


def test_abstract_type_takes_costliest_fragment():
    document = "{ products(first: 1) { nodes { media(first: 2) { nodes { ... on MediaImage { image { url } } ... on Video { id } } } } } }"
    # 2 + 1 * (1 + 2 + 2 * (1 + 1 image))
    assert requested_cost(document) == 2 + 1 * (1 + 2 + 2 * 2)


def test_products_page_size_keeps_requested_cost_under_limit():
    variables = {"variantsFirst": 50, "mediaFirst": 5}
    size = page_size_for(
        lambda n: requested_cost(queries.PRODUCTS_PAGE_QUERY, {**variables, "first": n}), 1000
    )
    assert requested_cost(queries.PRODUCTS_PAGE_QUERY, {**variables, "first": size}) <= 1000
    assert requested_cost(queries.PRODUCTS_PAGE_QUERY, {**variables, "first": size + 1}) > 1000


def test_cheap_documents_get_the_maximum_page_size():
    assert (
        page_size_for(lambda n: requested_cost(queries.WEBHOOK_SUBSCRIPTIONS_QUERY, {"first": n}), 1000)
        == 250
    )


def test_cached_cost_follows_the_variables_that_size_or_skip_selections():
    document = (
        "query($n: Int!, $m: Int!, $after: String, $withMedia: Boolean!) { products(first: $n, after: $after) {"
        " nodes { variants(first: $m) { nodes { inventoryItem { id } } }"
        " media(first: 2) @include(if: $withMedia) { nodes { id } } } } }"
    )
    base = {"n": 3, "m": 2, "withMedia": True}
    # 2 + 3 * (1 + (2 + 2 * 2) + (2 + 2 * 1))
    assert requested_cost(document, {**base, "after": "a"}) == 2 + 3 * 11
    assert requested_cost(document, {**base, "after": "b"}) == 2 + 3 * 11  # the cursor does not count
    assert requested_cost(document, {**base, "m": 4}) == 2 + 3 * 15
    assert requested_cost(document, {**base, "withMedia": False}) == 2 + 3 * 7
    assert requested_cost(document, {**base, "n": 5}) == 2 + 5 * 11
