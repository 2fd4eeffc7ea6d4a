"""Champion/challenger results (冠军–挑战者结果): each arm of the live strategy over a period,
with 95 % confidence intervals and each challenger's difference from the champion.

An arm's accounts are those of the KPI report (docs/analytics.md) with a collection case opened
before the period's end on that treatment path (of the strategy's code, when cases name it).
Per arm:

- **money collected per account** — posted payments received in the period, mean per account,
  Student's t interval; the difference from the champion by Welch's interval;
- **cure rate** — delinquent at the start and current at the end, Wilson interval; difference
  by Newcombe's interval;
- **promises kept** — kept of those that fell due in the period, Wilson / Newcombe;
- **contacts per account** — outbound attempts in the period naming the account, t / Welch;
- **complaints per account** — complaint tickets opened in the period naming the account,
  t / Welch.

The **champion** is the arm with the largest share in the first segment that splits accounts
between paths; the others are challengers. A difference whose interval holds zero is "not
significant" (`core.stats.Interval.excludes_zero` is False).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, FloatField, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce

from arrears.analytics.rates import CURRENT, is_delinquent
from arrears.analytics.selectors.activity import promises_fallen_due
from arrears.analytics.selectors.portfolio import _collected, book_movements
from arrears.analytics.selectors.scope import Scope, resolve_scope
from arrears.care.choices import TicketKind
from arrears.care.models import Ticket
from arrears.collection.choices import PromiseStatus
from arrears.collection.models import Strategy as CollectionStrategy
from arrears.compliance.choices import Direction
from arrears.compliance.models import ContactAttempt
from arrears.core.stats import (
    Interval,
    Sample,
    mean_difference,
    mean_interval,
    share_difference,
    wilson_interval,
)
from arrears.core.strategy import Strategy as StrategyDocument
from arrears.core.strategy import bundled_strategy_text, load_bundled_strategy, read_strategy
from arrears.core.strategy.document import DEFAULT_STRATEGY


@dataclass(frozen=True)
class ShareFigure:
    """A share (successes of trials) with its interval and its difference from the champion."""

    successes: int
    trials: int
    interval: Interval | None
    versus_champion: Interval | None = None


@dataclass(frozen=True)
class MeanFigure:
    """A mean per account with its interval and its difference from the champion."""

    sample: Sample
    interval: Interval | None
    versus_champion: Interval | None = None


@dataclass(frozen=True)
class ArmResult:
    path: str
    share: int  # percent of the segment the strategy sends down this path
    champion: bool
    accounts: int
    collected_minor: MeanFigure  # per account, minor units
    cure: ShareFigure
    promises_kept: ShareFigure
    contacts: MeanFigure  # per account
    complaints: MeanFigure  # per account


@dataclass(frozen=True)
class ArmComparison:
    start_on: dt.date
    end_on: dt.date
    currency: str
    segment: str | None  # the split segment ("" none: the strategy has no split)
    arms: list[ArmResult]


def split_segment(strategy: StrategyDocument) -> tuple[str, list[tuple[str, int]]] | None:
    """The first segment that splits accounts between paths, and its (path, share) arms, the
    champion (largest share, first listed on a tie) first."""
    for segment in strategy.segments:
        if len(segment.arms) > 1:
            arms = sorted(((arm.path, arm.share) for arm in segment.arms), key=lambda arm: -arm[1])
            return segment.id, arms
    return None


def arm_results(
    *, strategy: StrategyDocument, strategy_row_code: str | None, start_on: dt.date, end_on: dt.date
) -> ArmComparison:
    """Each arm's results over the days [start_on, end_on); `strategy_row_code` narrows the
    cases to those evaluated under that strategy's stored versions (None: any)."""
    split = split_segment(strategy)
    base = resolve_scope(
        start_on=start_on, end_on=end_on, product=None, strategy_arm=None, currency=None
    )
    if split is None:
        return ArmComparison(start_on, end_on, base.currency, None, [])
    segment, arms = split
    raw = []
    for path, share in arms:
        arm = f"{strategy_row_code}:{path}" if strategy_row_code else path
        scope = Scope(base.start_on, base.end_on, base.currency, None, arm)
        raw.append((path, share, *_measure(scope)))
    champion = raw[0]
    results = []
    for index, (path, share, accounts, collected, cure, kept, contacts, complaints) in enumerate(
        raw
    ):
        first = index == 0
        _p, _s, _a, c_collected, c_cure, c_kept, c_contacts, c_complaints = champion
        results.append(
            ArmResult(
                path=path,
                share=share,
                champion=first,
                accounts=accounts,
                collected_minor=_mean(collected, None if first else c_collected),
                cure=_share(cure, None if first else c_cure),
                promises_kept=_share(kept, None if first else c_kept),
                contacts=_mean(contacts, None if first else c_contacts),
                complaints=_mean(complaints, None if first else c_complaints),
            )
        )
    return ArmComparison(start_on, end_on, base.currency, segment, results)


def _share(found: tuple[int, int], champion: tuple[int, int] | None) -> ShareFigure:
    successes, trials = found
    versus = None
    if champion is not None:
        versus = share_difference(champion[0], champion[1], successes, trials)
    return ShareFigure(successes, trials, wilson_interval(successes, trials), versus)


def _mean(sample: Sample, champion: Sample | None) -> MeanFigure:
    versus = mean_difference(champion, sample) if champion is not None else None
    return MeanFigure(sample, mean_interval(sample), versus)


def _measure(
    scope: Scope,
) -> tuple[int, Sample, tuple[int, int], tuple[int, int], Sample, Sample]:
    """One arm: accounts, money collected, cure, promises kept, contacts, complaints."""
    movements = [m for m in book_movements(scope) if m.open_at_start]
    delinquent = [m for m in movements if is_delinquent(m.start_bucket)]
    cured = sum(m.accounts for m in delinquent if m.end_bucket == CURRENT)
    promises = promises_fallen_due(scope)
    fell_due = sum(promises.values())
    per_account = (
        scope.accounts()
        .annotate(
            collected_each=Cast(_collected(scope), FloatField()),
            contacts_each=Cast(_attempts(scope), FloatField()),
            complaints_each=Cast(_complaints(scope), FloatField()),
        )
        .aggregate(
            n=Count("pk"),
            collected=Sum("collected_each"),
            collected_sq=Sum(F("collected_each") * F("collected_each")),
            contacts=Sum("contacts_each"),
            contacts_sq=Sum(F("contacts_each") * F("contacts_each")),
            complaints=Sum("complaints_each"),
            complaints_sq=Sum(F("complaints_each") * F("complaints_each")),
        )
    )
    n = int(per_account["n"] or 0)

    def sample(name: str) -> Sample:
        return Sample(n, float(per_account[name] or 0), float(per_account[f"{name}_sq"] or 0))

    return (
        n,
        sample("collected"),
        (cured, sum(m.accounts for m in delinquent)),
        (promises[PromiseStatus.KEPT], fell_due),
        sample("contacts"),
        sample("complaints"),
    )


def _count_of(queryset: object) -> Coalesce:
    counted = queryset.order_by().values("account").annotate(n=Count("pk")).values("n")  # type: ignore[attr-defined]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _attempts(scope: Scope) -> Coalesce:
    """Outbound contact attempts started in the period that name the account."""
    return _count_of(
        ContactAttempt.accounts.through.objects.filter(
            account=OuterRef("pk"),
            contactattempt__direction=Direction.OUTBOUND,
            contactattempt__started_at__gte=scope.start_at,
            contactattempt__started_at__lt=scope.end_at,
        )
    )


def _complaints(scope: Scope) -> Coalesce:
    """Complaint tickets opened in the period, not merged, that name the account."""
    return _count_of(
        Ticket.accounts.through.objects.filter(
            account=OuterRef("pk"),
            ticket__kind=TicketKind.COMPLAINT,
            ticket__created_at__gte=scope.start_at,
            ticket__created_at__lt=scope.end_at,
            ticket__merged_into__isnull=True,
        )
    )


@dataclass(frozen=True)
class ActiveStrategy:
    """A strategy version in force (stored, or the bundled one when none is stored)."""

    document: StrategyDocument
    row_id: int | None
    saved_at: dt.datetime | None
    in_force: bool
    yaml_text: str  # the one the nightly batch applies (the most recently saved)


@dataclass(frozen=True)
class StrategyOverview:
    strategies: list[ActiveStrategy]
    results: ArmComparison


def strategy_overview(*, start_on: dt.date, end_on: dt.date) -> StrategyOverview:
    """The active strategies (the one in force first) and its arms' results over the period."""
    rows = list(
        CollectionStrategy.objects.filter(is_active=True)
        .order_by("-saved_at", "-pk")
        .values_list("pk", "yaml_text", "saved_at", "code", "version")
    )
    strategies = [
        ActiveStrategy(
            read_strategy(text, source=f"strategy {code} {version}"), pk, saved, i == 0, text
        )
        for i, (pk, text, saved, code, version) in enumerate(rows)
    ]
    if not strategies:
        strategies = [
            ActiveStrategy(
                load_bundled_strategy(DEFAULT_STRATEGY),
                None,
                None,
                True,
                bundled_strategy_text(DEFAULT_STRATEGY),
            )
        ]
    live = strategies[0]
    results = arm_results(
        strategy=live.document,
        strategy_row_code=live.document.code if live.row_id is not None else None,
        start_on=start_on,
        end_on=end_on,
    )
    return StrategyOverview(strategies, results)
