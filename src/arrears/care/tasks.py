"""Background tasks of the care desk (django-tasks; the database backend by default).

`sweep_sla_task` runs the SLA sweep: schedule it every few minutes (a cron line or the
worker's scheduler running `arrears care sla sweep` does the same). It is idempotent: alerts
are unique per ticket, measure, cycle, kind and level, so overlapping runs raise each once.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from arrears.care.services.sla import sweep_sla
from arrears.core.clock import SystemClock


@task()
def sweep_sla_task(now: str | None = None) -> dict[str, int]:
    """Sweep the SLA clocks at `now` (an ISO instant; by default the worker's clock)."""
    at = dt.datetime.fromisoformat(now) if now else SystemClock().now()
    return sweep_sla(now=at).as_dict()
