"""Borrower behaviour for the portfolio simulator (issue 9): pure Python and NumPy.

The simulator's driver (a Django-side task) runs the real nightly cycle, strategies and
compliance gate; this package says how the simulated borrowers respond. docs/simulation.md
has the model and the sources of its parameters.
"""

from arrears.core.sim.behaviour import (
    DayOutcome,
    answer_probability,
    local_hour_of_week,
    simulate_day,
)
from arrears.core.sim.contacts import Contacts
from arrears.core.sim.params import (
    CHANNELS,
    BehaviourParams,
    bundled_behaviour,
    load_behaviour,
    parse_behaviour,
)
from arrears.core.sim.population import BorrowerState, draw_population
from arrears.core.sim.streams import DayStreams

__all__ = [
    "CHANNELS",
    "BehaviourParams",
    "BorrowerState",
    "Contacts",
    "DayOutcome",
    "DayStreams",
    "answer_probability",
    "bundled_behaviour",
    "draw_population",
    "load_behaviour",
    "local_hour_of_week",
    "parse_behaviour",
    "simulate_day",
]
