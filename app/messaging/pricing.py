"""What WhatsApp messages cost: Meta's rate card (the default, from `data/meta_rates.csv`) with a workspace's
own edits on top, the market of a phone number (from its country calling code) and the price of a message.

Meta bills a delivered message at its market's rate for its category (marketing, utility, authentication,
service). The rate card is in USD, as Meta publishes it. Prices are computed when read, from the card as it is
now: editing a rate re-prices the messages already counted, so the figures follow what the workspace says it
pays. Imports models only; no Flask, no HTTP.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from sqlalchemy import delete, select

from app.extensions import db
from app.models import MessageRate
from app.models.messaging import CATEGORIES
from app.problems import AppError

CARD_CURRENCY = "USD"
OTHER = "Other"
MAX_RATE = Decimal("100")
_CARD_FILE = Path(__file__).with_name("data") / "meta_rates.csv"


class RateRefused(AppError):
    """A rate card edit that was not saved; `fields` maps "market|category" to the reason."""

    status = 422

    def __init__(self, fields: dict[str, str]):
        super().__init__("Some rates are invalid: " + "; ".join(fields.values()))
        self.fields = fields


@dataclass(frozen=True)
class Market:
    name: str
    calling_codes: tuple[str, ...]
    rates: dict[str, Decimal]  # category -> USD per delivered message


@cache
def default_card() -> tuple[Market, ...]:
    lines = [line for line in _CARD_FILE.read_text().splitlines() if line and not line.startswith("#")]
    markets = []
    for row in csv.DictReader(lines):
        markets.append(Market(row["market"], tuple(row["calling_codes"].split()),
                              {c: Decimal(row[c]) for c in CATEGORIES}))  # fmt: skip
    return tuple(markets)


@cache
def _by_code() -> dict[str, str]:
    return {code: m.name for m in default_card() for code in m.calling_codes}


def market_for(phone: str | None) -> str:
    """The rate card market of a phone number in international form (digits, with or without "+").
    Country calling codes are a prefix code (none is the start of another), so the first of the 1-, 2- and
    3-digit prefixes that is a code is the code."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    codes = _by_code()
    for length in (1, 2, 3):
        if len(digits) >= length and digits[:length] in codes:
            return codes[digits[:length]]
    return OTHER


def rate_card(workspace_id: int) -> dict[str, dict[str, Decimal]]:
    """market -> category -> price, the workspace's edits over Meta's defaults."""
    card = {m.name: dict(m.rates) for m in default_card()}
    rows = db.session.execute(
        select(MessageRate.market, MessageRate.category, MessageRate.price).where(
            MessageRate.workspace_id == workspace_id
        )
    ).all()
    for market, category, price in rows:
        if market in card and category in card[market]:
            card[market][category] = Decimal(price)
    return card


def edited(workspace_id: int) -> set[tuple[str, str]]:
    stmt = select(MessageRate.market, MessageRate.category).where(MessageRate.workspace_id == workspace_id)
    return {tuple(r) for r in db.session.execute(stmt).all()}


def _parse(raw) -> Decimal | str:
    text = str(raw if raw is not None else "").strip().replace(",", ".")
    if not text:
        return "is empty"
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return f"{text[:20]!r} is not a number"
    if not value.is_finite():
        return "is not a number"
    if value < 0:
        return "cannot be negative"
    if value > MAX_RATE:
        return f"is above {MAX_RATE} {CARD_CURRENCY} per message"
    if value != value.quantize(Decimal("0.000001")):
        return "has more than 6 decimals"
    return value


def save_rates(workspace_id: int, values: dict[str, str]) -> int:
    """Store the workspace's rates from `{"<market>|<category>": "0.0123"}` (every field of the form).
    A value equal to Meta's default removes the edit. All or nothing: raises RateRefused (422). Commits;
    returns how many rates differ from the default afterwards."""
    defaults = {m.name: m.rates for m in default_card()}
    errors: dict[str, str] = {}
    chosen: dict[tuple[str, str], Decimal] = {}
    for key, raw in values.items():
        market, _, category = str(key).partition("|")
        if market not in defaults or category not in CATEGORIES:
            errors[str(key)[:80]] = f"{str(key)[:80]!r} is not a market and category of the rate card"
            continue
        parsed = _parse(raw)
        if isinstance(parsed, str):
            errors[key] = f"{market}, {category}: {parsed}"
        else:
            chosen[(market, category)] = parsed
    if not values:
        errors["rates"] = "No rates were sent."
    if errors:
        raise RateRefused(errors)
    for (market, category), price in chosen.items():
        db.session.execute(
            delete(MessageRate).where(MessageRate.workspace_id == workspace_id, MessageRate.market == market,
                                      MessageRate.category == category)
        )  # fmt: skip
        if price != defaults[market][category]:
            db.session.add(
                MessageRate(workspace_id=workspace_id, market=market, category=category, price=price)
            )
    db.session.commit()
    return len(edited(workspace_id))


def reset_rates(workspace_id: int) -> None:
    db.session.execute(delete(MessageRate).where(MessageRate.workspace_id == workspace_id))
    db.session.commit()
