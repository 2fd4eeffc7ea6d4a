"""`kpis(...)`: the collection KPIs of a period, from the platform's own records.

Every figure is defined exactly in docs/analytics.md. Counts are ints, money is integer minor
units in the report's currency, rates are Decimals rounded once, half up (`analytics.rates`):
shares of 1 to 4 places, figures per account or per 1,000 accounts to 2 places; a rate over
nothing is None. The whole report costs a handful of aggregate queries, whatever the book's
size (`test_kpis_cost_a_handful_of_queries`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from arrears.analytics.costs import contact_costs
from arrears.analytics.rates import (
    COST_PLACES,
    CURRENT,
    FIGURE_PLACES,
    bucket_order,
    is_delinquent,
    per_thousand,
    rate,
    ratio,
    shares_summing_to_one,
)
from arrears.analytics.selectors.activity import (
    ChannelAttempts,
    attempts_by_channel,
    blocks_by_rule,
    complaints,
    plan_counts,
    promises_fallen_due,
)
from arrears.analytics.selectors.portfolio import BookMovement, book_movements
from arrears.analytics.selectors.scope import Scope, resolve_scope
from arrears.collection.choices import PromiseStatus
from arrears.core.money import Money


@dataclass(frozen=True)
class RollRow:
    """The accounts in `from_bucket` at the start, and where they were at the end."""

    from_bucket: str
    accounts: int
    to_accounts: dict[str, int]
    to_shares: dict[str, Decimal]  # sums to exactly 1 (largest-remainder rounding)


@dataclass(frozen=True)
class PromiseKpis:
    fell_due: int
    kept: int
    partly_kept: int
    broken: int
    pending: int  # live: due, but still inside its grace days
    kept_rate: Decimal | None
    partly_kept_rate: Decimal | None


@dataclass(frozen=True)
class ContactKpis:
    attempts: int  # outbound, every channel
    attempts_by_channel: dict[str, int]
    call_attempts: int
    right_party_calls: int
    right_party_contact_rate: Decimal | None
    contacts_per_account: Decimal | None  # attempts ÷ accounts in collection
    cost_minor: int
    cost_by_channel_minor: dict[str, int]
    cost_per_unit_collected: Decimal | None  # cost ÷ money collected, to 6 places


@dataclass(frozen=True)
class PlanKpis:
    accounts_on_plans: int
    share_on_plans: Decimal | None  # ÷ accounts (the book)
    completed: int
    broken: int
    completion_rate: Decimal | None  # completed ÷ (completed + broken)


@dataclass(frozen=True)
class Kpis:
    """The KPIs of the days [start_on, end_on) for the accounts of one currency."""

    start_on: dt.date
    end_on: dt.date
    currency: str
    product: str | None
    strategy_arm: str | None
    accounts: int  # open at some time in the period
    accounts_at_start: int  # already open before the first day
    accounts_in_collection: int  # with a collection case open at some time in the period
    roll_rates: tuple[RollRow, ...]
    delinquent_at_start: int
    cured: int
    cure_rate: Decimal | None
    past_due_at_start_minor: int
    collected_from_delinquent_minor: int
    liquidation_rate: Decimal | None
    collected_minor: int  # every account of the report
    promises: PromiseKpis
    contacts: ContactKpis
    complaints: int
    complaints_per_1000_accounts: Decimal | None
    plans: PlanKpis
    compliance_blocks: int
    blocks_by_rule: dict[str, int]

    def money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.currency)


def kpis(
    *,
    start_on: dt.date,
    end_on: dt.date,
    product: str | None = None,
    strategy_arm: str | None = None,
    currency: str | None = None,
) -> Kpis:
    """The KPIs of the business days [start_on, end_on) — `end_on` is the day after the last.

    `product` is a product code; `strategy_arm` a collection path (`ladder`) or `strategy
    code:path`; `currency` defaults to the product's, else the book's main currency. Raises
    `ValidationError` naming `to`, `product` or `currency` for a bad period or filter.
    """
    scope = resolve_scope(
        start_on=start_on,
        end_on=end_on,
        product=product,
        strategy_arm=strategy_arm,
        currency=currency,
    )
    return kpis_for_scope(scope)


def kpis_for_scope(scope: Scope) -> Kpis:
    """The KPIs of an already checked scope (the dashboard narrows the scope further)."""
    start_on, end_on = scope.start_on, scope.end_on
    movements = book_movements(scope)
    attempts = attempts_by_channel(scope)
    promise_counts = promises_fallen_due(scope)
    plans = plan_counts(scope)
    complaint_count = complaints(scope)
    refused, by_rule = blocks_by_rule(scope)

    accounts = sum(m.accounts for m in movements)
    in_collection = sum(m.accounts for m in movements if m.in_collection)
    at_start = [m for m in movements if m.open_at_start]
    delinquent = [m for m in at_start if is_delinquent(m.start_bucket)]
    collected = sum(m.collected_minor for m in movements)
    collected_delinquent = sum(m.collected_minor for m in delinquent)
    past_due = sum(m.past_due_at_start_minor for m in delinquent)
    cured = sum(m.accounts for m in delinquent if m.end_bucket == CURRENT)
    return Kpis(
        start_on=start_on,
        end_on=end_on,
        currency=scope.currency,
        product=scope.product,
        strategy_arm=scope.strategy_arm,
        accounts=accounts,
        accounts_at_start=sum(m.accounts for m in at_start),
        accounts_in_collection=in_collection,
        roll_rates=roll_rates(at_start),
        delinquent_at_start=sum(m.accounts for m in delinquent),
        cured=cured,
        cure_rate=rate(cured, sum(m.accounts for m in delinquent)),
        past_due_at_start_minor=past_due,
        collected_from_delinquent_minor=collected_delinquent,
        liquidation_rate=rate(collected_delinquent, past_due),
        collected_minor=collected,
        promises=_promise_kpis(promise_counts),
        contacts=_contact_kpis(attempts, scope.currency, in_collection, collected),
        complaints=complaint_count,
        complaints_per_1000_accounts=per_thousand(complaint_count, accounts),
        plans=PlanKpis(
            accounts_on_plans=plans.accounts_on_plans,
            share_on_plans=rate(plans.accounts_on_plans, accounts),
            completed=plans.completed,
            broken=plans.broken,
            completion_rate=rate(plans.completed, plans.completed + plans.broken),
        ),
        compliance_blocks=refused,
        blocks_by_rule=dict(sorted(by_rule.items(), key=lambda item: (-item[1], item[0]))),
    )


def roll_rates(movements: list[BookMovement]) -> tuple[RollRow, ...]:
    """The roll-rate matrix: one row per bucket some account was in at the start."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for movement in movements:
        counts[movement.start_bucket][movement.end_bucket] += movement.accounts
    columns = bucket_order({end for row in counts.values() for end in row} | set(counts))
    rows = []
    for start in bucket_order(counts):
        to_accounts = {end: counts[start][end] for end in columns if counts[start][end]}
        rows.append(
            RollRow(
                from_bucket=start,
                accounts=sum(to_accounts.values()),
                to_accounts=to_accounts,
                to_shares=shares_summing_to_one(to_accounts),
            )
        )
    return tuple(rows)


def _promise_kpis(counts: Counter[str]) -> PromiseKpis:
    fell_due = sum(counts.values())
    kept, partly = counts[PromiseStatus.KEPT], counts[PromiseStatus.PARTLY_KEPT]
    return PromiseKpis(
        fell_due=fell_due,
        kept=kept,
        partly_kept=partly,
        broken=counts[PromiseStatus.BROKEN],
        pending=counts[PromiseStatus.LIVE],
        kept_rate=rate(kept, fell_due),
        partly_kept_rate=rate(partly, fell_due),
    )


def _contact_kpis(
    attempts: list[ChannelAttempts], currency: str, in_collection: int, collected_minor: int
) -> ContactKpis:
    unit_costs = contact_costs(currency)
    cost_by_channel = {
        found.channel: Money.of(
            unit_costs.get(found.channel, Decimal(0)) * found.attempts, currency
        ).minor
        for found in attempts
    }
    cost = sum(cost_by_channel.values())
    calls = next((found for found in attempts if found.channel == "call"), None)
    call_attempts = calls.attempts if calls else 0
    right_party = calls.right_party if calls else 0
    total = sum(found.attempts for found in attempts)
    return ContactKpis(
        attempts=total,
        attempts_by_channel={found.channel: found.attempts for found in attempts},
        call_attempts=call_attempts,
        right_party_calls=right_party,
        right_party_contact_rate=rate(right_party, call_attempts),
        contacts_per_account=ratio(total, in_collection, places=FIGURE_PLACES),
        cost_minor=cost,
        cost_by_channel_minor=cost_by_channel,
        cost_per_unit_collected=ratio(cost, collected_minor, places=COST_PLACES),
    )
