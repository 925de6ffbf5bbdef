"""Dashboard blueprints, one package per page area. Routes parse input, call one service, render.
They hold no business logic and never call outside APIs. Who is asking comes from `app.auth_scope` (shared with
the JSON API, which web never imports); fragment or page is decided by `app.web.fragments` alone; a service's
`AppError` that a route does not answer itself is answered by `app.errors`."""

# The main navigation; an area shows once its blueprint is registered.
NAV = [
    ("dashboard.index", "Overview"),
    ("integrations.index", "Integrations"),
    ("products.index", "Products"),
    ("orders.index", "Orders"),
    ("logs.index", "Logs"),
    ("conversations.index", "Conversations"),
    ("messaging.index", "Messaging"),
    ("demo_phone.index", "Demo phone"),
    ("settings.index", "Settings"),
]
