"""The collection night as a step of the daily cycle, registered by `CollectionConfig.ready()`.

Servicing owns the cycle and must not import collection (layers), so collection adds its step
through `servicing.services.cycle.register_step`, after servicing's own steps (ageing and
charge-off have run, so the cases see today's days past due). The step is recorded in a
`CycleRun` like the others; inside it each shard has its own record (`batch.night`).
"""

from __future__ import annotations

from arrears.collection.batch.night import run_collection_night
from arrears.servicing.services.cycle import register_step
from arrears.servicing.services.cycle.context import CycleContext

STEP_KIND = "collection_night"


def collection_step(ctx: CycleContext) -> dict[str, int]:
    return run_collection_night(business_date=ctx.day, clock=ctx.clock).counts


def register_collection_step() -> None:
    register_step(STEP_KIND, collection_step)
