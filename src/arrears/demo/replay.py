"""`arrears demo`'s replay: each business date, the daily cycle, then what borrowers do.

What a borrower does on a day is drawn from a `random.Random` seeded with their profile's seed,
the account and the date, so it does not depend on the order accounts are visited or on how
many other borrowers exist, and a replay of the same portfolio always posts the same things.
Every posting carries an idempotency key made of the account and the date, so replaying a day
twice posts nothing the second time.

Behaviours (the chance of paying on a given day, by days from the oldest unpaid due date):

- on_time: pays in the five days before the due date, at the latest on it.
- sometimes_late: usually on time; about a third of the time some days to weeks late.
- chronic_late: pays weeks late, often only part of what is due.
- hardship_after_shock: on time until their `shock_on`, then seldom and only a little.
- never_pays: spends, never pays (first payment default).

A payment is dishonoured (NSF) two days after it was made with a small chance that grows with
financial strain; card holders spend on some days (a few times a month, at their spending
level) and now and then draw cash.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F

from arrears.core.clock import Clock
from arrears.core.errors import ArrearsError
from arrears.core.money import Money, minor_units
from arrears.demo.choices import Behaviour
from arrears.demo.models import DemoPortfolio, DemoProfile
from arrears.demo.portfolio import business_clock
from arrears.servicing.choices import AccountStatus, PaymentChannel, PaymentStatus, ProductKind
from arrears.servicing.models import Account, Obligation, Payment, Statement

ONE_DAY = dt.timedelta(days=1)
NSF_AFTER_DAYS = 2
KEY_PREFIX = "demo:"

#: Chance a payment comes back unpaid (per cent), by behaviour.
NSF_PERCENT = {
    Behaviour.ON_TIME: 0.5,
    Behaviour.SOMETIMES_LATE: 2,
    Behaviour.CHRONIC_LATE: 6,
    Behaviour.HARDSHIP_AFTER_SHOCK: 8,
    Behaviour.NEVER_PAYS: 0,
}

#: A day's spending (lowest, highest) in minor units, and a cash advance's, per currency.
SPEND_MINOR = {"CNY": (2_000, 180_000), "USD": (400, 25_000), "GBP": (300, 20_000)}
CASH_ADVANCE_MAJOR = {"CNY": (500, 3_000), "USD": (100, 500), "GBP": (50, 400)}

Progress = Callable[[dt.date, int, int], None]  # (day, done, total)


@dataclass
class DaySummary:
    payments: int = 0
    reversals: int = 0
    purchases: int = 0
    cash_advances: int = 0
    declined: int = 0  # spending refused (over the limit)

    def add(self, other: DaySummary) -> None:
        for name in ("payments", "reversals", "purchases", "cash_advances", "declined"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ReplaySummary:
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    days: int = 0
    behaviour: DaySummary = field(default_factory=DaySummary)
    cycle: dict[str, dict[str, int]] = field(default_factory=dict)


def chance(profile: DemoProfile, *parts: object) -> random.Random:
    """The random stream of one borrower's choice, e.g. (account number, "pay", date)."""
    return random.Random(":".join([str(profile.seed), *map(str, parts)]))


def replay(*, through: dt.date, progress: Progress | None = None) -> ReplaySummary:
    """Replay every date from where the portfolio stopped (or its start) up to `through`."""
    from arrears.servicing.services.cycle import last_completed_date, run_cycle

    portfolio = DemoPortfolio.objects.get()
    day = portfolio.replayed_through + ONE_DAY if portfolio.replayed_through else portfolio.start_on
    summary = ReplaySummary()
    total = max((through - day).days + 1, 0)
    done = 0
    while day <= through:
        start = portfolio.start_on if last_completed_date() is None else None
        for result in run_cycle(through=day, start=start, clock=business_clock(day)):
            for step in result.steps:
                if step.skipped:
                    continue
                counts = summary.cycle.setdefault(step.kind, {})
                for name, count in step.counts.items():
                    counts[name] = counts.get(name, 0) + int(count)
        with transaction.atomic():
            summary.behaviour.add(behave(day))
            portfolio.replayed_through = day
            portfolio.save(update_fields=["replayed_through"])
        summary.first_date = summary.first_date or day
        summary.last_date = day
        summary.days += 1
        done += 1
        if progress is not None:
            progress(day, done, total)
        day += ONE_DAY
    return summary


def behave(day: dt.date) -> DaySummary:
    """Everything the demo borrowers do on one date: dishonoured payments, payments, spending."""
    summary = DaySummary()
    clock = business_clock(day)
    _dishonour(day, clock, summary)
    _pay(day, clock, summary)
    _spend(day, clock, summary)
    return summary


# --- payments -----------------------------------------------------------------------------------


def _pay_chance(profile: DemoProfile, days_from_due: int, day: dt.date) -> float:
    """The chance of paying today, `days_from_due` days after the oldest unpaid due date."""
    behaviour = profile.behaviour
    if behaviour == Behaviour.HARDSHIP_AFTER_SHOCK:
        if profile.shock_on is not None and day >= profile.shock_on:
            return 0.03 if days_from_due >= 0 else 0.0
        behaviour = Behaviour.ON_TIME
    d = days_from_due
    if behaviour == Behaviour.ON_TIME:
        return 1.0 if d >= 0 else 0.25
    if behaviour == Behaviour.SOMETIMES_LATE:
        return 0.12 if d < 0 else (0.15 if d <= 30 else 0.3)
    if behaviour == Behaviour.CHRONIC_LATE:
        return 0.01 if d < 15 else 0.08
    return 0.0  # never pays


def _share_paid(profile: DemoProfile, rng: random.Random, day: dt.date) -> tuple[int, int]:
    """The part of what is due they pay, as a fraction (numerator, denominator)."""
    if profile.behaviour == Behaviour.CHRONIC_LATE:
        return rng.randint(50, 100), 100
    if profile.behaviour == Behaviour.HARDSHIP_AFTER_SHOCK and (
        profile.shock_on is not None and day >= profile.shock_on
    ):
        return rng.randint(15, 50), 100
    return 1, 1


def _pay(day: dt.date, clock: Clock, summary: DaySummary) -> None:
    from arrears.servicing.services.payments import post_payment

    due = (
        Obligation.objects.filter(
            due_on__lte=day + dt.timedelta(days=5),
            paid_minor__lt=F("amount_minor"),
            account__status=AccountStatus.OPEN,
            account__borrower__demo_profile__isnull=False,
        )
        .select_related("account__borrower__demo_profile", "account__product")
        .order_by("account_id", "due_on", "number")
    )
    by_account: dict[int, list[Obligation]] = {}
    for obligation in due:
        by_account.setdefault(obligation.account_id, []).append(obligation)
    for obligations in by_account.values():
        account = obligations[0].account
        profile = account.borrower.demo_profile
        rng = chance(profile, account.number, "pay", day)
        if rng.random() >= _pay_chance(profile, (day - obligations[0].due_on).days, day):
            continue
        owed = sum(o.amount_minor - o.paid_minor for o in obligations)
        if account.kind == ProductKind.CARD:
            owed = _card_payment(account, obligations, profile, rng, owed)
        numerator, denominator = _share_paid(profile, rng, day)
        amount = max(owed * numerator // denominator, 1)
        channel = rng.choice(
            (PaymentChannel.BANK_TRANSFER, PaymentChannel.DIRECT_DEBIT, PaymentChannel.WALLET)
        )
        post_payment(
            account=account,
            amount=Money.from_minor(amount, account.currency),
            received_on=day,
            idempotency_key=f"{KEY_PREFIX}{account.number}:{day.isoformat()}",
            channel=channel,
            clock=clock,
        )
        summary.payments += 1


def _card_payment(
    account: Account,
    obligations: list[Obligation],
    profile: DemoProfile,
    rng: random.Random,
    minimum: int,
) -> int:
    """Transactors pay the statement in full; revolvers something between minimum and balance."""
    if profile.behaviour not in (Behaviour.ON_TIME, Behaviour.SOMETIMES_LATE):
        return minimum
    statement = (
        Statement.objects.filter(account=account, due_on=obligations[-1].due_on)
        .only("new_balance_minor")
        .first()
    )
    if statement is None or statement.new_balance_minor <= minimum:
        return minimum
    balance = int(statement.new_balance_minor)
    style = chance(profile, account.number, "style").random()
    if style < 0.6:  # a transactor: the same borrower always pays in full
        return balance
    return rng.randint(minimum, balance)


def _dishonour(day: dt.date, clock: Clock, summary: DaySummary) -> None:
    from arrears.servicing.services.payments import reverse_payment

    made = (
        Payment.objects.filter(
            received_on=day - dt.timedelta(days=NSF_AFTER_DAYS),
            status=PaymentStatus.POSTED,
            idempotency_key__startswith=KEY_PREFIX,
        )
        .select_related("account__borrower__demo_profile")
        .order_by("id")
    )
    for payment in made:
        profile = payment.account.borrower.demo_profile
        percent = NSF_PERCENT.get(Behaviour(profile.behaviour), 0)
        if chance(profile, payment.idempotency_key, "nsf").random() * 100 >= percent:
            continue
        reverse_payment(
            payment=payment,
            reversed_on=day,
            reason="NSF: returned unpaid (insufficient funds)",
            clock=clock,
        )
        summary.reversals += 1


# --- card spending ------------------------------------------------------------------------------


def _spend(day: dt.date, clock: Clock, summary: DaySummary) -> None:
    from arrears.servicing.services.accounts import post_cash_advance, post_purchase

    cards = (
        Account.objects.filter(
            kind=ProductKind.CARD,
            status=AccountStatus.OPEN,
            opened_on__lte=day,
            borrower__demo_profile__isnull=False,
        )
        .select_related("borrower__demo_profile")
        .order_by("id")
    )
    for account in cards:
        profile = account.borrower.demo_profile
        rng = chance(profile, account.number, "spend", day)
        monthly = profile.spend_level
        if account.days_past_due > 30:
            monthly = 0  # the card is blocked in practice
        elif account.days_past_due > 0:
            monthly = max(monthly // 2, 1)
        purchase = rng.random() < monthly / 30
        strained = profile.behaviour == Behaviour.HARDSHIP_AFTER_SHOCK and (
            profile.shock_on is not None and day >= profile.shock_on
        )
        cash = rng.random() < (0.02 if strained else 0.003) and monthly > 0
        low, high = SPEND_MINOR.get(account.currency, SPEND_MINOR["USD"])
        amount_minor = rng.randint(low, high)
        cash_low, cash_high = CASH_ADVANCE_MAJOR.get(account.currency, CASH_ADVANCE_MAJOR["USD"])
        cash_minor = (
            rng.randint(cash_low // 50, cash_high // 50) * 50 * 10 ** minor_units(account.currency)
        )
        try:
            if purchase:
                post_purchase(
                    account=account,
                    amount=Money.from_minor(amount_minor, account.currency),
                    on=day,
                    idempotency_key=f"{KEY_PREFIX}spend:{account.number}:{day.isoformat()}",
                    clock=clock,
                )
                summary.purchases += 1
        except ArrearsError:
            summary.declined += 1
        try:
            if cash:
                post_cash_advance(
                    account=account,
                    amount=Money.from_minor(cash_minor, account.currency),
                    on=day,
                    idempotency_key=f"{KEY_PREFIX}cash:{account.number}:{day.isoformat()}",
                    clock=clock,
                )
                summary.cash_advances += 1
        except ArrearsError:
            summary.declined += 1
