"""Random streams split by purpose, so one change does not reshuffle every other draw.

Each purpose (incomes, payments, complaints…) gets its own generator, derived from the run's
seed and a fixed purpose number (and, in the day step, the day's number) through NumPy's
`SeedSequence` spawn keys. Adding a draw to the complaints model therefore leaves who pays
unchanged, and day 30 draws the same numbers whatever happened on days 1–29 — which keeps
champion/challenger comparisons paired (common random numbers).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

#: Purpose numbers are part of the reproducibility contract: never renumber, only append.
POPULATION_PURPOSES: Mapping[str, int] = {
    "segment": 1,
    "income": 2,
    "balance": 3,
    "ability": 4,
    "willingness": 5,
    "zone": 6,
    "reachable": 7,
    "pay_percent": 8,
    "lab_missed": 9,  # the lab: days since the first missed instalment
    "lab_audit": 10,  # the lab: which contacts the scalar gate re-checks
}
DAY_PURPOSES: Mapping[str, int] = {
    "shocks": 101,
    "answers": 102,
    "effective": 103,
    "payments": 104,
    "amounts": 105,
    "promises": 106,
    "complaints": 107,
    "opt_outs": 108,
    "plans": 109,
}


def generator(seed: int, purpose: int, *key: int) -> np.random.Generator:
    """The PCG64 generator for one purpose (and day) of the run with this seed."""
    sequence = np.random.SeedSequence(seed, spawn_key=(purpose, *key))
    return np.random.Generator(np.random.PCG64(sequence))


def population_streams(seed: int) -> dict[str, np.random.Generator]:
    return {name: generator(seed, number) for name, number in POPULATION_PURPOSES.items()}


class DayStreams:
    """The run's random streams for simulated days; `for_day(k)` gives day k's generators."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def for_day(self, day_number: int) -> dict[str, np.random.Generator]:
        return {
            name: generator(self.seed, number, day_number) for name, number in DAY_PURPOSES.items()
        }
