"""Delinquency ageing (账龄): days past due (逾期天数), buckets, cure and charge-off.

The nightly cycle ages every account with these rules; collection strategies, roll rates and
charge-off (核销) all read the bucket. A product may bring its own bucket scheme as data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from arrears.core.errors import ValidationError
from arrears.core.money import Money, total


@dataclass(frozen=True)
class Bucket:
    """A delinquency stage (逾期阶段): the accounts whose DPD lies in [min_dpd, max_dpd]."""

    code: str  # e.g. "current", "M1", "M7+"
    min_dpd: int
    max_dpd: int | None  # inclusive; None = open-ended (only the last bucket)
    label_en: str
    label_zh: str

    def holds(self, dpd: int) -> bool:
        return self.min_dpd <= dpd and (self.max_dpd is None or dpd <= self.max_dpd)


@dataclass(frozen=True)
class BucketScheme:
    """Buckets that cover every DPD exactly once: from day 0, contiguous, the last open-ended."""

    buckets: tuple[Bucket, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "buckets", tuple(self.buckets))
        _check_scheme(self.buckets)

    @classmethod
    def from_list(cls, items: Iterable[Mapping[str, object]]) -> BucketScheme:
        """Read a product's bucket configuration, e.g. ``[{"code": "M1", "min_dpd": 1, ...}]``.

        ``max_dpd`` may be left out (or null) on the last bucket; labels may be left out and are
        then written from the range (``"30–59 days"`` / ``"逾期30-59天 (M2)"``).
        """
        if isinstance(items, str | bytes | Mapping) or not isinstance(items, Iterable):
            raise ValidationError("buckets", "must be a list of buckets")
        return cls(tuple(_read_bucket(f"buckets[{i}]", item) for i, item in enumerate(items)))


def _check_scheme(buckets: tuple[Bucket, ...]) -> None:
    if not buckets:
        raise ValidationError("buckets", "needs at least one bucket")
    codes: set[str] = set()
    starts_on = 0
    for i, bucket in enumerate(buckets):
        _check_bucket(f"buckets[{i}]", bucket, codes, starts_on)
        codes.add(bucket.code)
        is_last = i == len(buckets) - 1
        if bucket.max_dpd is None and not is_last:
            raise ValidationError(f"buckets[{i}].max_dpd", "only the last bucket may be open-ended")
        if bucket.max_dpd is not None:
            if is_last:
                raise ValidationError(
                    f"buckets[{i}].max_dpd",
                    "the last bucket must be open-ended (leave max_dpd out)",
                )
            starts_on = bucket.max_dpd + 1


def _check_bucket(at: str, bucket: Bucket, codes: set[str], starts_on: int) -> None:
    if not bucket.code.strip():
        raise ValidationError(f"{at}.code", "must not be empty")
    if bucket.code in codes:
        raise ValidationError(f"{at}.code", f"{bucket.code!r} is used by an earlier bucket")
    if bucket.min_dpd != starts_on:
        why = "the first bucket starts at day 0" if starts_on == 0 else "no gap, no overlap"
        raise ValidationError(f"{at}.min_dpd", f"must be {starts_on} ({why})")
    if bucket.max_dpd is not None and bucket.max_dpd < bucket.min_dpd:
        raise ValidationError(f"{at}.max_dpd", f"must be at least min_dpd ({bucket.min_dpd})")
    for name in ("label_en", "label_zh"):
        if not getattr(bucket, name).strip():
            raise ValidationError(f"{at}.{name}", "must not be empty")


def _bucket(code: str, min_dpd: int, max_dpd: int | None) -> Bucket:
    return Bucket(
        code, min_dpd, max_dpd, _label_en(min_dpd, max_dpd), _label_zh(code, min_dpd, max_dpd)
    )


def _label_en(min_dpd: int, max_dpd: int | None) -> str:
    if max_dpd == 0:
        return "current"
    if max_dpd is None:
        return f"{min_dpd}+ days"
    return f"{min_dpd}–{max_dpd} days"


def _label_zh(code: str, min_dpd: int, max_dpd: int | None) -> str:
    if max_dpd == 0:
        return "正常 (M0)"
    if max_dpd is None:
        return f"逾期{min_dpd}天以上 ({code})"
    return f"逾期{min_dpd}-{max_dpd}天 ({code})"


#: The common card and consumer-loan scheme: current, then 30-day stages M1…M6, then M7+.
DEFAULT_BUCKETS = BucketScheme(
    (
        _bucket("current", 0, 0),
        _bucket("M1", 1, 29),
        _bucket("M2", 30, 59),
        _bucket("M3", 60, 89),
        _bucket("M4", 90, 119),
        _bucket("M5", 120, 149),
        _bucket("M6", 150, 179),
        _bucket("M7+", 180, None),
    )
)


def days_past_due(
    unpaid: Iterable[tuple[date, Money]],
    *,
    as_of: date,
    tolerance: Money,
    grace_days: int = 0,
) -> int:
    """Days past due (逾期天数) on `as_of`, from each due amount's date and what is still unpaid.

    The rule, as most lenders apply it:

    - An amount is past due once its due date has passed; the due date itself is day 0. With
      `grace_days` (还款宽限期, CN cards) an amount paid within that many days after its due date
      still counts as on time, but once the grace has run out DPD counts from the due date.
    - If the total past-due amount is within `tolerance` (容差, e.g. 10 CNY), the shortfall is too
      small to be delinquency and DPD is 0.
    - Otherwise DPD counts from the oldest due date still unpaid.

    This is the same as ignoring dues from the newest backwards while their running total stays
    within the tolerance: the oldest due is dropped only when the whole shortfall is within it.
    Under an oldest-first waterfall a tiny shortfall always sits on the newest dues anyway.
    Dues with nothing unpaid (≤ 0) are ignored. The result is never negative.
    """
    if grace_days < 0:
        raise ValidationError("grace_days", "cannot be negative")
    if tolerance.is_negative():
        raise ValidationError("tolerance", "cannot be negative")
    last_on_time = as_of - timedelta(days=grace_days)
    past_due: list[tuple[date, Money]] = []
    for i, (due_on, amount) in enumerate(unpaid):
        if amount.currency != tolerance.currency:
            raise ValidationError(
                f"unpaid[{i}]",
                f"is in {amount.currency} but the tolerance is in {tolerance.currency}",
            )
        if amount.amount > 0 and due_on < last_on_time:
            past_due.append((due_on, amount))
    if total((amount for _, amount in past_due), tolerance.currency) <= tolerance:
        return 0
    return (as_of - min(due_on for due_on, _ in past_due)).days


@dataclass(frozen=True)
class Delinquency:
    """An account's delinquency on a date: the figures an account caches for collections."""

    days_past_due: int
    bucket: Bucket
    past_due: Money  # what fell due before the date and is still unpaid (grace days included)


def delinquency(
    unpaid: Iterable[tuple[date, Money]],
    *,
    as_of: date,
    tolerance: Money,
    grace_days: int = 0,
    scheme: BucketScheme = DEFAULT_BUCKETS,
) -> Delinquency:
    """Days past due, bucket and past-due amount on `as_of`, from what is still unpaid.

    `unpaid` holds (due_on, still unpaid) per obligation; dues after `as_of` are not due yet and
    are ignored, as are dues with nothing unpaid. Days past due are `days_past_due` (tolerance and
    grace days included); the past-due amount is everything due *before* `as_of` (the due date
    itself is day 0), whether or not its grace days are over, in the tolerance's currency.
    """
    due = [(due_on, amount) for due_on, amount in unpaid if due_on <= as_of]
    dpd = days_past_due(due, as_of=as_of, tolerance=tolerance, grace_days=grace_days)
    past_due = total(
        (amount for due_on, amount in due if due_on < as_of and amount.amount > 0),
        tolerance.currency,
    )
    return Delinquency(dpd, bucket_for(dpd, scheme), past_due)


def bucket_for(dpd: int, scheme: BucketScheme = DEFAULT_BUCKETS) -> Bucket:
    """The bucket an account with this many days past due sits in."""
    if dpd < 0:
        raise ValidationError("dpd", "cannot be negative")
    return next(bucket for bucket in scheme.buckets if bucket.holds(dpd))


def is_charge_off_due(dpd: int, charge_off_dpd: int) -> bool:
    """Whether the account has been past due long enough to charge off (核销)."""
    if charge_off_dpd < 1:
        raise ValidationError("charge_off_dpd", "must be at least 1")
    return dpd >= charge_off_dpd


def cured(previous_dpd: int, dpd: int) -> bool:
    """Whether a delinquent account became current (出催): it was past due and no longer is."""
    return previous_dpd > 0 and dpd == 0


_BUCKET_FIELDS = frozenset({"code", "min_dpd", "max_dpd", "label_en", "label_zh"})


def _read_bucket(at: str, item: object) -> Bucket:
    if not isinstance(item, Mapping):
        raise ValidationError(at, "must be a mapping with code, min_dpd and max_dpd")
    for key in item:
        if key not in _BUCKET_FIELDS:
            raise ValidationError(f"{at}.{key}", "unknown field")
    code = _read_text(at, item, "code")
    min_dpd = _read_days(at, item, "min_dpd")
    max_dpd = None if item.get("max_dpd") is None else _read_days(at, item, "max_dpd")
    label_en = _read_text(at, item, "label_en", _label_en(min_dpd, max_dpd))
    label_zh = _read_text(at, item, "label_zh", _label_zh(code, min_dpd, max_dpd))
    return Bucket(code, min_dpd, max_dpd, label_en, label_zh)


def _read_text(at: str, item: Mapping[str, object], name: str, default: str | None = None) -> str:
    value = item.get(name, default)
    if not isinstance(value, str):
        raise ValidationError(f"{at}.{name}", "must be text")
    return value


def _read_days(at: str, item: Mapping[str, object], name: str) -> int:
    value = item.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(f"{at}.{name}", "must be a whole number of days, 0 or more")
    return value
