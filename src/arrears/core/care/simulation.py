"""A small discrete-event simulation of the inbound line, to check the Erlang formulas.

Callers arrive at random (Poisson), are answered first come, first served by `agents` agents,
take an exponential handling time and, with a patience, hang up once they have waited that
long. Seeded, so a run is repeatable. Because service is first come, first served, one pass
over callers in arrival order is exact: each caller is offered the earliest moment an agent
frees (a heap of the agents' free times) and hangs up if that is beyond their patience;
callers who hang up never hold an agent.

Independent of `core.care.queueing` on purpose: tests and benchmarks/care_queue_bench.py
compare the two (docs/BENCHMARKS.md, "Care desk queueing").
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass

from arrears.core.errors import ValidationError


@dataclass(frozen=True, slots=True)
class SimulatedLine:
    """Shares and means measured over the callers after the warm-up."""

    callers: int
    p_wait: float
    p_abandon: float
    mean_wait_seconds: float
    mean_answer_wait_seconds: float
    service_level: float
    answer_within_seconds: float
    occupancy: float


def simulate_line(
    *,
    calls_per_hour: float,
    aht_seconds: float,
    agents: int,
    patience_seconds: float | None = None,
    answer_within_seconds: float = 20,
    callers: int = 100_000,
    warm_up: int | None = None,
    seed: int = 0,
) -> SimulatedLine:
    """Simulate `callers` calls; the first `warm_up` (default 20 %) are not measured.

    The line starts empty, and a heavily loaded one takes long to fill: measured too early, the
    waits come out low (5 % was not enough for Erlang C at 95 % utilisation).
    """
    if agents < 1 or callers < 1 or calls_per_hour <= 0 or aht_seconds <= 0:
        raise ValidationError("line", "agents, callers, calls and handling time must be positive")
    rng = random.Random(seed)
    arrival_rate = calls_per_hour / 3600.0
    skip = callers // 5 if warm_up is None else warm_up
    free_at = [0.0] * agents  # when each agent is next free (a heap)
    now = 0.0
    waited = abandoned = within = answered = 0
    wait_total = answered_wait_total = busy = 0.0
    measured_from = 0.0
    for index in range(callers):
        now += rng.expovariate(arrival_rate)
        handling = rng.expovariate(1.0 / aht_seconds)
        patience = math.inf if patience_seconds is None else rng.expovariate(1 / patience_seconds)
        offered = max(0.0, free_at[0] - now)
        if index == skip:
            measured_from = now
        measured = index >= skip
        if offered > patience:
            if measured:
                waited += 1
                abandoned += 1
                wait_total += patience
            continue
        heapq.heapreplace(free_at, now + offered + handling)
        if measured:
            waited += offered > 0
            answered += 1
            within += offered <= answer_within_seconds
            wait_total += offered
            answered_wait_total += offered
            busy += handling
    count = callers - skip
    span = now - measured_from
    return SimulatedLine(
        callers=count,
        p_wait=waited / count,
        p_abandon=abandoned / count,
        mean_wait_seconds=wait_total / count,
        mean_answer_wait_seconds=answered_wait_total / answered if answered else 0.0,
        service_level=within / count,
        answer_within_seconds=answer_within_seconds,
        occupancy=min(1.0, busy / (agents * span)) if span > 0 else 0.0,
    )
