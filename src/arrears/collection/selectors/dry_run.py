"""A strategy dry run (策略试运行): what an edited strategy would do to today's open cases,
compared with the strategy in force — without writing anything.

The supervisor's text is checked with the same reader the admin and `arrears strategy check`
use (`services.strategies.check_strategy_text`: a mistake names its field or line). The open
cases are then read with the nightly batch's own code (one shard covering every account:
`batch.reading.read_shard`, `batch.facts.facts_of_cases`) and both strategies are applied by
the night's own evaluation (`batch.evaluation.evaluate_cases`, pause rule included). Unlike the
night, a case already stepped today is evaluated too, so a dry run after the night still
covers the whole book. The reading runs in a transaction that is rolled back.

"Tonight's action" is the step's action when the step is due (or due again) today, else
`none` (waiting for its day, backed off, paused, left alone …).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min

from arrears.collection.batch.evaluation import active_strategy, evaluate_cases
from arrears.collection.batch.facts import facts_of_cases
from arrears.collection.batch.night import products_frame, setting
from arrears.collection.batch.reading import Shard, read_shard
from arrears.collection.services.strategies import check_strategy_text
from arrears.core.strategy import Outcome
from arrears.core.strategy import Strategy as StrategyDocument
from arrears.servicing.models import Account

#: How many changed accounts the dry run lists by name (all are counted).
CHANGED_LISTED = 100
_DUE = (Outcome.DUE.value, Outcome.REPEAT_DUE.value)


@dataclass(frozen=True)
class Treatment:
    """What a strategy does to one case tonight."""

    segment: str
    arm: str
    step: str  # the step due tonight, "" when none
    action: str  # tonight's action, "none" when no step is due


@dataclass(frozen=True)
class TreatmentCount:
    """How many open cases get one treatment under the live and the proposed strategy."""

    treatment: Treatment
    live: int
    proposed: int

    @property
    def change(self) -> int:
        return self.proposed - self.live


@dataclass(frozen=True)
class ChangedAccount:
    account_id: int
    account_number: str
    live: Treatment
    proposed: Treatment
    reason: str  # the proposed strategy's reason


@dataclass(frozen=True)
class DryRun:
    on: dt.date
    live: StrategyDocument
    proposed: StrategyDocument
    cases: int  # open cases evaluated
    counts: list[TreatmentCount]  # by segment, path, step
    changed: int  # cases whose treatment tonight would change
    changed_accounts: list[ChangedAccount]  # the first CHANGED_LISTED, by account number


def dry_run_strategy(*, yaml_text: str, on: dt.date) -> DryRun:
    """Evaluate `yaml_text` and the live strategy on the open cases of `on` (writes nothing).
    Raises `ValidationError` naming the field or line of a mistake in the text."""
    proposed = check_strategy_text(text=yaml_text)
    with transaction.atomic():
        found = _dry_run(proposed, on)
        transaction.set_rollback(True)
    return found


def _dry_run(proposed: StrategyDocument, on: dt.date) -> DryRun:
    live = active_strategy().document
    bounds = Account.objects.aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is None:
        return DryRun(on, live, proposed, 0, [], 0, [])
    back_off_days = int(setting("ARREARS_COLLECTION_BACK_OFF_DAYS", 7))
    frames = read_shard(
        Shard(on, int(bounds["first"]), int(bounds["last"])),
        back_off_days=back_off_days,
        rpc_days=30,
    )
    if frames.cases.is_empty():
        return DryRun(on, live, proposed, 0, [], 0, [])
    cases = frames.cases.with_columns(pl.lit(None, dtype=pl.Date).alias("last_step_on"))
    facts = facts_of_cases(
        frames, cases, products_frame(), day=on, time_zone=str(settings.TIME_ZONE),
        back_off_days=back_off_days,
    )  # fmt: skip
    before = _treatments(evaluate_cases(live, facts, cases, day=on))
    after = _treatments(evaluate_cases(proposed, facts, cases, day=on))
    return _compare(on, live, proposed, before, after)


def _treatments(answers: pl.DataFrame) -> dict[int, tuple[Treatment, str]]:
    """Each account's treatment tonight and the reason, by account id."""
    found = {}
    for account_id, segment, arm, step, action, outcome, reason in answers.select(
        "account_id", "segment", "arm", "step", "action", "outcome", "reason"
    ).iter_rows():
        due = outcome in _DUE
        found[int(account_id)] = (
            Treatment(
                segment=segment or "",
                arm=arm or "",
                step=(step or "") if due else "",
                action=(action or "none") if due else "none",
            ),
            str(reason or ""),
        )
    return found


def _compare(
    on: dt.date,
    live: StrategyDocument,
    proposed: StrategyDocument,
    before: dict[int, tuple[Treatment, str]],
    after: dict[int, tuple[Treatment, str]],
) -> DryRun:
    live_counts = Counter(treatment for treatment, _reason in before.values())
    proposed_counts = Counter(treatment for treatment, _reason in after.values())
    order = {segment.id: i for i, segment in enumerate(proposed.segments)}
    order.update({s.id: len(order) + i for i, s in enumerate(live.segments) if s.id not in order})
    counts = sorted(
        (
            TreatmentCount(t, live_counts[t], proposed_counts[t])
            for t in set(live_counts) | set(proposed_counts)
        ),
        key=lambda c: (order.get(c.treatment.segment, len(order)), c.treatment.segment,
                       c.treatment.arm, c.treatment.step, c.treatment.action),
    )  # fmt: skip
    changed_ids = sorted(i for i in after if before.get(i, (None,))[0] != after[i][0])
    numbers = dict(
        Account.objects.filter(pk__in=changed_ids[: CHANGED_LISTED * 2]).values_list("pk", "number")
    )
    listed = sorted(changed_ids, key=lambda i: str(numbers.get(i, "")))[:CHANGED_LISTED]
    changed = [
        ChangedAccount(i, str(numbers.get(i, i)), before[i][0], after[i][0], after[i][1])
        for i in listed
    ]
    return DryRun(on, live, proposed, len(after), counts, len(changed_ids), changed)
