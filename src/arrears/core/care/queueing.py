"""The inbound line as a queue: Erlang C (nobody hangs up) and Erlang A (callers abandon).

Both models assume Poisson arrivals (`calls_per_hour`), exponential handling times with mean
`aht_seconds` and `agents` identical agents answering first come, first served. Erlang A adds
exponential patience with mean `patience_seconds`: a caller still waiting after that hangs up.

* Erlang C (M/M/n) is computed from the Erlang B recursion, B(k) = aB(k−1) / (k + aB(k−1)),
  which never forms a factorial and is stable for any number of agents.
* Erlang A (M/M/n+M) is computed from its birth–death stationary distribution (birth λ,
  death min(k, n)μ + max(k − n, 0)θ), in logarithms and truncated once the tail is below
  e⁻⁵⁰ of the largest term — exact for this model. A caller who finds j callers ahead waits
  through phases at rates nμ + iθ (i = j … 0) while their own patience runs at θ; the chance to
  be answered within t is found by uniformisation of that small chain, and the mean wait of
  answered callers from its Laplace transform. Abandonment is θ·E[queue]/λ (Little's law).

The service level is the share of *all* callers answered within the target time: a caller
who hangs up counts as not answered, however quickly. Floats are fine here (this is not money).
The figures were checked against exact fractions, textbook values and a discrete-event
simulation (`core.care.simulation`; docs/BENCHMARKS.md, "Care desk queueing").
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from arrears.core.errors import ValidationError

SECONDS_PER_HOUR = 3600.0
#: States are kept until the tail is this far (in natural log) below the largest term.
_TAIL_LOG = 50.0
_TARGET = re.compile(r"\s*(\d+(?:\.\d+)?)\s*%?\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*")
_MAX_AGENTS = 100_000


class QueueModel(StrEnum):
    ERLANG_C = "erlang_c"
    ERLANG_A = "erlang_a"


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """`percent` of callers answered within `within_seconds`, e.g. 80/20."""

    percent: float
    within_seconds: float

    @classmethod
    def parse(cls, field: str, text: str) -> ServiceTarget:
        """Read "80/20" (80 % answered within 20 s); "80%/20s" also works."""
        match = _TARGET.fullmatch(text)
        if not match:
            raise ValidationError(field, f"{text!r} is not a target like 80/20")
        percent, within = float(match[1]), float(match[2])
        if not 0 < percent < 100:
            raise ValidationError(field, "the percent must be between 0 and 100")
        return cls(percent, within)

    def __str__(self) -> str:
        return f"{self.percent:g}/{self.within_seconds:g}"


@dataclass(frozen=True, slots=True)
class LineFigures:
    """What callers on the line experience, on average, in the long run.

    `mean_wait_seconds` is over all callers (those who hang up count the time they waited);
    `mean_answer_wait_seconds` over answered callers (the ASA). An overloaded Erlang C line
    (load ≥ agents) never settles: its waits are infinite and `stable` is False.
    """

    model: QueueModel
    agents: int
    load_erlangs: float
    p_wait: float
    p_abandon: float
    mean_wait_seconds: float
    mean_answer_wait_seconds: float
    service_level: float
    answer_within_seconds: float
    occupancy: float
    stable: bool


# --- Erlang B and C --------------------------------------------------------------------------


def erlang_b(load: float, agents: int) -> float:
    """The chance an arriving call finds every agent busy in a loss system (no queue)."""
    _check_load(load, agents)
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(load: float, agents: int) -> float:
    """The chance a caller has to wait (Erlang C); 1 when the load is at or over capacity."""
    _check_load(load, agents)
    if load >= agents:
        return 1.0
    blocking = erlang_b(load, agents)
    return agents * blocking / (agents - load * (1.0 - blocking))


def erlang_c_figures(
    *, calls_per_hour: float, aht_seconds: float, agents: int, answer_within_seconds: float = 20
) -> LineFigures:
    """Erlang C: chance to wait, mean wait, service level and occupancy; nobody hangs up."""
    load = offered_load(calls_per_hour, aht_seconds)
    _check_load(load, agents)
    _check_nonnegative("answer_within_seconds", answer_within_seconds)
    if load >= agents:
        return LineFigures(QueueModel.ERLANG_C, agents, load, 1.0, 0.0, math.inf, math.inf, 0.0,
                           answer_within_seconds, 1.0, False)  # fmt: skip
    p_wait = erlang_c(load, agents)
    mean_wait = p_wait * aht_seconds / (agents - load)
    decay = math.exp(-(agents - load) * answer_within_seconds / aht_seconds)
    return LineFigures(
        model=QueueModel.ERLANG_C,
        agents=agents,
        load_erlangs=load,
        p_wait=p_wait,
        p_abandon=0.0,
        mean_wait_seconds=mean_wait,
        mean_answer_wait_seconds=mean_wait,
        service_level=1.0 - p_wait * decay,
        answer_within_seconds=answer_within_seconds,
        occupancy=load / agents,
        stable=True,
    )


# --- Erlang A --------------------------------------------------------------------------------


def erlang_a_figures(
    *,
    calls_per_hour: float,
    aht_seconds: float,
    agents: int,
    patience_seconds: float,
    answer_within_seconds: float = 20,
) -> LineFigures:
    """Erlang A (M/M/n+M): chance to wait, abandonment, waits, service level, occupancy."""
    load = offered_load(calls_per_hour, aht_seconds)
    _check_load(load, agents)
    _check_positive("patience_seconds", patience_seconds)
    _check_nonnegative("answer_within_seconds", answer_within_seconds)
    arrival = calls_per_hour / SECONDS_PER_HOUR
    service = 1.0 / aht_seconds
    patience = 1.0 / patience_seconds
    if arrival == 0:
        return LineFigures(QueueModel.ERLANG_A, agents, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0,
                           answer_within_seconds, 0.0, True)  # fmt: skip
    states = _stationary(arrival, service, patience, agents)
    waiting = states[agents:]  # an arrival finding j = 0, 1, … callers ahead of it
    p_wait = float(waiting.sum())
    ahead = np.arange(waiting.size, dtype=np.float64)
    mean_queue = float((ahead * waiting).sum())
    p_abandon = patience * mean_queue / arrival
    # Phase i (i callers ahead) ends at rate r_i = nμ + iθ; the caller's own patience at θ.
    rates = agents * service + ahead * patience
    survive = np.cumprod(rates / (rates + patience))  # P(answered | j ahead)
    answered_wait = survive * np.cumsum(1.0 / (rates + patience))  # E[wait; answered | j]
    p_answered = 1.0 - p_abandon
    mean_answer_wait = float((waiting * answered_wait).sum()) / p_answered if p_answered else 0.0
    within = _answered_within(rates, patience, answer_within_seconds)
    return LineFigures(
        model=QueueModel.ERLANG_A,
        agents=agents,
        load_erlangs=load,
        p_wait=p_wait,
        p_abandon=p_abandon,
        mean_wait_seconds=mean_queue / arrival,
        mean_answer_wait_seconds=mean_answer_wait,
        service_level=(1.0 - p_wait) + float((waiting * within).sum()),
        answer_within_seconds=answer_within_seconds,
        occupancy=load * p_answered / agents,
        stable=True,
    )


def _stationary(
    arrival: float, service: float, patience: float, agents: int
) -> np.ndarray[tuple[int], np.dtype[np.float64]]:
    """π_k for k = 0 … K callers in the system, K far enough that the tail is negligible."""
    logs = [0.0]
    k = 0
    peak = 0.0
    while True:
        k += 1
        death = min(k, agents) * service + max(k - agents, 0) * patience
        logs.append(logs[-1] + math.log(arrival) - math.log(death))
        peak = max(peak, logs[-1])
        past_mode = k > agents and death > arrival
        if past_mode and logs[-1] < peak - _TAIL_LOG:
            break
    values = np.exp(np.asarray(logs) - peak)
    result: np.ndarray[tuple[int], np.dtype[np.float64]] = values / values.sum()
    return result


def _answered_within(
    rates: np.ndarray[tuple[int], np.dtype[np.float64]], patience: float, seconds: float
) -> np.ndarray[tuple[int], np.dtype[np.float64]]:
    """P(answered within `seconds` | j ahead) for every j, by uniformisation.

    State i = callers ahead; from i the caller moves to i − 1 (or to an agent from 0) at rate
    r_i and hangs up at rate θ. Steps of the uniformised chain are Poisson(Λt); the truncation
    keeps all but e⁻³⁰ of their mass.
    """
    if seconds == 0:
        return np.zeros_like(rates)
    uniform = float(rates[-1]) + patience
    mean_steps = uniform * seconds
    move = rates / uniform
    stay = 1.0 - (rates + patience) / uniform
    answered = np.zeros_like(rates)  # P(answered within m steps | i)
    total = np.zeros_like(rates)
    last = int(mean_steps + 10.0 * math.sqrt(mean_steps) + 30.0)
    log_weight = -mean_steps  # log Poisson(0; Λt)
    for step in range(last + 1):
        if step:
            shifted = np.concatenate(([1.0], answered[:-1]))
            answered = move * shifted + stay * answered
            log_weight += math.log(mean_steps) - math.log(step)
        total += math.exp(log_weight) * answered
    result: np.ndarray[tuple[int], np.dtype[np.float64]] = np.minimum(total, 1.0)
    return result


# --- one entry point, staffing and place in line ---------------------------------------------


def line_figures(
    *,
    calls_per_hour: float,
    aht_seconds: float,
    agents: int,
    patience_seconds: float | None = None,
    answer_within_seconds: float = 20,
) -> LineFigures:
    """Erlang A when a mean patience is given, Erlang C otherwise."""
    if patience_seconds is None:
        return erlang_c_figures(
            calls_per_hour=calls_per_hour,
            aht_seconds=aht_seconds,
            agents=agents,
            answer_within_seconds=answer_within_seconds,
        )
    return erlang_a_figures(
        calls_per_hour=calls_per_hour,
        aht_seconds=aht_seconds,
        agents=agents,
        patience_seconds=patience_seconds,
        answer_within_seconds=answer_within_seconds,
    )


def agents_needed(
    *,
    calls_per_hour: float,
    aht_seconds: float,
    target: ServiceTarget,
    patience_seconds: float | None = None,
    max_occupancy: float | None = None,
    max_abandon: float | None = None,
) -> int:
    """The fewest agents whose service level meets `target` (and the optional caps).

    Service level, occupancy and abandonment all improve with every agent added, so a
    bisection between a lower bound and a doubling upper bound finds the first that meets all.
    """
    load = offered_load(calls_per_hour, aht_seconds)
    if load == 0:
        return 0

    def meets(agents: int) -> bool:
        figures = line_figures(calls_per_hour=calls_per_hour, aht_seconds=aht_seconds,
                               agents=agents, patience_seconds=patience_seconds,
                               answer_within_seconds=target.within_seconds)  # fmt: skip
        return (
            figures.stable
            and figures.service_level * 100 >= target.percent
            and (max_occupancy is None or figures.occupancy <= max_occupancy)
            and (max_abandon is None or figures.p_abandon <= max_abandon)
        )

    low = 1 if patience_seconds is not None else max(1, math.floor(load) + 1)
    if meets(low):
        return low
    high = max(low + 1, math.ceil(load) + 1)
    while not meets(high):
        low, high = high, high * 2
        if high > _MAX_AGENTS:
            raise ValidationError("target", f"needs more than {_MAX_AGENTS} agents")
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if meets(middle) else (middle, high)
    return high


def expected_wait_in_line(
    ahead: int, *, agents: int, aht_seconds: float, patience_seconds: float | None = None
) -> float:
    """Seconds until a caller with `ahead` callers in front reaches an agent, on average.

    With every agent busy, each place moves up when any agent frees (rate n/aht) or, with
    abandonment, when someone ahead hangs up (rate i/patience while i are ahead).
    """
    if ahead < 0:
        raise ValidationError("ahead", "must not be negative")
    _check_positive("aht_seconds", aht_seconds)
    if agents < 1:
        raise ValidationError("agents", "must be at least 1")
    patience = 0.0 if patience_seconds is None else 1.0 / patience_seconds
    return math.fsum(1.0 / (agents / aht_seconds + i * patience) for i in range(ahead + 1))


def offered_load(calls_per_hour: float, aht_seconds: float) -> float:
    """The traffic in erlangs: calls per second × seconds each takes."""
    _check_nonnegative("calls_per_hour", calls_per_hour)
    _check_positive("aht_seconds", aht_seconds)
    return calls_per_hour / SECONDS_PER_HOUR * aht_seconds


# --- wait bands ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WaitBand:
    """A band announced instead of an exact wait: up to `below_seconds` (None: open-ended)."""

    key: str
    below_seconds: float | None


DEFAULT_WAIT_BANDS: tuple[WaitBand, ...] = (
    WaitBand("wait.under_2_minutes", 120),
    WaitBand("wait.2_to_5_minutes", 300),
    WaitBand("wait.5_to_10_minutes", 600),
    WaitBand("wait.over_10_minutes", None),
)


def wait_band(seconds: float, bands: Sequence[WaitBand] = DEFAULT_WAIT_BANDS) -> WaitBand:
    """The first band whose upper bound is above the wait (labels in `core.care.labels`)."""
    _check_nonnegative("seconds", seconds)
    for band in bands:
        if band.below_seconds is None or seconds < band.below_seconds:
            return band
    raise ValidationError("bands", "the last band must be open-ended (below_seconds=None)")


# --- checks ----------------------------------------------------------------------------------


def _check_load(load: float, agents: int) -> None:
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 1:
        raise ValidationError("agents", "must be a whole number, at least 1")
    _check_nonnegative("load", load)


def _check_positive(field: str, value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        raise ValidationError(field, f"must be more than zero, got {value}")


def _check_nonnegative(field: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise ValidationError(field, f"must be zero or more, got {value}")
