"""The vectorised gate over 1,000,000 proposed contacts against 5,000,000 log rows, beside a loop
over the scalar gate on a sample of the same rows, and the online single decision.

Prints figures and asserts nothing (figures go to docs/BENCHMARKS.md). Run from the checkout:

    .venv/bin/python benchmarks/gate_batch_bench.py              # 1M × 5M, scalar sample 20,000
    .venv/bin/python benchmarks/gate_batch_bench.py --text       # text columns, not Enums
    .venv/bin/python benchmarks/gate_batch_bench.py --proposals 100000 --history 500000

The portfolio (seeded): parties in CN 40 %, US 35 %, UK 15 %, IE 10 %, each with the bundled
house rules; proposals for the next four local days, mostly in office hours, 60 % calls, 25 %
texts, 10 % e-mails; a few percent with holds, opt-outs, stated times, workplace numbers,
automated calls with or without consent; a 30-day log (one row per attempt and debt) in which
one party in twenty is called far more often, mostly in the last days (so Reg F, China's caps
and the house caps bite). Code columns are Enums, as a cycle reading codes builds them
(`--text`: plain text, which the gate converts). The vectorised gate is timed on its own (best
of `--repeat`, wall and CPU); the scalar sample is put to `decide` one request at a time with
the log of the sample's people and numbers (building that log is not timed), and its decisions
are checked against the batch's for the same rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

from arrears.core.compliance import (
    ContactHistory,
    apply_house_rules,
    bundled_house_rules,
    bundled_profile,
    decide,
)
from arrears.core.compliance.vectorised import decide_batch, hold_struct
from arrears.core.compliance.vectorised.convert import attempts_of, request_of
from arrears.core.compliance.vectorised.params import CHANNEL, DIRECTION, OUTCOME, PURPOSE, ROLE

UTC = dt.UTC
NOW = dt.datetime(2025, 6, 11, 16, 0, tzinfo=UTC)  # a Wednesday; the cycle plans the next days
CODES = ("CN", "US", "UK", "IE")
CODE_SHARE = (0.40, 0.35, 0.15, 0.10)
#: Zone sets per jurisdiction, with their June UTC offset (hours) for placing local times.
ZONE_SETS = {
    "CN": [(["Asia/Shanghai"], 8)],
    "US": [
        (["America/New_York"], -4),
        (["America/Chicago"], -5),
        (["America/Denver"], -6),
        (["America/Los_Angeles"], -7),
        (["America/Boise", "America/Los_Angeles"], -6),
        (["America/New_York", "America/Chicago"], -4),
    ],
    "UK": [(["Europe/London"], 1)],
    "IE": [(["Europe/Dublin"], 1)],
}
US_ZONE_SHARE = (0.40, 0.22, 0.08, 0.18, 0.04, 0.08)
PHONE_PREFIX = {"CN": "+86", "US": "+1", "UK": "+44", "IE": "+353"}
CHANNELS = ("call", "sms", "email", "in_app", "letter")
CHANNEL_SHARE = (0.60, 0.25, 0.10, 0.03, 0.02)
PURPOSES = ("collection", "servicing", "transactional", "location")
PURPOSE_SHARE = (0.82, 0.12, 0.04, 0.02)
ROLES = ("debtor", "guarantor", "contact_person", "third_party")
ROLE_SHARE = (0.96, 0.02, 0.015, 0.005)
CALL_OUTCOMES = ("no_answer", "failed", "voicemail", "connected", "conversation", "refused")
CALL_OUTCOME_SHARE = (0.45, 0.10, 0.10, 0.15, 0.15, 0.05)
MESSAGE_OUTCOMES = ("sent", "delivered", "bounced")
MESSAGE_OUTCOME_SHARE = (0.3, 0.65, 0.05)


def _hold_templates() -> pl.Series:
    def hold(kind: str, start: dt.date, **more: object) -> dict[str, object]:
        base: dict[str, object] = {
            "kind": kind,
            "start_on": start,
            "end_on": None,
            "review_on": None,
            "set_by": "agent",
            "debt_ids": [],
            "petition_on": None,
            "prior_dismissals_12m": 0,
            "discharged_on": None,
            "breathing_space": None,
        }
        base.update(more)
        return base

    templates = [
        [],
        [hold("dispute", dt.date(2025, 6, 1))],
        [hold("cease_communication", dt.date(2025, 5, 1))],
        [hold("bankruptcy", dt.date(2025, 5, 20), prior_dismissals_12m=1)],
        [hold("breathing_space", dt.date(2025, 5, 20), breathing_space="standard")],
        [hold("servicemember", dt.date(2024, 1, 1))],
        [hold("attorney", dt.date(2025, 6, 1), end_on=dt.date(2025, 6, 12))],
        [hold("deceased", dt.date(2025, 3, 1))],
    ]
    return pl.Series("holds", templates, dtype=pl.List(hold_struct(pl.Int64)))


def _time_templates(kind: str) -> pl.Series:
    def span(start: int, end: int, weekdays: int = 0b111_1111) -> dict[str, object]:
        return {"start": dt.time(start), "end": dt.time(end), "weekdays": weekdays}

    if kind == "inconvenient":
        templates = [[], [span(12, 14, 0b001_1111)], [span(18, 21)], [span(8, 10), span(17, 19)]]
    else:
        templates = [[], [span(7, 9)], [span(21, 23, 0b110_0000)]]
    struct = pl.Struct({"start": pl.Time, "end": pl.Time, "weekdays": pl.UInt8})
    return pl.Series(kind, templates, dtype=pl.List(struct))


def _pick(rng: np.random.Generator, n: int, share: tuple[float, ...]) -> np.ndarray:
    return rng.choice(len(share), size=n, p=np.array(share) / sum(share))


def portfolio(n: int, m: int, seed: int = 20250611) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(proposals, history): `n` proposed contacts and `m` log rows (one per attempt and debt)."""
    rng = np.random.default_rng(seed)
    n_parties = max(10, int(n * 0.8))
    party_code = _pick(rng, n_parties, CODE_SHARE)  # each party's jurisdiction
    party_zone = np.where(
        party_code == 1, _pick(rng, n_parties, US_ZONE_SHARE), 0
    )  # index into ZONE_SETS[code]
    hot = rng.random(n_parties) < 0.05

    # --- proposals ---
    party = rng.integers(0, n_parties, n)
    code = party_code[party]
    zone_idx = party_zone[party]
    offset_h = np.array(
        [[ZONE_SETS[c][min(z, len(ZONE_SETS[c]) - 1)][1] for z in range(6)] for c in CODES]
    )[code, zone_idx]
    day = rng.choice(4, size=n, p=[0.40, 0.30, 0.25, 0.05])
    office = rng.random(n) < 0.85
    minute = np.where(office, rng.integers(9 * 60, 20 * 60, n), rng.integers(0, 24 * 60, n))
    local_midnight = dt.datetime(2025, 6, 12, tzinfo=UTC).timestamp()
    at_s = local_midnight + day * 86_400 + minute * 60 - offset_h * 3600
    at_s = np.maximum(at_s, NOW.timestamp())
    channel = _pick(rng, n, CHANNEL_SHARE)
    is_call = channel == 0
    us_call = is_call & (code == 1)
    two_debts = rng.random(n) < 0.15
    zone_lists = pl.Series(
        [ZONE_SETS[c][z][0] for c in CODES for z in range(6) if z < len(ZONE_SETS[c])]
    )
    zone_base = np.cumsum([0] + [len(ZONE_SETS[c]) for c in CODES])[:-1]
    role = _pick(rng, n, ROLE_SHARE)
    holds = _hold_templates()
    hold_pick = np.where(rng.random(n) < 0.015, rng.integers(1, len(holds), n), 0)
    autodialled = us_call & (rng.random(n) < 0.30)
    consented = rng.random(n) < 0.90
    proposals = pl.DataFrame(
        {
            "request_id": np.arange(n, dtype=np.int64),
            "profile_code": np.array(CODES)[code],
            "party_id": party.astype(np.int64),
            "role": np.array(ROLES)[role],
            "channel": np.array(CHANNELS)[channel],
            "purpose": np.array(PURPOSES)[_pick(rng, n, PURPOSE_SHARE)],
            "at": (at_s * 1_000_000).astype(np.int64),
            "_zone": (zone_base[code] + zone_idx).astype(np.int64),
            "_second_debt": two_debts,
            "_hold": hold_pick,
            "_itimes": np.where(rng.random(n) < 0.02, rng.integers(1, 4, n), 0),
            "_atimes": np.where(rng.random(n) < 0.01, rng.integers(1, 3, n), 0),
            "is_workplace": rng.random(n) < 0.05,
            "workplace_consent": rng.random(n) < 0.5,
            "no_workplace_contact": rng.random(n) < 0.03,
            "autodialled": autodialled,
            "_consent": autodialled & consented,
            "_revoked": autodialled & (rng.random(n) < 0.02),
            "opt_out_here": (~is_call) & (rng.random(n) < 0.01),
            "opt_out_channel": (~is_call) & (rng.random(n) < 0.015),
            "debtor_unreachable": rng.random(n) < 0.2,
            "_direct": us_call & (rng.random(n) < 0.01),
        }
    )
    prefix = pl.col("profile_code").replace_strict(PHONE_PREFIX)
    proposals = proposals.with_columns(
        pl.col("at").cast(pl.Datetime("us", "UTC")),
        pl.when(pl.col("channel").is_in(["call", "sms"]))
        .then(pl.format("{}{}", prefix, (pl.col("party_id") + 200_000_000).cast(pl.String)))
        .otherwise(pl.format("{}@mail.example", pl.col("party_id")))
        .alias("address"),
        pl.when(pl.col("_second_debt"))
        .then(pl.concat_list(pl.col("party_id") * 2, pl.col("party_id") * 2 + 1))
        .otherwise(pl.concat_list(pl.col("party_id") * 2))
        .alias("debt_ids"),
        pl.lit(zone_lists).gather(pl.col("_zone")).alias("zones"),
        pl.lit(holds).gather(pl.col("_hold")).alias("holds"),
        pl.lit(_time_templates("inconvenient"))
        .gather(pl.col("_itimes"))
        .alias("inconvenient_times"),
        pl.lit(_time_templates("agreed")).gather(pl.col("_atimes")).alias("agreed_times"),
        pl.when(pl.col("_consent"))
        .then(pl.lit(dt.datetime(2024, 1, 1, tzinfo=UTC)))
        .alias("consent_given_at"),
        pl.when(pl.col("_revoked"))
        .then(pl.lit(dt.datetime(2025, 6, 1, tzinfo=UTC)))
        .alias("consent_revoked_at"),
        pl.when(pl.col("_direct"))
        .then(pl.lit(NOW - dt.timedelta(days=2)))
        .alias("direct_consent_at"),
    ).drop(pl.selectors.starts_with("_"))

    # --- the log: attempts over the last 30 days, hot parties called far more, recently ---
    attempts = int(m / 1.15)
    a_party = np.where(
        rng.random(attempts) < 0.30,
        rng.choice(np.flatnonzero(hot), attempts),
        rng.integers(0, n_parties, attempts),
    )
    a_hot = hot[a_party]
    age_s = np.where(
        a_hot, rng.exponential(4 * 86_400, attempts), rng.uniform(0, 30 * 86_400, attempts)
    )
    age_s = np.minimum(age_s, 30 * 86_400)
    a_channel = _pick(rng, attempts, (0.7, 0.2, 0.1))
    a_code = party_code[a_party]
    outcome = np.where(
        a_channel == 0,
        np.array(CALL_OUTCOMES)[_pick(rng, attempts, CALL_OUTCOME_SHARE)],
        np.array(MESSAGE_OUTCOMES)[_pick(rng, attempts, MESSAGE_OUTCOME_SHARE)],
    )
    log = pl.DataFrame(
        {
            "attempt_id": np.arange(attempts, dtype=np.int64),
            "party_id": a_party.astype(np.int64),
            "profile_code": np.array(CODES)[a_code],
            "channel": np.array(CHANNELS)[a_channel],
            "at": ((NOW.timestamp() - age_s) * 1_000_000).astype(np.int64),
            "outcome": outcome,
            "direction": np.where(rng.random(attempts) < 0.03, "inbound", "outbound"),
            "direct_consent": rng.random(attempts) < 0.01,
            "artificial_voice": (a_code == 0) & (rng.random(attempts) < 0.2),
            "by": np.where(rng.random(attempts) < 0.4, "agency-1", "lender"),
            "purpose": np.where(rng.random(attempts) < 0.03, "transactional", "collection"),
            "_debts": np.where(rng.random(attempts) < 0.15, 2, 1),
            "_second_number": rng.random(attempts) < 0.1,
        }
    )
    prefix = pl.col("profile_code").replace_strict(PHONE_PREFIX)
    number = pl.col("party_id") + 200_000_000 + pl.col("_second_number").cast(pl.Int64) * 10**8
    log = (
        log.with_columns(
            pl.col("at").cast(pl.Datetime("us", "UTC")),
            pl.when(pl.col("channel").is_in(["call", "sms"]))
            .then(pl.format("{}{}", prefix, number.cast(pl.String)))
            .otherwise(pl.format("{}@mail.example", pl.col("party_id")))
            .alias("address"),
            pl.int_ranges(0, pl.col("_debts")).alias("_j"),
        )
        .explode("_j", empty_as_null=False, keep_nulls=False)
        .with_columns((pl.col("party_id") * 2 + pl.col("_j")).alias("debt_id"))
        .drop("_j", "_debts", "_second_number", "profile_code")
    )
    return proposals, log


def as_enums(proposals: pl.DataFrame, history: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The frames with Enum columns where the gate takes codes, as a cycle reading codes from
    the database builds them (text columns work too: the gate converts them)."""
    zones = sorted(set(proposals.get_column("zones").explode().unique().to_list()))
    return (
        proposals.with_columns(
            pl.col("profile_code").cast(pl.Enum(sorted(CODES))),
            pl.col("channel").cast(CHANNEL),
            pl.col("purpose").cast(PURPOSE),
            pl.col("role").cast(ROLE),
            pl.col("zones").cast(pl.List(pl.Enum([*zones, "UTC"]))),
        ),
        history.with_columns(
            pl.col("channel").cast(CHANNEL),
            pl.col("outcome").cast(OUTCOME),
            pl.col("direction").cast(DIRECTION),
            pl.col("purpose").cast(PURPOSE),
        ),
    )


def profiles() -> dict[str, object]:
    house = bundled_house_rules()
    return {code: apply_house_rules(bundled_profile(code), house) for code in CODES}


def batch_run(
    proposals: pl.DataFrame, history: pl.DataFrame, profs: dict
) -> tuple[float, float, pl.DataFrame]:
    """(wall seconds, CPU seconds of the process, decisions) of one batch."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = decide_batch(proposals, history, profs, now=NOW)
    return time.perf_counter() - t0, time.process_time() - c0, out


def scalar_sample(
    proposals: pl.DataFrame, history: pl.DataFrame, profs: dict, sample: int
) -> tuple[float, list]:
    rows = proposals.head(sample)
    parties = rows.get_column("party_id").unique()
    addresses = rows.get_column("address").unique()
    relevant = history.filter(
        pl.col("party_id").is_in(parties.implode()) | pl.col("address").is_in(addresses.implode())
    )
    log = ContactHistory(tuple(attempts_of(relevant)))
    requests = [request_of(row) for row in rows.iter_rows(named=True)]
    t0 = time.perf_counter()
    decisions = [decide(r, log, profs[r.profile_code], now=NOW) for r in requests]
    return time.perf_counter() - t0, decisions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=1_000_000)
    parser.add_argument("--history", type=int, default=5_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-online", action="store_true")
    parser.add_argument("--text", action="store_true", help="text columns instead of Enums")
    args = parser.parse_args()

    print(f"polars {pl.__version__}, threads {pl.thread_pool_size()}, cpus {os.cpu_count()}")
    t0 = time.perf_counter()
    proposals, history = portfolio(args.proposals, args.history)
    print(
        f"generated {proposals.height:,} proposals and {history.height:,} log rows"
        f" in {time.perf_counter() - t0:.1f} s"
    )
    profs = profiles()
    if not args.text:
        proposals, history = as_enums(proposals, history)
    kind = "text columns" if args.text else "Enum columns"
    batch_run(proposals.head(1000), history.head(10_000), profs)  # warm the zone tables
    runs = [batch_run(proposals, history, profs) for _ in range(args.repeat)]
    best, cpu, out = min(runs, key=lambda run: run[0])
    rate = proposals.height / best
    allowed = out.get_column("allowed")
    later = (~allowed & out.get_column("next_permitted_at").is_not_null()).mean()
    print(
        f"vectorised ({kind}): {proposals.height:,} decisions in {best:.2f} s wall"
        f" ({cpu:.2f} s CPU; runs {', '.join(f'{r[0]:.2f}' for r in runs)} s)"
        f" = {rate:,.0f} decisions/s; allowed {allowed.mean():.1%},"
        f" refused with a next time {later:.1%}"
    )
    seconds, decisions = scalar_sample(proposals, history, profs, args.sample)
    scalar_rate = len(decisions) / seconds
    print(
        f"scalar loop: {len(decisions):,} decisions in {seconds:.2f} s = {scalar_rate:,.0f}"
        f" decisions/s (1,000,000 would take {1_000_000 / scalar_rate:,.0f} s)"
    )
    print(f"ratio vectorised / scalar: {rate / scalar_rate:,.1f}x")
    same = 0
    sample = out.head(len(decisions)).iter_rows(named=True)
    for decision, row in zip(decisions, sample, strict=True):
        same += (
            decision.allowed == row["allowed"]
            and [r.rule_id for r in decision.denials] == list(row["denied_rule_ids"])
            and decision.next_permitted_at == row["next_permitted_at"]
        )
    print(f"sample agreement: {same:,} of {len(decisions):,} rows identical")
    if not args.no_online:
        sys.path.insert(0, str(Path(__file__).parent))
        from gate_online_bench import measure

        print("online single decision (benchmarks/gate_online_bench.py):")
        measure(
            "US call, Idaho number + NY address", "US", "+12085550100", ("America/New_York",), 200
        )
        measure("CN call", "CN", "+8613800138000", ("Asia/Shanghai",), 200)
        measure("IE call (s.46 + EU window)", "IE", "+353871234567", ("Europe/Dublin",), 200)


if __name__ == "__main__":
    main()
