"""The database tables, one module per family. Models import nothing of ours but `app.extensions`.

Every business row belongs to a workspace; read them through `app.models.scoping.WorkspaceScope`
so that no query can cross workspaces.
"""

from app.models.accounts import ApiToken, LoginSession, User, Workspace
from app.models.agent_calls import AgentCall
from app.models.catalog import Product, ProductCategory, ProductMedia, ProductStock, ProductVariant
from app.models.checkouts import Checkout
from app.models.collections import Collection, CollectionProduct
from app.models.conversations import Conversation, Message
from app.models.feeds import ProductFeedSettings
from app.models.integrations import Integration, OAuthState
from app.models.inventory import InventoryAdjustment, Reservation
from app.models.locations import Location, VariantLocationStock
from app.models.messaging import (
    Automation,
    ConsentEvent,
    Customer,
    MessageRate,
    MessageTemplate,
    OutboxMessage,
)
from app.models.operations import Alert, ComplianceRequest
from app.models.orders import Order, OrderFulfillment, OrderItem, OrderRefund
from app.models.sync import SyncLog, SyncRun
from app.models.webhooks import Webhook

__all__ = [
    "AgentCall",
    "OutboxMessage",
    "MessageTemplate",
    "MessageRate",
    "Customer",
    "ConsentEvent",
    "Automation",
    "Alert",
    "ApiToken",
    "Checkout",
    "Collection",
    "CollectionProduct",
    "ComplianceRequest",
    "Conversation",
    "Integration",
    "Location",
    "LoginSession",
    "InventoryAdjustment",
    "Message",
    "OAuthState",
    "Order",
    "OrderFulfillment",
    "OrderItem",
    "OrderRefund",
    "Product",
    "ProductCategory",
    "ProductFeedSettings",
    "ProductMedia",
    "ProductStock",
    "ProductVariant",
    "Reservation",
    "SyncLog",
    "SyncRun",
    "User",
    "VariantLocationStock",
    "Webhook",
    "Workspace",
]
