"""Money: an exact Decimal amount in one ISO 4217 currency.

Every money path in Arrears uses this type in Python and integer minor units (cents, fen) in the
database. There is no float anywhere: constructing Money from a float is refused, because a
binary float cannot hold most decimal amounts exactly.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal

from arrears.core.errors import ValidationError

#: Minor units per currency (ISO 4217 exponent). Extend here when a lender needs another one.
MINOR_UNITS: dict[str, int] = {
    "CNY": 2,
    "USD": 2,
    "GBP": 2,
    "EUR": 2,
    "HKD": 2,
    "JPY": 0,
}


class Rounding(enum.StrEnum):
    """The named rounding policies a product can choose (one per product)."""

    HALF_UP = "half_up"  # 四舍五入: the common retail rule in China and elsewhere
    HALF_EVEN = "half_even"  # banker's rounding
    DOWN = "down"  # truncate toward zero: never charge the borrower a fraction up
    UP = "up"  # away from zero

    @property
    def decimal_mode(self) -> str:
        return {
            Rounding.HALF_UP: ROUND_HALF_UP,
            Rounding.HALF_EVEN: ROUND_HALF_EVEN,
            Rounding.DOWN: ROUND_DOWN,
            Rounding.UP: ROUND_UP,
        }[self]


def minor_units(currency: str) -> int:
    """How many decimal places the currency's minor unit has."""
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise ValidationError("currency", f"unknown currency {currency!r}") from None


def quantum(currency: str) -> Decimal:
    """The smallest amount of a currency as a Decimal (0.01 for CNY, 1 for JPY)."""
    return Decimal(1).scaleb(-minor_units(currency))


def round_amount(value: Decimal, currency: str, rounding: Rounding = Rounding.HALF_UP) -> Decimal:
    """Round an exact Decimal to the currency's minor unit with a named policy."""
    if not isinstance(value, Decimal):
        raise TypeError(f"round_amount needs a Decimal, got {type(value).__name__}")
    return value.quantize(quantum(currency), rounding=rounding.decimal_mode)


def _as_decimal(amount: Decimal | int | str) -> Decimal:
    if isinstance(amount, float):
        raise TypeError("money never comes from a float; pass a Decimal, an int or a string")
    if isinstance(amount, bool):
        raise TypeError("a bool is not an amount")
    if isinstance(amount, Decimal):
        return amount
    return Decimal(amount)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in one currency, always held at the currency's minor unit."""

    amount: Decimal
    currency: str

    def __init__(
        self, amount: Decimal | int | str, currency: str, rounding: Rounding | None = None
    ) -> None:
        value = _as_decimal(amount)
        if not value.is_finite():
            raise ValidationError("amount", "an amount must be a finite number")
        q = quantum(currency)
        if rounding is None:
            if value != value.quantize(q):
                raise ValidationError(
                    "amount",
                    f"{value} has more decimals than {currency} allows; round it explicitly",
                )
            rounding = Rounding.HALF_UP
        object.__setattr__(self, "amount", value.quantize(q, rounding=rounding.decimal_mode))
        object.__setattr__(self, "currency", currency)

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """From integer minor units, as stored in the database."""
        if not isinstance(minor, int) or isinstance(minor, bool):
            raise TypeError("minor units are an int")
        return cls(Decimal(minor).scaleb(-minor_units(currency)), currency)

    @classmethod
    def of(cls, value: Decimal, currency: str, rounding: Rounding = Rounding.HALF_UP) -> Money:
        """Round an exact computed value (e.g. interest) to money with the product's policy."""
        return cls(value, currency, rounding)

    # --- conversion ---------------------------------------------------------------------------
    @property
    def minor(self) -> int:
        """Integer minor units (what the database stores)."""
        return int(self.amount.scaleb(minor_units(self.currency)))

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    # --- arithmetic ---------------------------------------------------------------------------
    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValidationError(
                "currency", f"cannot combine {self.currency} with {other.currency}"
            )
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    def times(self, factor: Decimal | int, rounding: Rounding = Rounding.HALF_UP) -> Money:
        """Multiply by an exact factor (a rate, a percentage) and round once."""
        return Money.of(self.amount * _as_decimal(factor), self.currency, rounding)

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_negative(self) -> bool:
        return self.amount < 0

    def max(self, other: Money) -> Money:
        return self if self >= other else other

    def min(self, other: Money) -> Money:
        return self if self <= other else other


def total(amounts: Iterable[Money], currency: str) -> Money:
    """Sum money of one currency; the empty sum is zero in that currency."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result


def split(amount: Money, weights: Sequence[Decimal | int]) -> list[Money]:
    """Split an amount over parts in proportion to weights, losing and creating no minor unit.

    Largest-remainder method: each part gets its floor share, and the minor units left over go
    one each to the parts with the largest remainders (earliest part first on a tie), so the
    parts always add up to the amount exactly.
    """
    if not weights:
        raise ValidationError("weights", "cannot split over no parts")
    exact = [_as_decimal(w) for w in weights]
    if any(w < 0 for w in exact):
        raise ValidationError("weights", "weights cannot be negative")
    weight_sum = sum(exact, Decimal(0))
    if weight_sum == 0:
        raise ValidationError("weights", "weights cannot all be zero")
    sign = -1 if amount.minor < 0 else 1
    units = abs(amount.minor)
    shares = [Decimal(units) * w / weight_sum for w in exact]
    floors = [int(s.to_integral_value(rounding=ROUND_DOWN)) for s in shares]
    left = units - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Money.from_minor(sign * f, amount.currency) for f in floors]


def split_evenly(amount: Money, parts: int) -> list[Money]:
    """Split into `parts` near-equal amounts; the first parts carry any extra minor unit."""
    if parts < 1:
        raise ValidationError("parts", "must be at least 1")
    return split(amount, [1] * parts)
