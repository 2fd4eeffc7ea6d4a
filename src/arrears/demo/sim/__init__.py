"""`arrears sim run`: simulated borrowers (`core.sim`) against the real engine. See
docs/simulation.md, "Running a simulation"."""

from arrears.demo.sim.options import SimOptions
from arrears.demo.sim.run import run_simulation

__all__ = ["SimOptions", "run_simulation"]
