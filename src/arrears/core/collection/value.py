"""The expected value of a contact now (当前触达的期望价值): what ranks a work queue.

    value = balance at risk × P(pay | contact now) − cost(channel)
    P(pay | contact now) = min(cap, base(bucket) × reach(channel, now) × uplift(channel))

- `base(bucket)`: the chance that a borrower in the bucket pays within the horizon (say 30
  days), from the lender's own roll and cure rates.
- `reach`: the chance the contact reaches the borrower now — for a call the answer rate of the
  current hour (`best_time`), for a message the chance it is read (the model's table).
- `uplift(channel)`: how much more likely a reached borrower is to pay than one not contacted,
  relative to the base (0.30 = 30 % more), measured against a no-contact control group
  (champion / challenger). The product is therefore the *extra* chance to pay the contact buys,
  and the value is what the contact adds, net of its cost — not what the borrower would pay anyway.
- `cap` keeps an over-optimistic table from promising certainty.

Arithmetic is exact and integer so the scalar and the Polars forms agree to the minor unit:
probabilities are whole parts per million (ppm), each product is floored to ppm, and the value
is floored to the minor unit. A slot's answer rate (a float estimate) enters once, as
floor(rate × 10⁶ + 0.5) ppm. No float touches money.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

import polars as pl

from arrears.core.compliance.model import Channel
from arrears.core.errors import ValidationError
from arrears.core.money import Money

PPM = 1_000_000


def ppm(probability: Decimal, *, field_name: str = "probability") -> int:
    """An exact probability (or uplift) as whole parts per million."""
    if probability < 0:
        raise ValidationError(field_name, "cannot be negative")
    return int((probability * PPM).to_integral_value(rounding=ROUND_HALF_EVEN))


def rate_ppm(rate: float) -> int:
    """A slot's answer rate as ppm, rounded half up, clipped to [0, 1]."""
    if not math.isfinite(rate):
        raise ValidationError("answer_rate", "must be a number between 0 and 1")
    return min(PPM, max(0, math.floor(rate * PPM + 0.5)))


def _d(text: str) -> Decimal:
    return Decimal(text)


@dataclass(frozen=True)
class ContactValueModel:
    """The model's tables, in one currency. The defaults are illustrative: calibrate them."""

    currency: str = "CNY"
    base_propensity: Mapping[str, Decimal] = field(
        default_factory=lambda: {
            "current": _d("0.60"),
            "M1": _d("0.35"),
            "M2": _d("0.20"),
            "M3": _d("0.12"),
            "M4": _d("0.08"),
            "M5": _d("0.05"),
            "M6": _d("0.03"),
            "M7+": _d("0.01"),
        }
    )
    uplift: Mapping[Channel, Decimal] = field(
        default_factory=lambda: {
            Channel.CALL: _d("0.30"),
            Channel.SMS: _d("0.08"),
            Channel.EMAIL: _d("0.05"),
            Channel.IN_APP: _d("0.05"),
            Channel.LETTER: _d("0.10"),
            Channel.VISIT: _d("0.50"),
        }
    )
    reach: Mapping[Channel, Decimal] = field(
        default_factory=lambda: {
            Channel.SMS: _d("0.90"),
            Channel.EMAIL: _d("0.40"),
            Channel.IN_APP: _d("0.30"),
            Channel.LETTER: _d("0.80"),
            Channel.VISIT: _d("0.50"),
        }
    )
    cost: Mapping[Channel, Money] = field(
        default_factory=lambda: {
            Channel.CALL: Money("2.00", "CNY"),
            Channel.SMS: Money("0.05", "CNY"),
            Channel.EMAIL: Money("0.01", "CNY"),
            Channel.IN_APP: Money("0.00", "CNY"),
            Channel.LETTER: Money("5.00", "CNY"),
            Channel.VISIT: Money("150.00", "CNY"),
        }
    )
    cap: Decimal = Decimal("0.95")

    def __post_init__(self) -> None:
        for bucket, chance in self.base_propensity.items():
            _probability(f"base_propensity.{bucket}", chance)
        for channel, chance in self.reach.items():
            _probability(f"reach.{channel}", chance)
        for channel, lift in self.uplift.items():
            if not Decimal(0) <= lift <= Decimal(10):
                raise ValidationError(f"uplift.{channel}", "must be between 0 and 10")
        for channel, amount in self.cost.items():
            if amount.currency != self.currency or amount.is_negative():
                raise ValidationError(f"cost.{channel}", f"must be an amount in {self.currency}")
        _probability("cap", self.cap)

    def base_ppm(self, bucket: str) -> int:
        if bucket not in self.base_propensity:
            known = ", ".join(self.base_propensity)
            raise ValidationError("bucket", f"{bucket!r} has no base propensity (known: {known})")
        return ppm(self.base_propensity[bucket])

    def uplift_ppm(self, channel: Channel) -> int:
        if channel not in self.uplift or channel not in self.cost:
            raise ValidationError("channel", f"the model has no uplift and cost for {channel}")
        return ppm(self.uplift[channel])

    def reach_ppm(self, channel: Channel, answer_rate: float | None) -> int:
        if answer_rate is not None:
            return rate_ppm(answer_rate)
        if channel not in self.reach:
            raise ValidationError("answer_rate", f"is needed for {channel} (no reach in the model)")
        return ppm(self.reach[channel])


@dataclass(frozen=True, slots=True)
class ContactValue:
    value: Money  # what the contact adds, net of its cost (may be negative)
    chance_ppm: int  # P(pay | contact now), parts per million
    reach_ppm: int
    cost: Money


def chance_ppm(base: int, reach: int, uplift: int, cap: int) -> int:
    """min(cap, base × reach × uplift), each product floored to ppm."""
    return min(cap, base * reach // PPM * uplift // PPM)


def contact_value(
    *,
    balance_at_risk: Money,
    bucket: str,
    channel: Channel,
    answer_rate: float | None = None,
    model: ContactValueModel | None = None,
) -> ContactValue:
    """The expected value of contacting one borrower on `channel` now."""
    model = model or ContactValueModel()
    if balance_at_risk.currency != model.currency:
        raise ValidationError("balance_at_risk", f"is not in the model's {model.currency}")
    if balance_at_risk.is_negative():
        raise ValidationError("balance_at_risk", "cannot be negative")
    reach = model.reach_ppm(channel, answer_rate)
    chance = chance_ppm(model.base_ppm(bucket), reach, model.uplift_ppm(channel), ppm(model.cap))
    cost = model.cost[channel]
    value_minor = balance_at_risk.minor * chance // PPM - cost.minor
    return ContactValue(Money.from_minor(value_minor, model.currency), chance, reach, cost)


# --- vectorised (Polars) -------------------------------------------------------------------

#: The columns `contact_values` reads; answer_rate may be null for message channels.
VALUE_COLUMNS = ("balance_minor", "bucket", "channel", "answer_rate")


def contact_values(frame: pl.DataFrame, model: ContactValueModel | None = None) -> pl.DataFrame:
    """`contact_value` for every row: adds reach_ppm, chance_ppm and value_minor."""
    model = model or ContactValueModel()
    missing = [c for c in VALUE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValidationError("frame", f"missing columns: {', '.join(missing)}")
    _check_frame(frame, model)
    base = {bucket: model.base_ppm(bucket) for bucket in model.base_propensity}
    uplift = {str(c): model.uplift_ppm(c) for c in model.uplift if c in model.cost}
    cost = {str(c): model.cost[c].minor for c in model.uplift if c in model.cost}
    reach = {str(c): ppm(r) for c, r in model.reach.items()}
    rate = ((pl.col("answer_rate").cast(pl.Float64) * PPM) + 0.5).floor().cast(pl.Int64)
    channel = pl.col("channel").cast(pl.String)
    with_reach = frame.with_columns(
        pl.when(pl.col("answer_rate").is_not_null())
        .then(rate.clip(0, PPM))
        .otherwise(channel.replace_strict(reach, default=None, return_dtype=pl.Int64))
        .alias("reach_ppm")
    )
    if with_reach["reach_ppm"].null_count():
        raise ValidationError("answer_rate", "is needed for a channel with no reach in the model")
    product = (
        pl.col("bucket").replace_strict(base, return_dtype=pl.Int64)
        * pl.col("reach_ppm")
        // PPM
        * channel.replace_strict(uplift, return_dtype=pl.Int64)
        // PPM
    )
    chance = pl.min_horizontal(product, pl.lit(ppm(model.cap), dtype=pl.Int64))
    return with_reach.with_columns(chance.alias("chance_ppm")).with_columns(
        (
            pl.col("balance_minor").cast(pl.Int64) * pl.col("chance_ppm") // PPM
            - channel.replace_strict(cost, return_dtype=pl.Int64)
        ).alias("value_minor")
    )


def rank_by_value(values: pl.DataFrame, *, tie_break: str = "case_id") -> pl.DataFrame:
    """A work queue's order: the most valuable contact first; `tie_break` ascending on a tie."""
    return values.sort(["value_minor", tie_break], descending=[True, False]).with_row_index(
        "rank", offset=1
    )


def _check_frame(frame: pl.DataFrame, model: ContactValueModel) -> None:
    if not frame.height:
        return
    unknown = set(frame["bucket"].unique().to_list()) - set(model.base_propensity)
    if unknown:
        raise ValidationError("bucket", f"no base propensity for {', '.join(sorted(unknown))}")
    channels = {str(c) for c in model.uplift if c in model.cost}
    strange = set(frame["channel"].cast(pl.String).unique().to_list()) - channels
    if strange:
        raise ValidationError("channel", f"the model has no uplift and cost for {sorted(strange)}")
    lowest = frame["balance_minor"].min()
    if isinstance(lowest, int) and lowest < 0:
        raise ValidationError("balance_minor", "cannot be negative")


def _probability(path: str, value: Decimal) -> None:
    if not Decimal(0) <= value <= Decimal(1):
        raise ValidationError(path, "must be between 0 and 1")
