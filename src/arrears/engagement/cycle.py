"""The notices as a step of the daily cycle, registered by `EngagementConfig.ready()`.

Servicing owns the cycle and must not import engagement (layers), so it offers a step registry
(`servicing.services.cycle.register_step`); engagement adds `send_notices` after the servicing
steps. The step is recorded in a `CycleRun` like the others and is idempotent (outbox keys).

A business date more than `ARREARS_NOTICE_CATCH_UP_DAYS` (default 2) before today is recorded
without notices: catching up on old dates (a replay, a long outage) never sends stale reminders.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from arrears.engagement.services.notices import run_notices
from arrears.servicing.services.cycle import register_step
from arrears.servicing.services.cycle.context import CycleContext

STEP_KIND = "send_notices"


def notices_step(ctx: CycleContext) -> dict[str, int]:
    catch_up = int(getattr(settings, "ARREARS_NOTICE_CATCH_UP_DAYS", 2))
    today = timezone.localdate(ctx.clock.now())
    if ctx.day < today - dt.timedelta(days=catch_up):
        return {"too_late": 1}
    return run_notices(day=ctx.day, clock=ctx.clock).counts()


def register_notice_step() -> None:
    register_step(STEP_KIND, notices_step, last=True)
