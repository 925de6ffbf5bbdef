"""Connected platform accounts: connecting, proving, holding and disconnecting them, and building their clients.

Shopify OAuth and custom-app tokens, WhatsApp and Meta credentials (`service`, `shopify_connect`), which one
integration holds a platform account (`hold`), disconnecting (`disconnect`), the shape of the fields the API and
the Integrations page send (`fields`), and the one place that turns an `Integration` row into a platform
client, refreshing Shopify's expiring tokens (`clients`).

Sync, inventory, webhooks, agents and agent tools use this package; it uses models and platforms. It never
imports sync, webhooks, inventory, services or the web: what it must start elsewhere (a first sync after a
connect) is handed to it by the caller.
"""
