"""Cleaning of values at the boundary: countries, dates, shares, identifiers."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from ownergraph.graph.model import Listing, RecordError
from ownergraph.graph.share import HUNDRED, Share, ShareError, to_decimal

COUNTRY = re.compile(r"^[A-Z]{2}$")
JURISDICTION = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")


def country(value: str | None, field: str = "country") -> str | None:
    if value is None or not value.strip():
        return None
    code = value.strip().upper()
    if not COUNTRY.match(code):
        raise RecordError(f"bad {field}: {value!r} is not an ISO 3166-1 alpha-2 code")
    return code


def alpha2(code: str | None) -> str | None:
    """A FollowTheMoney country code as ISO 3166-1 alpha-2: gb-wls -> GB; zz, eu and codes of no present
    country (suhh) -> None."""
    if not code:
        return None
    text = code.strip().split("-")[0].upper()
    if len(text) != 2 or not text.isalpha() or text in ("ZZ", "EU"):
        return None
    return text


def jurisdiction(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    code = value.strip().upper()
    if not JURISDICTION.match(code):
        raise RecordError(f"bad jurisdiction: {value!r} is not ISO 3166 (e.g. GB, US-DE)")
    return code


def iso_date(value: str | None, field: str = "date") -> date | None:
    if value.__class__ is str:  # the dates of a file repeat: a text read once is remembered (a bounded cache)
        return _iso_date(value, field)
    return _read_date(value, field)


@lru_cache(maxsize=16384)
def _iso_date(value: str, field: str) -> date | None:
    return _read_date(value, field)  # a RecordError is raised each time, never remembered


def _read_date(value: str | None, field: str) -> date | None:
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        if len(text) == 4 and text.isdigit():
            return date(int(text), 1, 1)
        if len(text) == 7:
            return date.fromisoformat(text + "-01")
        if len(text) > 10:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        return date.fromisoformat(text)
    except ValueError:
        raise RecordError(f"bad {field}: {value!r} is not an ISO 8601 date") from None


def percent(value: str | None, field: str = "share", marker: bool = True) -> tuple[Decimal, bool] | None:
    """A percentage, with a leading '>' or '<' marking an exclusive end (only where `marker` allows one)."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip().rstrip("%").strip()
    exclusive = text[:1] in "<>"
    if exclusive and not marker:
        raise RecordError(f"bad {field}: {value!r} is an exact share and takes no '>' or '<' "
                          "(bound it with share_min/share_max, e.g. share_min >50)")
    if exclusive:
        text = text[1:].strip()
    try:
        number = to_decimal(text)
    except ShareError:
        raise RecordError(f"bad {field}: {value!r} is not a number") from None
    if not (0 <= number <= HUNDRED):
        raise RecordError(f"share outside 0-100: {field} {value!r}")
    return number, exclusive


def share(exact: str | None, low: str | None, high: str | None) -> Share:
    if all(v is None or v.__class__ is str for v in (exact, low, high)):
        return _share(exact, low, high)  # shares repeat too; a Share is immutable
    return _read_share(exact, low, high)


@lru_cache(maxsize=16384)
def _share(exact: str | None, low: str | None, high: str | None) -> Share:
    return _read_share(exact, low, high)


def _read_share(exact: str | None, low: str | None, high: str | None) -> Share:
    try:
        point = percent(exact, marker=False)
        if point is not None:
            return Share.exact(point[0])
        lo = percent(low, "share_min")
        hi = percent(high, "share_max")
        return Share(lo[0] if lo else Decimal(0), hi[0] if hi else HUNDRED,
                     bool(lo and lo[1]), bool(hi and hi[1]))
    except ShareError as exc:
        raise RecordError(str(exc)) from None


def split_list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(dict.fromkeys(p.strip() for p in value.split(";") if p.strip()))


def listing(entry: str) -> Listing:
    """One list entry: `name`, or `name@START..END` (ISO dates, start inclusive, end exclusive, either
    may be empty), e.g. `ofac-sdn@2018-01-01..2022-01-01`."""
    name, sep, period = entry.partition("@")
    if not name.strip():
        raise RecordError(f"bad list entry: {entry!r} has no list name")
    if not sep:
        return Listing(name)
    start, dots, end = period.partition("..")
    if not dots:
        raise RecordError(f"bad list entry: {entry!r} (the period is START..END, e.g. "
                          "ofac-sdn@2018-01-01..2022-01-01)")
    begins, ends = iso_date(start, f"list {name.strip()!r} start"), iso_date(end, f"list {name.strip()!r} end")
    if begins and ends and ends <= begins:
        raise RecordError(f"bad list entry: {entry!r} ends on or before it starts")
    return Listing(name, begins, ends)
