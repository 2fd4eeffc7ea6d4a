"""One online decision with the history loaded: median and p99 (prints figures, asserts nothing).

Run: .venv/bin/python benchmarks/gate_online_bench.py
"""

import datetime as dt
import random
import statistics
import time

from arrears.core.compliance import (
    Attempt,
    AttemptOutcome,
    Channel,
    ContactHistory,
    ContactPoint,
    ContactRequest,
    Party,
    Purpose,
    apply_house_rules,
    bundled_house_rules,
    bundled_profile,
    decide,
)

UTC = dt.UTC
NOW = dt.datetime(2025, 6, 11, 16, 0, tzinfo=UTC)


def history(n: int, seed: int = 7) -> ContactHistory:
    rng = random.Random(seed)
    attempts = []
    for _ in range(n):
        attempts.append(
            Attempt(
                at=NOW - dt.timedelta(minutes=rng.randint(1, 90 * 24 * 60)),
                channel=rng.choice([Channel.CALL, Channel.CALL, Channel.SMS, Channel.EMAIL]),
                party_id=rng.choice(["p1", "p1", "p1", "c1"]),
                address=rng.choice(["+12125550100", "+12125550101", "p@x.com"]),
                outcome=rng.choice(
                    [
                        AttemptOutcome.NO_ANSWER,
                        AttemptOutcome.VOICEMAIL,
                        AttemptOutcome.CONNECTED,
                        AttemptOutcome.FAILED,
                    ]
                ),
                debt_ids=frozenset(rng.sample(["d1", "d2", "d3"], rng.randint(1, 2))),
                purpose=Purpose.COLLECTION,
            )
        )
    return ContactHistory(tuple(attempts))


def measure(
    label: str, code: str, number: str, zones: tuple[str, ...], n_history: int, runs: int = 20_000
) -> None:
    profile = apply_house_rules(bundled_profile(code), bundled_house_rules())
    t0 = time.perf_counter_ns()
    hist = history(n_history)
    build_us = (time.perf_counter_ns() - t0) / 1000
    party = Party("p1", home_zones=zones)
    point = ContactPoint(Channel.CALL, number)
    requests = [
        ContactRequest(
            request_id="r",
            profile_code=code,
            party=party,
            contact_point=point,
            purpose=Purpose.COLLECTION,
            at=NOW + dt.timedelta(minutes=i),
            debt_ids=frozenset({"d1", "d2"}),
        )
        for i in range(1440)  # every minute of a day: allowed ones and refused ones with a search
    ]
    for req in requests:
        decide(req, hist, profile, now=NOW)
    samples = []
    allowed = 0
    for i in range(runs):
        req = requests[i % len(requests)]
        t0 = time.perf_counter_ns()
        decision = decide(req, hist, profile, now=NOW)
        samples.append(time.perf_counter_ns() - t0)
        allowed += decision.allowed
    samples.sort()
    print(
        f"{label:<36} history={n_history:<5} allowed={allowed / runs:4.0%} "
        f"median={statistics.median(samples) / 1000:6.1f} µs  "
        f"p99={samples[int(len(samples) * 0.99)] / 1000:6.1f} µs  "
        f"(history build incl. index {build_us:,.0f} µs)"
    )


if __name__ == "__main__":
    measure("US call, Idaho number + NY address", "US", "+12085550100", ("America/New_York",), 200)
    measure("US call, one zone", "US", "+12125550100", ("America/New_York",), 200)
    measure("US call, one zone, 5,000 attempts", "US", "+12125550100", ("America/New_York",), 5000)
    measure("CN call", "CN", "+8613800138000", ("Asia/Shanghai",), 200)
    measure("IE call (s.46 + EU window)", "IE", "+353871234567", ("Europe/Dublin",), 200)
