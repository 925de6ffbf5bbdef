"""How the dashboard writes numbers, money and times: one Jinja filter each, used by every template.

- `number`: an integer or count with thousands separators (`12,345`).
- `money(currency)`: an amount in its currency's own decimals, one rule for every price on every page:
  the symbol before the amount for currencies whose symbol is unambiguous (`€1,234.50`, `¥1,200`), the code
  after it otherwise (`1,234.50 CHF`); no currency, just the amount.
- `when` / `when("seconds")` / `when("date")`: a timestamp in the display time zone, always with the zone
  named (`2026-12-04 18:51 UTC`), in a `<time>` element carrying the exact instant.

The display zone comes from `display_zone()` alone: the workspace's `timezone` setting when the workspace has
one, UTC otherwise. Formatting only: nothing here queries beyond the signed-in user's workspace.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import g
from flask_login import current_user
from markupsafe import Markup, escape

# Symbols that name one currency only; "$" or "kr" would not, so those currencies show their code.
SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥", "INR": "₹", "BRL": "R$", "KRW": "₩", "ILS": "₪",
           "NGN": "₦", "TRY": "₺", "UAH": "₴", "VND": "₫", "PHP": "₱", "THB": "฿", "PLN": "zł"}  # fmt: skip
# ISO 4217 minor units that are not 2.
DECIMALS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "UGX": 0, "XAF": 0, "XOF": 0,
            "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3}  # fmt: skip
PATTERNS = {None: "%Y-%m-%d %H:%M", "seconds": "%Y-%m-%d %H:%M:%S", "date": "%Y-%m-%d", "time": "%H:%M"}


def display_zone() -> tzinfo:
    """The zone dashboard times are shown in: the workspace's `timezone` (an IANA name) if it has one, else
    UTC. Read once per request."""
    if "display_zone" not in g:
        g.display_zone = _workspace_zone() or UTC
    return g.display_zone


def _workspace_zone() -> tzinfo | None:
    if not getattr(current_user, "is_authenticated", False):
        return None
    name = getattr(getattr(current_user, "workspace", None), "timezone", None)
    if not name or name == "UTC":
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def number(value, places: int | None = None) -> str:
    """`12345` -> `12,345`; a fraction keeps its digits (`1234.5` -> `1,234.5`), or `places` of them;
    nothing -> `—`."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if places is not None:
        return f"{amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"
    if amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,f}"


def money(amount, currency: str | None = None, places: int | None = None) -> str:
    """An amount in its currency: `€1,234.50`, `1,234.50 CHF`, `¥1,200`; no amount -> `—`. `places` overrides
    the currency's decimals (a per-message rate needs four: `$0.0250`)."""
    if amount is None or amount == "":
        return "—"
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    code = (currency or "").upper() or None
    places = DECIMALS.get(code, 2) if places is None else places
    value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{value:,.{places}f}"
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    if code in SYMBOLS:
        return f"{sign}{SYMBOLS[code]}{text}"
    return f"{sign}{text} {code}" if code else f"{sign}{text}"


def money_range(low, high, currency: str | None = None) -> str:
    """One price, or `€10.00 – €25.00` when the variants differ."""
    if low is None:
        return "—"
    if high is None or Decimal(str(high)) == Decimal(str(low)):
        return money(low, currency)
    return f"{money(low, currency)} – {money(high, currency)}"


def zone_name(moment: datetime | None = None) -> str:
    """The display zone's short name at `moment` (`UTC`, `CET`, `CEST`)."""
    moment = (moment or datetime.now(UTC)).astimezone(display_zone())
    return moment.tzname() or "UTC"


def _moment(value) -> datetime | None:
    """A datetime, or an ISO 8601 text (timestamps kept in JSON columns) read as one; None if neither."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value


def when_text(value: datetime | str | None, style: str | None = None) -> str:
    """`2026-12-04 18:51 UTC` in the display zone; plain text, for attributes and titles."""
    value = _moment(value)
    if value is None:
        return "—"
    if value.tzinfo is None:  # stored times are UTC (app.models.types); a naive one is read as such
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(display_zone())
    return f"{local.strftime(PATTERNS.get(style, PATTERNS[None]))} {local.tzname() or 'UTC'}"


def when(value: datetime | str | None, style: str | None = None, empty: str = "—") -> Markup:
    """`when_text` in a `<time datetime="...">` element, or `empty` for no time."""
    value = _moment(value)
    if value is None:
        return Markup(escape(empty))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    iso = value.astimezone(UTC).isoformat()
    return Markup('<time datetime="{}">{}</time>').format(iso, when_text(value, style))


def init_app(app) -> None:
    app.add_template_filter(number)
    app.add_template_filter(money)
    app.add_template_filter(money_range)
    app.add_template_filter(when)
    app.add_template_filter(when_text)
    app.add_template_global(zone_name)
