"""The daily servicing cycle: each business date's steps, in order, each done once.

Every step of a date is recorded in a `CycleRun` row, unique per (step, date). A finished step is
skipped, so running a date twice changes nothing. Steps write in chunks that commit on their
own (outside a caller's transaction), so a run killed half-way keeps the chunks it finished;
the next run redoes the unfinished step, and every write in it is keyed or checked first
(idempotency keys on postings, unique statements and obligations, status tests), so nothing is
posted twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, Min
from django.utils.translation import gettext as _

from arrears.common.memory import long_lived_frozen
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import Conflict
from arrears.servicing.models import Account, CycleRun
from arrears.servicing.services.cycle.context import CycleContext
from arrears.servicing.services.cycle.delinquency import age_accounts, charge_off_accounts
from arrears.servicing.services.cycle.late_fees import assess_late_fees
from arrears.servicing.services.cycle.loans import close_paid_off_loans, post_loan_instalments
from arrears.servicing.services.cycle.product_changes import (
    apply_product_terms_changes,
    collect_autopay,
)
from arrears.servicing.services.cycle.registry import Step, registered_steps
from arrears.servicing.services.cycle.scheduled_interest import post_scheduled_interest_due
from arrears.servicing.services.cycle.statements import close_card_statements

ONE_DAY = timedelta(days=1)


#: The steps of a business date, in the order they run.
STEPS: tuple[Step, ...] = (
    Step("apply_terms_changes", apply_product_terms_changes),
    Step("close_statements", close_card_statements),
    Step("post_instalments", post_loan_instalments),
    Step("post_scheduled_interest", post_scheduled_interest_due),
    Step("run_autopay", collect_autopay),
    Step("assess_late_fees", assess_late_fees),
    Step("age_accounts", age_accounts),
    Step("charge_off", charge_off_accounts),
    Step("close_paid_off_loans", close_paid_off_loans),
)


def steps() -> tuple[Step, ...]:
    """Every step of a business date in order: servicing's (`STEPS`), then those registered by
    the apps above (`register_step`, e.g. engagement's notices)."""
    return (*STEPS, *registered_steps())


@dataclass(frozen=True)
class StepResult:
    """What one step did on a date; `skipped` when an earlier run had already finished it."""

    kind: str
    counts: Mapping[str, int]
    skipped: bool


@dataclass(frozen=True)
class DayResult:
    """What the cycle did on one business date, step by step."""

    business_date: date
    steps: tuple[StepResult, ...]

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        return {step.kind: dict(step.counts) for step in self.steps}

    @property
    def skipped(self) -> bool:
        """True when every step had already been done for this date."""
        return all(step.skipped for step in self.steps)


def run_cycle(
    *,
    through: date,
    start: date | None = None,
    progress: Callable[[date, dict[str, dict[str, int]]], None] | None = None,
    clock: Clock | None = None,
) -> list[DayResult]:
    """Run every calendar date up to `through`, in order; returns one result per date.

    It starts the day after the last completed date; before any date has run, at `start` or
    else the earliest account's opening date. A `start` after that would skip dates and is
    refused (see `run_business_date`); an earlier one re-visits finished dates, which costs a
    query each and changes nothing. `progress(day, counts)` is called after each date.
    """
    clock = clock or SystemClock()
    day = start or _resume_date()
    results: list[DayResult] = []
    if day is None:
        return results
    while day <= through:
        result = run_business_date(day=day, clock=clock)
        results.append(result)
        if progress is not None:
            progress(day, result.counts)
        day += ONE_DAY
    return results


def run_business_date(*, day: date, clock: Clock | None = None) -> DayResult:
    """Run one business date's steps in order, skipping those already finished for it.

    Refused (Conflict) when an earlier date has not completed yet: a skipped date would leave
    its instalments uncharged and its late fees unassessed.
    """
    clock = clock or SystemClock()
    last = last_completed_date()
    if last is not None and day > last + ONE_DAY:
        raise Conflict(
            _("business date %(day)s cannot run before %(next)s: the cycle last completed %(last)s")
            % {"day": day, "next": last + ONE_DAY, "last": last}
        )
    every = steps()
    runs = {run.kind: run for run in CycleRun.objects.filter(business_date=day)}
    if all(runs.get(step.kind) and runs[step.kind].finished_at for step in every):
        return DayResult(day, tuple(StepResult(s.kind, runs[s.kind].counts, True) for s in every))
    ctx = CycleContext.load(day=day, clock=clock)
    with long_lived_frozen():
        return DayResult(day, tuple(_run_step(step, runs.get(step.kind), ctx) for step in every))


def last_completed_date() -> date | None:
    """The latest business date whose every step has finished.

    Servicing's last step marks a date done; a registered step (added later, so absent on old
    dates) holds the date back only while it is started and unfinished (a run killed in it).
    """
    finished = CycleRun.objects.filter(kind=STEPS[-1].kind, finished_at__isnull=False)
    last: date | None = finished.aggregate(last=Max("business_date"))["last"]
    extra = [step.kind for step in registered_steps()]
    if last is not None and extra:
        unfinished = CycleRun.objects.filter(
            kind__in=extra, finished_at__isnull=True, business_date__lte=last
        ).aggregate(first=Min("business_date"))["first"]
        if unfinished is not None:
            return unfinished - ONE_DAY
    return last


def _run_step(step: Step, run: CycleRun | None, ctx: CycleContext) -> StepResult:
    if run is not None and run.finished_at is not None:
        return StepResult(step.kind, run.counts, skipped=True)
    if run is None:
        run, _created = CycleRun.objects.get_or_create(
            kind=step.kind, business_date=ctx.day, defaults={"started_at": ctx.clock.now()}
        )
    counts = step.run(ctx)
    CycleRun.objects.filter(pk=run.pk).update(finished_at=ctx.clock.now(), counts=counts)
    return StepResult(step.kind, counts, skipped=False)


def _resume_date() -> date | None:
    last = last_completed_date()
    if last is not None:
        return last + ONE_DAY
    first: date | None = Account.objects.aggregate(first=Min("opened_on"))["first"]
    return first
