"""Borrower behaviour parameters for the simulator, as checked, frozen data.

The bundled defaults live in ``core/data/sim_behaviour.yaml`` with a citation (or "assumed") on
every figure; docs/simulation.md explains the model. Parameters are read once, checked — each
error names the field by its dotted path (``segments.prime_card.hawkes.beta``) — and turned into
per-segment NumPy tables (`SegmentTable`) that the vectorised day step indexes by segment.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from arrears.core.errors import ValidationError
from arrears.core.sim import _read as read

#: The channels a simulated borrower can be contacted on (values of compliance `Channel`).
CHANNELS: tuple[str, ...] = ("call", "sms", "email", "in_app", "letter")
CHANNEL_INDEX: Mapping[str, int] = {name: i for i, name in enumerate(CHANNELS)}
HOURS_PER_WEEK = 168


@dataclass(frozen=True, kw_only=True)
class Hawkes:
    """The self-exciting repayment process (payment events per day)."""

    mu: float  # base intensity
    alpha_pay: float  # jump in intensity after each payment
    beta: float  # decay rate per day
    alpha_contact: Mapping[str, float]  # jump after an effective contact, by channel

    @property
    def branching_ratio(self) -> float:
        """Expected payments triggered by one payment: α_pay/β; below 1 or payments explode."""
        return self.alpha_pay / self.beta


@dataclass(frozen=True, kw_only=True)
class Shocks:
    job_loss_monthly: float
    illness_monthly: float
    recovery_days_mean: float
    income_drop: float  # share of income lost while in a shock
    mu_factor: float  # base intensity multiplier while in a shock


@dataclass(frozen=True, kw_only=True)
class Treatment:
    effective_contact: Mapping[str, float]  # P(effective | right party reached), by channel
    annoyance_per_contact: Mapping[str, float]
    annoyance_half_life_days: float
    answer_damping: float  # answer chance × exp(−damping · annoyance)
    complaint_intercept: float  # logit of the chance of a complaint on a day with contact
    complaint_slope: float  # per unit of annoyance, ≥ 0
    opt_out_intercept: float  # logit of the chance of STOP per SMS / e-mail
    opt_out_slope: float


@dataclass(frozen=True, kw_only=True)
class Segment:
    name: str
    share: float
    product_kind: str
    income_median_minor: int
    income_sigma: float
    balance_median_minor: int
    balance_sigma: float
    due_percent: int
    ability: tuple[float, float]  # Beta(a, b): share of income free for debts
    willingness: tuple[float, float]  # Beta(a, b)
    pay_percents: tuple[tuple[int, float], ...]  # (percent of the amount due, weight)
    contactability: float
    reachable: Mapping[str, float]
    zones: tuple[tuple[int, float], ...]  # (UTC offset hours, share)
    hawkes: Hawkes
    shocks: Shocks
    treatment: Treatment
    promise_make: float
    promise_keep: float
    promise_days: int
    plan_uptake_affordable: float
    plan_uptake_unaffordable: float
    plan_keep_monthly: float


@dataclass(frozen=True, kw_only=True)
class BehaviourParams:
    currency: str
    answer_curves: Mapping[str, tuple[float, ...]]  # channel → 168 answer chances (Mon 00h…)
    segments: tuple[Segment, ...]

    def segment_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.segments)

    @functools.cached_property
    def table(self) -> SegmentTable:
        return SegmentTable.build(self)


def _by_segment(params: BehaviourParams, pick: Callable[[Segment], float]) -> np.ndarray:
    return np.array([pick(s) for s in params.segments], dtype=np.float64)


def _by_channel(
    params: BehaviourParams, pick: Callable[[Segment], Mapping[str, float]]
) -> np.ndarray:
    return np.array([[pick(s)[c] for c in CHANNELS] for s in params.segments], dtype=np.float64)


@dataclass(frozen=True, kw_only=True)
class SegmentTable:
    """Per-segment parameters as arrays ([segment] or [segment, channel]) for vector indexing."""

    mu: np.ndarray
    alpha_pay: np.ndarray
    beta: np.ndarray
    alpha_contact: np.ndarray
    shock_daily: np.ndarray  # daily hazard of job loss or illness
    recovery_days: np.ndarray
    income_drop: np.ndarray
    shock_mu_factor: np.ndarray
    effective: np.ndarray
    annoyance_weight: np.ndarray
    annoyance_decay: np.ndarray  # daily multiplier
    answer_damping: np.ndarray
    complaint: np.ndarray  # [segment, 2]: intercept, slope
    opt_out: np.ndarray
    contactability: np.ndarray
    promise_make: np.ndarray
    promise_keep: np.ndarray
    promise_days: np.ndarray
    plan_uptake: np.ndarray  # [segment, 2]: unaffordable, affordable
    plan_keep: np.ndarray
    willingness_mean: np.ndarray
    answer_curves: np.ndarray  # [channel, 168]

    @classmethod
    def build(cls, p: BehaviourParams) -> SegmentTable:
        monthly = _by_segment(p, lambda s: s.shocks.job_loss_monthly + s.shocks.illness_monthly)

        def pair(a: Callable[[Segment], float], b: Callable[[Segment], float]) -> np.ndarray:
            return np.stack([_by_segment(p, a), _by_segment(p, b)], axis=1)

        return cls(
            mu=_by_segment(p, lambda s: s.hawkes.mu),
            alpha_pay=_by_segment(p, lambda s: s.hawkes.alpha_pay),
            beta=_by_segment(p, lambda s: s.hawkes.beta),
            alpha_contact=_by_channel(p, lambda s: s.hawkes.alpha_contact),
            shock_daily=1.0 - (1.0 - np.minimum(monthly, 1.0)) ** (1.0 / 30.0),
            recovery_days=_by_segment(p, lambda s: s.shocks.recovery_days_mean),
            income_drop=_by_segment(p, lambda s: s.shocks.income_drop),
            shock_mu_factor=_by_segment(p, lambda s: s.shocks.mu_factor),
            effective=_by_channel(p, lambda s: s.treatment.effective_contact),
            annoyance_weight=_by_channel(p, lambda s: s.treatment.annoyance_per_contact),
            annoyance_decay=0.5 ** (1.0 / _by_segment(p, _half_life)),
            answer_damping=_by_segment(p, lambda s: s.treatment.answer_damping),
            complaint=pair(
                lambda s: s.treatment.complaint_intercept, lambda s: s.treatment.complaint_slope
            ),
            opt_out=pair(
                lambda s: s.treatment.opt_out_intercept, lambda s: s.treatment.opt_out_slope
            ),
            contactability=_by_segment(p, lambda s: s.contactability),
            promise_make=_by_segment(p, lambda s: s.promise_make),
            promise_keep=_by_segment(p, lambda s: s.promise_keep),
            promise_days=_by_segment(p, lambda s: s.promise_days).astype(np.int32),
            plan_uptake=pair(
                lambda s: s.plan_uptake_unaffordable, lambda s: s.plan_uptake_affordable
            ),
            plan_keep=_by_segment(p, lambda s: s.plan_keep_monthly),
            willingness_mean=_by_segment(p, lambda s: s.willingness[0] / sum(s.willingness)),
            answer_curves=np.array([p.answer_curves[c] for c in CHANNELS], dtype=np.float64),
        )


def _half_life(segment: Segment) -> float:
    return segment.treatment.annoyance_half_life_days


# --- reading ------------------------------------------------------------------------------


def parse_behaviour(data: object) -> BehaviourParams:
    """Check parsed YAML and freeze it; every error names the field by its dotted path."""
    top = read.mapping("", data, ("currency", "answer_curves", "segments"))
    currency = top["currency"]
    if not isinstance(currency, str) or len(currency) != 3:
        raise ValidationError("currency", "must be a three-letter currency code, e.g. CNY")
    curves_in = read.mapping("answer_curves", top["answer_curves"], CHANNELS)
    curves = {c: _curve(f"answer_curves.{c}", curves_in[c]) for c in CHANNELS}
    segments_in = top["segments"]
    if not isinstance(segments_in, Mapping) or not segments_in:
        raise ValidationError("segments", "must name at least one segment")
    segments = tuple(_segment(str(name), raw, currency) for name, raw in segments_in.items())
    total = sum(s.share for s in segments)
    if abs(total - 1.0) > 1e-9:
        raise ValidationError("segments", f"shares must add up to 1, got {total:g}")
    return BehaviourParams(currency=currency, answer_curves=curves, segments=segments)


def load_behaviour(path_or_text: str | Path) -> BehaviourParams:
    """Read behaviour parameters from a YAML file (a `Path`) or YAML text."""
    text = (
        path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, Path) else path_or_text
    )
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationError("behaviour", f"is not valid YAML: {error}") from None
    return parse_behaviour(data)


@functools.cache
def bundled_behaviour() -> BehaviourParams:
    """The shipped defaults (core/data/sim_behaviour.yaml)."""
    text = resources.files("arrears.core.data").joinpath("sim_behaviour.yaml").read_text("utf-8")
    return load_behaviour(text)


def _curve(field: str, raw: object) -> tuple[float, ...]:
    """168 answer chances from weekday and weekend [from_hour, chance] steps."""
    parts = read.mapping(field, raw, ("weekday", "weekend"))
    day = {name: _steps(f"{field}.{name}", parts[name]) for name in ("weekday", "weekend")}
    return tuple(day["weekday"] * 5 + day["weekend"] * 2)


def _steps(field: str, raw: object) -> list[float]:
    hours = [0.0] * 24
    steps = read.items(field, raw)
    last = -1
    for i, step in enumerate(steps):
        if not isinstance(step, list) or len(step) != 2:
            raise ValidationError(f"{field}[{i}]", "must be [from_hour, probability]")
        hour = read.whole(f"{field}[{i}][0]", step[0], low=0, high=23)
        if i == 0 and hour != 0:
            raise ValidationError(f"{field}[0][0]", "the first step must start at hour 0")
        if hour <= last:
            raise ValidationError(f"{field}[{i}][0]", "hours must increase")
        last = hour
        chance = read.probability(f"{field}[{i}][1]", step[1])
        for h in range(hour, 24):
            hours[h] = chance
    return hours


_SEGMENT_KEYS = (
    "share", "product_kind", "income", "balance", "due_percent", "ability", "willingness",
    "pay_percents", "contactability", "reachable", "zones", "hawkes", "shocks", "treatment",
    "promises", "plans",
)  # fmt: skip


def _segment(name: str, raw: object, currency: str) -> Segment:
    with read.within(f"segments.{name}"):
        s = read.mapping("", raw, _SEGMENT_KEYS)
        kind = s["product_kind"]
        if kind not in ("card", "loan"):
            raise ValidationError("product_kind", "must be card or loan")
        income = read.mapping("income", s["income"], ("median", "sigma"))
        balance = read.mapping("balance", s["balance"], ("median", "sigma"))
        promises = read.mapping("promises", s["promises"], ("make", "keep", "days_to_pay"))
        plans_keys = ("uptake_affordable", "uptake_unaffordable", "keep_monthly")
        plans = read.mapping("plans", s["plans"], plans_keys)
        return Segment(
            name=name,
            share=read.probability("share", s["share"]),
            product_kind=str(kind),
            income_median_minor=read.amount_minor("income.median", income["median"], currency),
            income_sigma=read.number("income.sigma", income["sigma"], low=0.0, high=3.0),
            balance_median_minor=read.amount_minor("balance.median", balance["median"], currency),
            balance_sigma=read.number("balance.sigma", balance["sigma"], low=0.0, high=3.0),
            due_percent=read.whole("due_percent", s["due_percent"], low=1, high=100),
            ability=_beta("ability", s["ability"]),
            willingness=_beta("willingness", s["willingness"]),
            pay_percents=_weighted("pay_percents", s["pay_percents"], low=1, high=1000),
            contactability=read.number("contactability", s["contactability"], low=0, high=1),
            reachable=_per_channel("reachable", s["reachable"]),
            zones=_weighted("zones", s["zones"], low=-12, high=14),
            hawkes=_hawkes(s["hawkes"]),
            shocks=_shocks(s["shocks"]),
            treatment=_treatment(s["treatment"]),
            promise_make=read.probability("promises.make", promises["make"]),
            promise_keep=read.probability("promises.keep", promises["keep"]),
            promise_days=read.whole(
                "promises.days_to_pay", promises["days_to_pay"], low=0, high=60
            ),
            plan_uptake_affordable=read.probability(
                "plans.uptake_affordable", plans["uptake_affordable"]
            ),
            plan_uptake_unaffordable=read.probability(
                "plans.uptake_unaffordable", plans["uptake_unaffordable"]
            ),
            plan_keep_monthly=read.probability("plans.keep_monthly", plans["keep_monthly"]),
        )


def _beta(field: str, raw: object) -> tuple[float, float]:
    parts = read.mapping(field, raw, ("a", "b"))
    return read.positive(f"{field}.a", parts["a"]), read.positive(f"{field}.b", parts["b"])


def _per_channel(field: str, raw: object, *, high: float = 1.0) -> Mapping[str, float]:
    parts = read.mapping(field, raw, CHANNELS)
    return {c: read.number(f"{field}.{c}", parts[c], low=0.0, high=high) for c in CHANNELS}


def _weighted(field: str, raw: object, *, low: int, high: int) -> tuple[tuple[int, float], ...]:
    """[[value, weight], …] with whole values and weights adding up to 1."""
    pairs = []
    for i, pair in enumerate(read.items(field, raw)):
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValidationError(f"{field}[{i}]", "must be [value, weight]")
        value = read.whole(f"{field}[{i}][0]", pair[0], low=low, high=high)
        pairs.append((value, read.probability(f"{field}[{i}][1]", pair[1])))
    total = sum(w for _, w in pairs)
    if abs(total - 1.0) > 1e-9:
        raise ValidationError(field, f"weights must add up to 1, got {total:g}")
    return tuple(pairs)


def _hawkes(raw: object) -> Hawkes:
    with read.within("hawkes"):
        h = read.mapping("", raw, ("mu", "alpha_pay", "beta", "alpha_contact"))
        hawkes = Hawkes(
            mu=read.positive("mu", h["mu"]),
            alpha_pay=read.number("alpha_pay", h["alpha_pay"], low=0.0),
            beta=read.positive("beta", h["beta"]),
            alpha_contact=_per_channel("alpha_contact", h["alpha_contact"], high=10.0),
        )
        if hawkes.branching_ratio >= 1:
            raise ValidationError(
                "alpha_pay",
                f"α_pay/β = {hawkes.branching_ratio:g} must be below 1, or payments would "
                "trigger ever more payments (the process is unstable)",
            )
        return hawkes


def _shocks(raw: object) -> Shocks:
    keys = ("job_loss_monthly", "illness_monthly", "recovery_days_mean", "income_drop", "mu_factor")
    with read.within("shocks"):
        s = read.mapping("", raw, keys)
        return Shocks(
            job_loss_monthly=read.probability("job_loss_monthly", s["job_loss_monthly"]),
            illness_monthly=read.probability("illness_monthly", s["illness_monthly"]),
            recovery_days_mean=read.positive("recovery_days_mean", s["recovery_days_mean"]),
            income_drop=read.probability("income_drop", s["income_drop"]),
            mu_factor=read.number("mu_factor", s["mu_factor"], low=0.0, high=1.0),
        )


def _treatment(raw: object) -> Treatment:
    keys = (
        "effective_contact", "annoyance_per_contact", "annoyance_half_life_days",
        "answer_damping", "complaint", "opt_out",
    )  # fmt: skip
    with read.within("treatment"):
        t = read.mapping("", raw, keys)
        complaint = read.mapping("complaint", t["complaint"], ("intercept", "slope"))
        opt_out = read.mapping("opt_out", t["opt_out"], ("intercept", "slope"))

        def logit(field: str, value: object) -> float:
            return read.number(field, value, low=-50.0, high=50.0)

        return Treatment(
            effective_contact=_per_channel("effective_contact", t["effective_contact"]),
            annoyance_per_contact=_per_channel(
                "annoyance_per_contact", t["annoyance_per_contact"], high=100.0
            ),
            annoyance_half_life_days=read.positive(
                "annoyance_half_life_days", t["annoyance_half_life_days"]
            ),
            answer_damping=read.number("answer_damping", t["answer_damping"], low=0.0, high=10),
            complaint_intercept=logit("complaint.intercept", complaint["intercept"]),
            complaint_slope=read.number("complaint.slope", complaint["slope"], low=0.0, high=50),
            opt_out_intercept=logit("opt_out.intercept", opt_out["intercept"]),
            opt_out_slope=read.number("opt_out.slope", opt_out["slope"], low=0.0, high=50),
        )


def with_segment(params: BehaviourParams, name: str, **changes: object) -> BehaviourParams:
    """A copy with one segment's fields changed (for what-if runs and tests)."""
    segments = tuple(
        dataclasses.replace(s, **changes) if s.name == name else s  # type: ignore[arg-type]
        for s in params.segments
    )
    return dataclasses.replace(params, segments=segments)
