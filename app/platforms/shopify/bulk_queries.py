"""The inner documents of the sync's bulk exports other than products (`queries.BULK_PRODUCTS_INNER_QUERY`):
each variant's image, orders, locations with their levels. Bulk rules: no variables, one top-level
connection, at most five connections and two levels of them (`tests/platforms/test_bulk_documents.py`
checks them, and the pinned schema, with no deprecated field).
"""

from app.platforms.shopify.queries import _LEVEL_FIELDS, _LINE_ITEM_FIELDS, _ORDER_FIELDS

# Each variant's own image (its first media item, by id) for the bulk path: products > variants > media
# would be three levels of connections, and Shopify allows two in a bulk query, so variants are exported
# from the `productVariants` root alongside the products export and joined to them on import.
BULK_VARIANT_MEDIA_INNER_QUERY = """
query BulkVariantMedia {
  productVariants {
    edges {
      node {
        id
        media { edges { node { id } } }
      }
    }
  }
}
"""

# Every order with every line item (a connection: child lines), its fulfillments and refunds (lists, inline
# on the order's line) and each refund's line items (a connection, two levels down like line items).
BULK_ORDERS_INNER_QUERY = f"""
query BulkOrders {{
  orders {{
    edges {{
      node {{
        {_ORDER_FIELDS}
        lineItems {{ edges {{ node {{ {_LINE_ITEM_FIELDS} }} }} }}
        fulfillments {{
          id
          name
          status
          displayStatus
          createdAt
          updatedAt
          trackingInfo {{ company number url }}
        }}
        refunds {{
          id
          createdAt
          note
          totalRefundedSet {{ shopMoney {{ amount currencyCode }} }}
          refundLineItems {{
            edges {{ node {{ lineItem {{ id }} quantity subtotalSet {{ shopMoney {{ amount currencyCode }} }} }} }}
          }}
        }}
      }}
    }}
  }}
}}
"""

# Every location (inactive ones too) with every inventory level at it.
BULK_LOCATIONS_INNER_QUERY = f"""
query BulkLocations {{
  locations(includeInactive: true) {{
    edges {{
      node {{
        id
        name
        isActive
        fulfillsOnlineOrders
        inventoryLevels {{ edges {{ node {{ {_LEVEL_FIELDS} }} }} }}
      }}
    }}
  }}
}}
"""
