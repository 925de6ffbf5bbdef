"""The `abandonedCheckouts` document (Admin GraphQL 2026-10), validated with the others against the pinned
schema (tests/platforms/test_shopify_schema.py).

AbandonedCheckout has no token and no phone of its own: the phone is the customer's default number (with its
SMS marketing consent) or an address's. Sorted by ID (the connection has no UPDATED_AT sort key); callers
narrow it with a search `query` (`updated_at:>=...`) and follow every page. Each checkout carries one page
of its line items (a summary, see `app.sync.checkout_mapping`).
"""

ABANDONED_CHECKOUTS_PAGE_QUERY = """
query AbandonedCheckoutsPage($first: Int!, $after: String, $query: String, $lineItemsFirst: Int = 10) {
  abandonedCheckouts(first: $first, after: $after, query: $query, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      name
      abandonedCheckoutUrl
      createdAt
      updatedAt
      completedAt
      totalPriceSet { shopMoney { amount currencyCode } }
      customer {
        id
        displayName
        defaultEmailAddress { emailAddress }
        defaultPhoneNumber { phoneNumber smsMarketingConsent { state optInLevel updatedAt } }
      }
      shippingAddress { name phone }
      billingAddress { name phone }
      lineItems(first: $lineItemsFirst) {
        pageInfo { hasNextPage }
        nodes { title quantity }
      }
    }
  }
}
"""
