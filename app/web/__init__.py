"""Dashboard blueprints, one package per page area. Routes parse input, call one service, render.
They hold no business logic and never call outside APIs."""

# The main navigation; an area shows once its blueprint is registered.
NAV = [
    ("dashboard.index", "Overview"),
    ("integrations.index", "Integrations"),
    ("products.index", "Products"),
    ("orders.index", "Orders"),
    ("logs.index", "Logs"),
    ("conversations.index", "Conversations"),
    ("settings.index", "Settings"),
]
