"""Every GraphQL document the app sends to the Shopify Admin API (2026-10), as module-level strings.

Rules: request exactly the fields the sync mapping needs; no deprecated fields (`media` not `images`,
`descriptionHtml` not `bodyHtml`, `uri` not `callbackUrl`, `bulkOperation(id:)` not
`currentBulkOperation`, `defaultEmailAddress` not `Customer.email`). `tests/platforms/test_shopify_schema.py`
validates every upper-case string here against the pinned schema, also with `NoDeprecatedCustomRule`.
Paged and bulk product documents select the same fields so one mapping handles both shapes.
"""

# One selection for a product, shared by paged, by-id and bulk documents. Nested connections are sized by
# variables in paged documents; bulk documents drop the sizes (bulk operations ignore them).
_PRODUCT_FIELDS = """
  id
  title
  handle
  descriptionHtml
  productType
  vendor
  tags
  status
  createdAt
  updatedAt
"""
_VARIANT_FIELDS = """
  id
  sku
  barcode
  title
  price
  compareAtPrice
  inventoryQuantity
  inventoryItem { id }
  selectedOptions { name value }
"""
# Images carry their URL; other media (video, 3D model) their id, type and alt text (their preview image
# would cost a point per media item on every page, ~15% of a products page).
_MEDIA_FIELDS = """
  id
  mediaContentType
  alt
  ... on MediaImage { image { url altText } }
"""
# The variant's own image: its first media item, by id (the product's media carry the URL). Paged and by-id
# documents only: bulk queries allow two levels of nested connections (products > variants), so the bulk
# path reads it with `bulk_queries.BULK_VARIANT_MEDIA_INNER_QUERY`.
_VARIANT_IMAGE = "media(first: 1) { nodes { id } }"

PRODUCTS_PAGE_QUERY = f"""
query ProductsPage($first: Int!, $after: String, $query: String, $variantsFirst: Int!, $mediaFirst: Int!) {{
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      {_PRODUCT_FIELDS}
      variants(first: $variantsFirst) {{
        pageInfo {{ hasNextPage }}
        nodes {{ {_VARIANT_FIELDS} {_VARIANT_IMAGE} }}
      }}
      media(first: $mediaFirst) {{
        pageInfo {{ hasNextPage endCursor }}
        nodes {{ {_MEDIA_FIELDS} }}
      }}
    }}
  }}
}}
"""

PRODUCT_BY_ID_QUERY = f"""
query ProductById($id: ID!, $variantsFirst: Int!, $mediaFirst: Int!) {{
  product(id: $id) {{
    {_PRODUCT_FIELDS}
    variants(first: $variantsFirst) {{
      pageInfo {{ hasNextPage }}
      nodes {{ {_VARIANT_FIELDS} {_VARIANT_IMAGE} }}
    }}
    media(first: $mediaFirst) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {_MEDIA_FIELDS} }}
    }}
  }}
}}
"""

# The rest of a product's variants when a page's `variants(first:)` was not enough (Shopify allows 2,048).
PRODUCT_VARIANTS_PAGE_QUERY = f"""
query ProductVariantsPage($id: ID!, $first: Int!, $after: String) {{
  product(id: $id) {{
    id
    variants(first: $first, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {_VARIANT_FIELDS} {_VARIANT_IMAGE} }}
    }}
  }}
}}
"""

# The rest of a product's media when a page's `media(first:)` was not enough (Shopify allows 250).
PRODUCT_MEDIA_PAGE_QUERY = f"""
query ProductMediaPage($id: ID!, $first: Int!, $after: String) {{
  product(id: $id) {{
    id
    media(first: $first, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {_MEDIA_FIELDS} }}
    }}
  }}
}}
"""

# The total a sync's progress bar counts towards; `limit: null` asks for an exact count past 10,000.
PRODUCTS_COUNT_QUERY = """
query ProductsCount($query: String) {
  productsCount(query: $query, limit: null) { count precision }
}
"""

ORDERS_COUNT_QUERY = """
query OrdersCount($query: String) {
  ordersCount(query: $query, limit: null) { count precision }
}
"""

# The drift audit (`app.sync.audit`): every product's id, version and the fields a merchant sees, with its
# variants' stock. Scalars cost nothing, so this reads the whole catalog cheaply; a product with more variants
# than a page carries has the rest read with AUDIT_VARIANTS_QUERY (never dropped).
AUDIT_PRODUCTS_QUERY = """
query AuditProducts($first: Int!, $after: String, $variantsFirst: Int!) {
  products(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id title handle updatedAt
      variants(first: $variantsFirst) {
        pageInfo { hasNextPage endCursor }
        nodes { id sku price inventoryQuantity }
      }
    }
  }
}
"""

AUDIT_ORDERS_QUERY = """
query AuditOrders($first: Int!, $after: String) {
  orders(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id updatedAt }
  }
}
"""

AUDIT_VARIANTS_QUERY = """
query AuditVariants($id: ID!, $first: Int!, $after: String) {
  product(id: $id) {
    id
    variants(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id sku price inventoryQuantity }
    }
  }
}
"""

_LINE_ITEM_FIELDS = """
  id
  sku
  title
  quantity
  variant { id }
  originalUnitPriceSet { shopMoney { amount currencyCode } }
"""
# Lists, not connections (no cursor): an order whose page shows as many as asked for is read again by
# ORDER_SHIPMENTS_QUERY with Shopify's maximum, and refunds' line items are a connection paged there.
_SHIPMENT_FIELDS = """
  fulfillments(first: $fulfillmentsFirst) {
    id
    name
    status
    displayStatus
    createdAt
    updatedAt
    trackingInfo(first: 10) { company number url }
  }
  refunds(first: $refundsFirst) {
    id
    createdAt
    note
    totalRefundedSet { shopMoney { amount currencyCode } }
    refundLineItems(first: 5) {
      pageInfo { hasNextPage endCursor }
      nodes { lineItem { id } quantity subtotalSet { shopMoney { amount currencyCode } } }
    }
  }
"""

# An order's own fields, the same in the paged and the bulk documents (one list, so neither lacks one).
_ORDER_FIELDS = """id name createdAt updatedAt cancelledAt email phone currencyCode checkoutToken
      displayFinancialStatus displayFulfillmentStatus
      subtotalPriceSet { shopMoney { amount currencyCode } }
      totalPriceSet { shopMoney { amount currencyCode } }
      customer { id displayName defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } }
      billingAddress { name phone }"""

ORDERS_PAGE_QUERY = f"""
query OrdersPage($first: Int!, $after: String, $query: String, $lineItemsFirst: Int!, $fulfillmentsFirst: Int = 2,
                 $refundsFirst: Int = 2) {{
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      {_ORDER_FIELDS}
      lineItems(first: $lineItemsFirst) {{
        pageInfo {{ hasNextPage endCursor }}
        nodes {{ {_LINE_ITEM_FIELDS} }}
      }}
      {_SHIPMENT_FIELDS}
    }}
  }}
}}
"""

# The rest of an order's line items when a page's `lineItems(first:)` was not enough.
ORDER_LINE_ITEMS_PAGE_QUERY = f"""
query OrderLineItemsPage($id: ID!, $first: Int!, $after: String) {{
  order(id: $id) {{
    id
    lineItems(first: $first, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {_LINE_ITEM_FIELDS} }}
    }}
  }}
}}
"""

# An order's fulfillments and refunds, all of them, when its page showed as many as it asked for.
ORDER_SHIPMENTS_QUERY = f"""
query OrderShipments($id: ID!, $fulfillmentsFirst: Int!, $refundsFirst: Int!) {{
  order(id: $id) {{
    id
    {_SHIPMENT_FIELDS}
  }}
}}
"""

# One refund's line items past the first 5.
REFUND_LINE_ITEMS_PAGE_QUERY = """
query RefundLineItemsPage($id: ID!, $first: Int!, $after: String) {
  refund(id: $id) {
    id
    refundLineItems(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { lineItem { id } quantity subtotalSet { shopMoney { amount currencyCode } } }
    }
  }
}
"""

# Collections of one kind (`collection_type:custom` or `smart`), with the first products of each; a
# collection holding more has the rest read by COLLECTION_PRODUCTS_PAGE_QUERY.
COLLECTIONS_PAGE_QUERY = """
query CollectionsPage($first: Int!, $after: String, $query: String, $productsFirst: Int!) {
  collections(first: $first, after: $after, query: $query) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      title
      handle
      updatedAt
      products(first: $productsFirst) {
        pageInfo { hasNextPage endCursor }
        nodes { id }
      }
    }
  }
}
"""

COLLECTION_PRODUCTS_PAGE_QUERY = """
query CollectionProductsPage($id: ID!, $first: Int!, $after: String) {
  collection(id: $id) {
    id
    products(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id }
    }
  }
}
"""

# One collection, read again after a collections/create|update webhook (whose REST body lists no products nor
# its kind). `smart` finds it among the smart collections (`$smartQuery`: "collection_type:smart id:<n>"), as
# `ruleSet` is deprecated. More products: COLLECTION_PRODUCTS_PAGE_QUERY.
COLLECTION_BY_ID_QUERY = """
query CollectionById($id: ID!, $productsFirst: Int!, $smartQuery: String!) {
  collection(id: $id) {
    id
    title
    handle
    updatedAt
    products(first: $productsFirst) {
      pageInfo { hasNextPage endCursor }
      nodes { id }
    }
  }
  smart: collections(first: 1, query: $smartQuery) { nodes { id } }
}
"""

SHOP_QUERY = """
query Shop {
  shop { name currencyCode myshopifyDomain }
}
"""

# The location inventory write-backs target. Only `id`: since 2025-04 it is readable with `read_inventory`
# (every other Location field needs `read_locations`), and `isPrimary` is deprecated. Shopify lists active
# locations only, so the first one is the shop's main stock location for a single-location shop.
FIRST_LOCATION_QUERY = """
query FirstLocation {
  locations(first: 1) { nodes { id } }
}
"""

# Every location of the shop (inactive ones too: their stock is kept, never sold from), each with its first
# levels; `LOCATION_LEVELS_PAGE_QUERY` reads the rest of a location holding more. Name, active and
# fulfillsOnlineOrders need `read_locations`.
_LEVEL_FIELDS = """
  item { id }
  updatedAt
  quantities(names: ["available", "on_hand", "committed"]) { name quantity }
"""
LOCATIONS_PAGE_QUERY = f"""
query LocationsPage($first: Int!, $after: String, $levelsFirst: Int!) {{
  locations(first: $first, after: $after, includeInactive: true) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id
      name
      isActive
      fulfillsOnlineOrders
      inventoryLevels(first: $levelsFirst) {{
        pageInfo {{ hasNextPage endCursor }}
        nodes {{ {_LEVEL_FIELDS} }}
      }}
    }}
  }}
}}
"""

LOCATION_LEVELS_PAGE_QUERY = f"""
query LocationLevelsPage($id: ID!, $first: Int!, $after: String) {{
  location(id: $id) {{
    id
    inventoryLevels(first: $first, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {_LEVEL_FIELDS} }}
    }}
  }}
}}
"""

# One location with its first levels, read when a webhook names a location we do not hold (a new location, or
# a store whose locations were never synced) or after locations/create|update; the rest by LOCATION_LEVELS_PAGE_QUERY.
LOCATION_BY_ID_QUERY = f"""
query LocationById($id: ID!, $levelsFirst: Int!) {{
  location(id: $id) {{
    id
    name
    isActive
    fulfillsOnlineOrders
    inventoryLevels(first: $levelsFirst) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {_LEVEL_FIELDS} }}
    }}
  }}
}}
"""

# Inventory items' levels at every location, with all three quantities: read for items a webhook brought a
# level of (`inventory_levels/update` carries `available` alone, not what is committed to orders).
ITEM_LEVELS_QUERY = """
query ItemLevels($ids: [ID!]!, $levelsFirst: Int!) {
  nodes(ids: $ids) {
    ... on InventoryItem {
      id
      inventoryLevels(first: $levelsFirst) {
        nodes {
          location { id }
          updatedAt
          quantities(names: ["available", "on_hand", "committed"]) { name quantity }
        }
      }
    }
  }
}
"""

WEBHOOK_SUBSCRIPTION_CREATE_MUTATION = """
mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri, format: JSON}) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}
"""

WEBHOOK_SUBSCRIPTION_DELETE_MUTATION = """
mutation WebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}
"""

WEBHOOK_SUBSCRIPTIONS_QUERY = """
query WebhookSubscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id topic uri }
  }
}
"""

# The inner query a bulk operation runs. Bulk documents take no variables and no page sizes (bulk.py
# inlines a search filter); the JSONL flattens every connection to child lines carrying `__parentId`,
# which bulk.py folds back into the paged shape.
BULK_PRODUCTS_INNER_QUERY = f"""
query BulkProducts {{
  products {{
    edges {{
      node {{
        {_PRODUCT_FIELDS}
        variants {{ edges {{ node {{ {_VARIANT_FIELDS} }} }} }}
        media {{ edges {{ node {{ {_MEDIA_FIELDS} }} }} }}
      }}
    }}
  }}
}}
"""

# `groupObjects: true` keeps each product's child lines right after it. Since 2026-01 the default is false
# (faster for Shopify, but children may land anywhere in the file), which would force us to hold the whole
# file in memory to reassemble products.
BULK_OPERATION_RUN_QUERY_MUTATION = """
mutation BulkOperationRunQuery($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}
"""

BULK_OPERATION_QUERY = """
query BulkOperation($id: ID!) {
  bulkOperation(id: $id) {
    id
    status
    errorCode
    objectCount
    rootObjectCount
    url
    partialDataUrl
    createdAt
    completedAt
  }
}
"""

# Since 2026-04 Shopify rejects this mutation without `@idempotent`; the key is a variable so a retried
# HTTP call resends the very same key. Every change carries `changeFromQuantity` (compare-and-set).
INVENTORY_ADJUST_QUANTITIES_MUTATION = """
mutation InventoryAdjustQuantities($input: InventoryAdjustQuantitiesInput!, $idempotencyKey: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup {
      id
      createdAt
      reason
      referenceDocumentUri
      changes { name delta quantityAfterChange }
    }
    userErrors { field message code }
  }
}
"""

INVENTORY_LEVEL_QUERY = """
query InventoryLevel($inventoryItemId: ID!, $locationId: ID!) {
  inventoryItem(id: $inventoryItemId) {
    id
    tracked
    inventoryLevel(locationId: $locationId) {
      id
      location { id }
      quantities(names: ["available"]) { name quantity updatedAt }
    }
  }
}
"""
