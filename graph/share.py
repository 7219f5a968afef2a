"""Shares as exact intervals, and their integer encoding for exact sums in Cypher.

A share is an interval of percentages whose ends may be exclusive: UK PSC's "more than 25% but not more
than 50%" is (25, 50]. Shares are Decimals from the loader onwards.

In Neo4j a share is stored as two integers, `lo` and `hi`, so that Cypher's integer `sum()` and `max()`
give the bounds exactly, exclusive ends included:

    lo = floor(min * UNIT) * SCALE + (1 if the lower end is exclusive else 0)
    hi =  ceil(max * UNIT) * SCALE - (1 if the upper end is exclusive else 0)

UNIT is 10**8 per percent (shares are kept to a hundred-millionth of a percent, so 33.3333333 and
16.6666667 add up to exactly 50); SCALE (2**16) is larger than the number of owners any party can have
with an exclusive end, so the `+1`s of exclusive ends act as an infinitesimal: a sum of lower ends equal
to the threshold with one exclusive term is strictly above it. 100% encodes as about 6.6 * 10**14, so a
sum over 14,000 owners each holding up to 100% still fits Neo4j's 64-bit integers. Values with more
than eight decimals are rounded outward (the lower end down and made exclusive, the upper end up and made
exclusive), so the stored interval always contains the stated one: such rounding can make a verdict
indeterminate, never wrong.

With that encoding one comparison serves both bounds (see `meets`): the lower bound *meets* the
threshold, and the upper bound *can meet* it, exactly when `encoded > T` (or `>= T` for an inclusive
threshold), with `T = threshold * UNIT * SCALE`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

UNIT = 10**8
SCALE = 2**16
HUNDRED = Decimal(100)
ASCII_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


class ShareError(ValueError):
    """A share that cannot be read or lies outside 0-100."""


@dataclass(frozen=True)
class Share:
    """A share in percent: [lo, hi] with optionally exclusive ends."""

    lo: Decimal
    hi: Decimal
    lo_open: bool = False
    hi_open: bool = False

    def __post_init__(self) -> None:
        if not (Decimal(0) <= self.lo <= HUNDRED and Decimal(0) <= self.hi <= HUNDRED):
            raise ShareError(f"share outside 0-100: {self.describe()}")
        if self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open)):
            raise ShareError(f"empty share range: {self.describe()}")

    @classmethod
    def exact(cls, value: Decimal | int | str) -> Share:
        v = to_decimal(value)
        return cls(v, v)

    @classmethod
    def unknown(cls) -> Share:
        return cls(Decimal(0), HUNDRED)

    def encode(self) -> tuple[int, int]:
        return encode_lo(self.lo, self.lo_open), encode_hi(self.hi, self.hi_open)

    def fingerprint(self) -> tuple:
        """What a refresh compares to tell a changed share: the first encoding's integers where it was
        exact (six decimals), so stakes staged before the encoding widened do not read as changed."""
        if all((v * 10**6) == int(v * 10**6) for v in (self.lo, self.hi)):
            lo = int(self.lo * 10**6) * 2**20 + (1 if self.lo_open else 0)
            hi = int(self.hi * 10**6) * 2**20 - (1 if self.hi_open else 0)
            return lo, hi
        return str(self.lo), str(self.hi), self.lo_open, self.hi_open

    def describe(self) -> str:
        if self.lo == self.hi:
            return f"{fmt(self.lo)}%"
        if self.lo == 0 and self.hi == HUNDRED and not (self.lo_open or self.hi_open):
            return "an undisclosed share (0-100%)"
        left = "more than" if self.lo_open else "at least"
        right = "less than" if self.hi_open else "at most"
        return f"{left} {fmt(self.lo)}% and {right} {fmt(self.hi)}%"


def to_decimal(value: Decimal | int | float | str) -> Decimal:
    if isinstance(value, str) and not ASCII_NUMBER.match(value.strip()):
        raise ShareError(f"not a number: {value!r}")  # Decimal() also reads "1_0" and Arabic-Indic digits
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ShareError(f"not a number: {value!r}") from None
    if not d.is_finite():
        raise ShareError(f"not a finite number: {value!r}")
    return d


def fmt(value: Decimal | float | int) -> str:
    """A percentage for people: no trailing zeros, no exponent."""
    d = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    text = format(d.quantize(Decimal("0.000001")).normalize(), "f")
    return text


def encode_lo(value: Decimal, open_: bool = False) -> int:
    scaled = value * UNIT
    units = math.floor(scaled)
    return units * SCALE + (1 if (open_ or units != scaled) else 0)


def encode_hi(value: Decimal, open_: bool = False) -> int:
    scaled = value * UNIT
    units = math.ceil(scaled)
    return units * SCALE - (1 if (open_ or units != scaled) else 0)


def encode_threshold(value: Decimal) -> int:
    scaled = value * UNIT
    if scaled != int(scaled):
        raise ShareError(f"threshold {value} has more than eight decimals")
    return int(scaled) * SCALE


def decode_lo(encoded: int) -> tuple[Decimal, bool]:
    """(value in percent, exclusive?) of an encoded lower end or sum of lower ends."""
    units, extra = divmod(encoded, SCALE)
    return Decimal(units) / UNIT, extra > 0


def decode_hi(encoded: int) -> tuple[Decimal, bool]:
    units = -((-encoded) // SCALE)
    return Decimal(units) / UNIT, units * SCALE != encoded


def meets(encoded_sum: int, threshold: int, inclusive: bool) -> bool:
    """Whether an encoded lower bound meets, or an encoded upper bound can meet, the encoded threshold."""
    return encoded_sum >= threshold if inclusive else encoded_sum > threshold


def decode(lo: int, hi: int) -> dict:
    """An encoded (lo, hi) pair, or a pair of sums, as the verdict JSON's share object."""
    lo_v, lo_open = decode_lo(lo)
    hi_v, hi_open = decode_hi(hi)
    out: dict = {"min": float(max(lo_v, Decimal(0))), "max": float(hi_v)}
    if lo_open:
        out["min_exclusive"] = True
    if hi_open:
        out["max_exclusive"] = True
    return out
