"""The catalog as it is read: one search and one stock rule for every door into the shop's products.

- `search`: ranked search with typo tolerance (`search(workspace_id, query, Filters)` -> `[Hit]`), what the
  agent tools answer with (and any later agent door, such as an MCP server); `search_sqlite` holds its
  SQLite passes.
- `matches`: the same search read as a list filter (`text_criterion`), for the Products page and the API.
- `terms`: customer text into words and the match strings both send; `category_slug`.
- `listing`: the product list query of the Products page and `GET /api/products` (filters, sorts, keyset
  cursors).
- `stock`: THE stock rule (available = on hand - active, unexpired reservations, never below zero) and the
  stock figures every reader shows, per variant and per product.

Reads only. May import `app.models`, `app.extensions`, `app.params` and `app.problems` (the error base); never `app.services`, `app.web`,
`app.api`, `agent_tools`, `app.sync` or `app.webhooks` (they call in here). Nothing here reads a request.
"""
