"""Inventory: live stock per variant, reservations that expire, commits, and stock written back to Shopify.

- `levels`: the row locks every stock change takes, and `set_inventory_level` for Shopify webhooks and syncs;
  `stock_levels` / `available` re-export the one stock rule of `app.catalog.stock` (on hand minus active,
  unexpired reservations, never below zero).
- `locations`: stock per location: location rows, a variant's level at one, `refresh_on_hand` (on hand = the
  rule's sum over the locations sold from) and `pick_location` (where a sale is debited: the location sold
  from with the most available stock).
- `service`: `reserve`, `commit`, `release`, `cancel`, `expire_reservations` (each one transaction).
- `writeback`: the queue job that applies `InventoryAdjustment` rows to Shopify with `inventoryAdjustQuantities`
  (`@idempotent` key stored with the change, `changeFromQuantity` compare-and-set, at the adjustment's location).
- `errors`: typed errors (`OutOfStock`, `InvalidQuantity`, `VariantNotFound`, ...) the API maps to 409/422/404.

May import `app.catalog.stock`, `app.models`, `app.extensions`, `app.queues`, `app.integrations.clients` and `app.platforms`
errors. Must not import Flask request objects or call `requests`: routes, pages and agent tools call in here.
"""

from app.inventory.errors import (
    InvalidOrderState,
    InvalidQuantity,
    InventoryError,
    OrderNotFound,
    OutOfStock,
    VariantNotFound,
)
from app.inventory.levels import StockLevel, available, available_map, set_inventory_level, stock_levels
from app.inventory.service import cancel, commit, expire_reservations, release, reserve

__all__ = [
    "InvalidOrderState",
    "InvalidQuantity",
    "InventoryError",
    "OrderNotFound",
    "OutOfStock",
    "StockLevel",
    "VariantNotFound",
    "available",
    "available_map",
    "cancel",
    "commit",
    "expire_reservations",
    "release",
    "reserve",
    "set_inventory_level",
    "stock_levels",
]
