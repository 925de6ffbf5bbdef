"""Typed inventory errors. Each carries a sentence safe to show a merchant or buyer, and `status`, the HTTP
code the API answers with, so routes map errors without parsing messages."""

from __future__ import annotations

from app.problems import AppError


class InventoryError(AppError):
    """`details` (variant_id, requested, field...) are answered beside the message."""

    status = 400

    def __init__(self, message: str, **details):
        super().__init__(message, **details)
        self.details = details


class InvalidQuantity(InventoryError):
    status = 422


class VariantNotFound(InventoryError):
    status = 404

    def __init__(self, variant_id):
        super().__init__(f"Variant {variant_id} not found.", variant_id=variant_id)


class OrderNotFound(InventoryError):
    status = 404

    def __init__(self, order_id):
        super().__init__(f"Order {order_id} not found.", order_id=order_id)


class InvalidOrderState(InventoryError):
    """The order's status does not allow this change (e.g. committing a cancelled order)."""

    status = 409


class OutOfStock(InventoryError):
    status = 409

    def __init__(self, variant_id: int, requested: int, available: int):
        super().__init__(
            f"Only {available} left in stock for variant {variant_id}; {requested} requested.",
            variant_id=variant_id,
            requested=requested,
            available=available,
        )
        self.variant_id = variant_id
        self.requested = requested
        self.available = available
