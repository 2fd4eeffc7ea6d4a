"""The plans' nightly review as a step of the daily cycle, registered by `HardshipConfig.ready()`.

Servicing owns the cycle and must not import hardship (layers), so hardship adds its step through
servicing's registry (`register_step`), as engagement adds its notices. The step runs after
servicing's own steps (the day's payments are posted and the accounts aged), is recorded in a
`CycleRun` like every step, and is idempotent (status tests and keyed reminders).
"""

from __future__ import annotations

from arrears.hardship.services.review import review_plans
from arrears.servicing.services.cycle import register_step
from arrears.servicing.services.cycle.context import CycleContext

STEP_KIND = "review_plans"


def review_step(ctx: CycleContext) -> dict[str, int]:
    return review_plans(on=ctx.day, clock=ctx.clock)


def register_review_step() -> None:
    register_step(STEP_KIND, review_step)
