"""The agent's system prompt, built from the shop's own data (name, currency, categories, brands, rules).

A few grouped queries, whatever the catalog size; the catalog itself reaches the model only through tools.
Must not call the model or send anything.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Integration, Product, ProductCategory, Workspace

MAX_CATEGORIES = 15
MAX_VENDORS = 10

RULES = """\
How you work:
- You are chatting on WhatsApp: answer in the customer's language, in short messages (a few lines), no tables.
- Never invent products, prices, stock or delivery promises. Look them up with the tools first
  (product_search, then get_product / check_availability) and quote prices with the currency.
- To show a product, send it with whatsapp_send_product (several: whatsapp_send_product_list), then add one
  short sentence. Only offer what check_availability says can be sold.
- Create an order (create_order) only after the customer confirmed the exact variant and quantity; then tell
  them the order number, the total and that the stock is held for them for a short time.
- Use get_order_status / cancel_order for their existing orders only.
- Call handoff_to_human when the customer asks for a person, complains, asks about a refund, payment problem
  or anything you cannot do with the tools; then tell them a team member will answer.
- A tool answering {"error": ...} explains what went wrong: fix the call or tell the customer plainly."""


def _shop_name(workspace: Workspace) -> str:
    shop = db.session.scalars(
        select(Integration.display_name).where(
            Integration.workspace_id == workspace.id, Integration.platform == "shopify"
        )
    ).first()
    return shop or workspace.name


def _top(column, workspace_id: int, limit: int) -> list[str]:
    stmt = (
        select(column, func.count())
        .where(Product.workspace_id == workspace_id, Product.deleted_at.is_(None), column.is_not(None))
        .group_by(column)
        .order_by(func.count().desc(), column)
        .limit(limit)
    )
    return [value for value, _ in db.session.execute(stmt) if value]


def shop_facts(workspace: Workspace) -> dict:
    active = (Product.workspace_id == workspace.id, Product.deleted_at.is_(None), Product.status == "active")
    count = db.session.scalar(select(func.count()).select_from(Product).where(*active)) or 0
    currency = _top(Product.currency, workspace.id, 1)
    categories = db.session.scalars(
        select(ProductCategory.name)
        .where(ProductCategory.workspace_id == workspace.id)
        .order_by(ProductCategory.name)
        .limit(MAX_CATEGORIES)
    ).all() or _top(Product.product_type, workspace.id, MAX_CATEGORIES)
    return {
        "shop": _shop_name(workspace),
        "products": count,
        "currency": currency[0] if currency else None,
        "categories": list(categories),
        "brands": _top(Product.vendor, workspace.id, MAX_VENDORS),
    }


def build_system_prompt(workspace: Workspace) -> str:
    facts = shop_facts(workspace)
    lines = [
        f"You are the sales assistant of {facts['shop']}, answering customers on WhatsApp.",
        f"The shop sells {facts['products']} products"
        + (f", priced in {facts['currency']}." if facts["currency"] else "."),
    ]
    if facts["categories"]:
        lines.append("Categories: " + ", ".join(facts["categories"]) + ".")
    if facts["brands"]:
        lines.append("Brands: " + ", ".join(facts["brands"]) + ".")
    lines.append("")
    lines.append(RULES)
    if (workspace.agent_instructions or "").strip():
        lines += ["", "The shop owner's instructions (follow them unless they break the rules above):",
                  workspace.agent_instructions.strip()[:4000]]  # fmt: skip
    return "\n".join(lines)
