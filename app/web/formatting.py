"""The Jinja filters every page formats with: `number` (thousands separators), `money` (an amount with its
currency code, as the whole dashboard writes money: "1,234.50 EUR") and `localtime` (a UTC time in the
workspace's zone, with the zone's name). Registered once in the app factory."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

# ISO 4217 currencies whose minor unit is not cents.
MINOR_UNITS = {"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
               "RWF": 0, "UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
               "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3}  # fmt: skip


def number(value, places: int = 0) -> str:
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    quantum = Decimal(1).scaleb(-places)
    return f"{amount.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


def money(value, currency: str | None = None, places: int | None = None) -> str:
    """ "1,234.50 EUR"; `places` overrides the currency's minor unit (message rates need four)."""
    if value is None or value == "":
        return "—"
    code = (currency or "").upper()
    text = number(value, MINOR_UNITS.get(code, 2) if places is None else places)
    return f"{text} {code}".strip()


def localtime(value: datetime | None, tz: str | None = "UTC", fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    try:
        zone = ZoneInfo(tz or "UTC")
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    local = value.astimezone(zone)
    return f"{local.strftime(fmt)} {local.tzname() or tz}"


def register(app) -> None:
    app.jinja_env.filters.update(number=number, money=money, localtime=localtime)
