"""Ratio arithmetic of the KPIs: exact Decimals, one documented rounding, no floats.

Pure Python (no Django): a rate is a numerator over a denominator, rounded once, half up, to
`RATE_PLACES` decimal places; a rate over nothing is None ("no accounts to measure"), never 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from arrears.core.ageing import DEFAULT_BUCKETS

#: Rates (shares of 1) are rounded half up to 4 places: 0.1235 is 12.35 %.
RATE_PLACES = 4
#: Figures per account and per 1,000 accounts are rounded half up to 2 places.
FIGURE_PLACES = 2
#: Cost per unit of money collected (a few fen per yuan) is rounded half up to 6 places.
COST_PLACES = 6
#: The bucket of a charged-off account (核销): ageing stops there (servicing's cycle writes it).
CHARGED_OFF = "charged_off"
#: The bucket of an account that owes nothing past due.
CURRENT = "current"


def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def ratio(numerator: int | Decimal, denominator: int | Decimal, *, places: int) -> Decimal | None:
    """numerator ÷ denominator rounded half up to `places`; None when the denominator is 0."""
    if not denominator:
        return None
    exact = Decimal(numerator) / Decimal(denominator)
    return exact.quantize(_quantum(places), rounding=ROUND_HALF_UP)


def rate(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """A share of 1 to `RATE_PLACES` places (None over nothing)."""
    return ratio(numerator, denominator, places=RATE_PLACES)


def per_thousand(count: int, accounts: int) -> Decimal | None:
    """`count` per 1,000 accounts, to `FIGURE_PLACES` places (None over no accounts)."""
    return ratio(Decimal(count) * 1000, accounts, places=FIGURE_PLACES)


def shares_summing_to_one(
    counts: Mapping[str, int], *, places: int = RATE_PLACES
) -> dict[str, Decimal]:
    """Each count's share of the total, rounded so the shares add up to exactly 1.

    Largest remainder (Hamilton) rounding: every share is first rounded down to `places`, then
    the missing quanta go one each to the largest remainders (ties to the earlier key). A roll-
    rate row therefore always sums to 1, as the supervisor reading it expects.
    """
    total = sum(counts.values())
    if total <= 0:
        return {}
    quantum = _quantum(places)
    exact = {key: Decimal(n) / Decimal(total) for key, n in counts.items()}
    floored = {key: share.quantize(quantum, rounding=ROUND_DOWN) for key, share in exact.items()}
    missing = int((Decimal(1) - sum(floored.values())) / quantum)
    by_remainder = sorted(
        counts, key=lambda key: (-(exact[key] - floored[key]), list(counts).index(key))
    )
    for key in by_remainder[:missing]:
        floored[key] += quantum
    return floored


def bucket_order(codes: Iterable[str]) -> list[str]:
    """Bucket codes in ageing order: the default scheme, other codes, charged off last."""
    known = [bucket.code for bucket in DEFAULT_BUCKETS.buckets]
    found = set(codes)
    others = sorted(found - set(known) - {CHARGED_OFF})
    ordered = [code for code in known if code in found] + others
    return ordered + ([CHARGED_OFF] if CHARGED_OFF in found else [])


def is_delinquent(bucket: str) -> bool:
    """Past due and still being collected: neither current nor charged off."""
    return bucket not in (CURRENT, CHARGED_OFF)
