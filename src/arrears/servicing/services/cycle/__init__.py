"""The daily servicing cycle (日终批处理): statements, instalments, late fees, ageing, charge-off.

`run_cycle(through=...)` runs every date not yet done; `run_business_date(day=...)` runs one.
Operators' guide: docs/cycle.md.
"""

from arrears.servicing.services.cycle.registry import register_step
from arrears.servicing.services.cycle.runner import (
    STEPS,
    DayResult,
    Step,
    StepResult,
    last_completed_date,
    run_business_date,
    run_cycle,
    steps,
)

__all__ = [
    "STEPS",
    "DayResult",
    "Step",
    "StepResult",
    "last_completed_date",
    "register_step",
    "run_business_date",
    "run_cycle",
    "steps",
]
