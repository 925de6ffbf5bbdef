"""The date range a dashboard page reports on, in the workspace's timezone: the presets (today, last 7 and
30 days) or a custom from-to, parsed from query arguments with a clear refusal for anything else.

Also the one helper that turns timestamps into 15-minute slots in SQL: every timezone in use today is a whole
number of quarter hours from UTC, so counting per UTC slot and placing each slot on its local day gives the
local day of every row on both databases (SQLite has no timezone support). No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import Integer, cast, func

from app.extensions import db
from app.models.types import utcnow
from app.problems import AppError

PRESETS = {"today": ("Today", 1), "7d": ("Last 7 days", 7), "30d": ("Last 30 days", 30)}
DEFAULT_PRESET = "7d"
MAX_DAYS = 366
SLOT_SECONDS = 900


class PeriodRefused(AppError):
    """The date range asked for cannot be shown; the message says why."""

    status = 400


def zone(name: str | None) -> ZoneInfo:
    """The workspace's zone; UTC when unset or no longer known to this system."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def valid_timezone(name: str) -> bool:
    return name in _zones()


def timezone_names() -> list[str]:
    return sorted(_zones())


_ZONES: set[str] | None = None


def _zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = set(available_timezones()) | {"UTC"}
    return _ZONES


@dataclass(frozen=True)
class Period:
    preset: str  # today, 7d, 30d or custom
    first: date  # local days, both included
    last: date
    tz: ZoneInfo

    @property
    def label(self) -> str:
        if self.preset in PRESETS:
            return PRESETS[self.preset][0]
        return f"{self.first.isoformat()} to {self.last.isoformat()}"

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), self.tz).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), self.tz).astimezone(UTC)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def local_day(self, slot: int) -> date:
        return datetime.fromtimestamp(int(slot) * SLOT_SECONDS, UTC).astimezone(self.tz).date()

    def as_args(self) -> dict[str, str]:
        if self.preset in PRESETS:
            return {"range": self.preset}
        return {"range": "custom", "from": self.first.isoformat(), "to": self.last.isoformat()}


def _date(args, name: str) -> date:
    raw = str(args.get(name) or "").strip()
    if not raw:
        raise PeriodRefused(f"A custom range needs '{name}', a date like 2026-01-31.", parameter=name)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise PeriodRefused(f"'{name}' must be a date like 2026-01-31.", parameter=name) from None


def period_from(args, tz_name: str | None, now: datetime | None = None) -> Period:
    """The period asked for by `range` (today, 7d, 30d, custom with `from` and `to`). Raises PeriodRefused."""
    tz = zone(tz_name)
    today = (now or utcnow()).astimezone(tz).date()
    preset = str(args.get("range") or "").strip()
    if not preset:
        preset = "custom" if (args.get("from") or args.get("to")) else DEFAULT_PRESET
    if preset in PRESETS:
        return Period(preset, today - timedelta(days=PRESETS[preset][1] - 1), today, tz)
    if preset != "custom":
        raise PeriodRefused(
            "'range' must be one of: " + ", ".join([*PRESETS, "custom"]) + ".", parameter="range"
        )
    first, last = _date(args, "from"), _date(args, "to")
    if first > last:
        raise PeriodRefused("'from' must not be after 'to'.", parameter="from")
    if (last - first).days + 1 > MAX_DAYS:
        raise PeriodRefused(f"A range covers at most {MAX_DAYS} days.", parameter="to")
    return Period("custom", first, last, tz)


def slot(column):
    """The 15-minute UTC slot (seconds since the epoch // 900) of a timestamp column."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column) / SLOT_SECONDS), Integer)
    return cast(func.strftime("%s", column), Integer) / SLOT_SECONDS  # SQLite stores UTC text
