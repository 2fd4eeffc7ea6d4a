"""The simulator's fast engine: the portfolio in memory, the real strategies and gate, vectorised.

`run_lab(LabOptions(...))` → `LabRun` (daily table, accounts, summary). docs/simulation.md,
"The lab engine".
"""

from arrears.core.sim.lab.run import (
    ACCOUNT_SCHEMA,
    DAILY_SCHEMA,
    DEFAULT_START,
    LabOptions,
    LabRun,
    run_lab,
)

__all__ = ["ACCOUNT_SCHEMA", "DAILY_SCHEMA", "DEFAULT_START", "LabOptions", "LabRun", "run_lab"]
