"""Plan schedules to the cent: a repayment option as phases laid end to end.

A plan starts from what is owed today (principal, interest, fees) and runs month by month
through phases — a payment holiday, reduced payments, a re-amortisation, a settlement — each
adding rows to one schedule. Re-amortising uses `core.schedule.instalment_schedule` (等额本息 or
等额本金) for the principal; interest and fees already owed are carried without interest and
spread evenly over the repaying instalments. Every row says what it pays (principal, interest,
fees), what new interest the month added, and what is still owed after it, so

    owed today + interest added − forgiven = total paid,  and the last row leaves nothing owed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, localcontext

from arrears.core.calendar import add_months
from arrears.core.hardship.policy import InterestTreatment
from arrears.core.hardship.position import AccountPosition
from arrears.core.interest import PRECISION
from arrears.core.money import Money
from arrears.core.schedule import RepaymentMethod, instalment_schedule, monthly_rate


@dataclass(frozen=True, slots=True)
class PlanInstalment:
    number: int
    due_on: date
    phase: str  # the phase key: "payment_holiday", "contract", "term_extension", …
    payment: Money
    principal: Money
    interest: Money
    fees: Money
    interest_added: Money  # new interest the month charged (paid now, capitalised or deferred)
    balance_after: Money  # everything still owed once this instalment is paid
    re_ages: bool = False  # paid on time, this instalment completes the run that re-ages


@dataclass(frozen=True, slots=True)
class PlanRow:
    """An instalment in integer minor units, as the builder lays it down (cheap to compare)."""

    number: int
    due_on: date
    phase: str
    principal: int
    interest: int
    fees: int
    interest_added: int
    balance_after: int
    re_ages: bool = False

    @property
    def payment(self) -> int:
        return self.principal + self.interest + self.fees


@dataclass(frozen=True)
class PlanSchedule:
    """The plan's instalments and totals. `rows` are minor units; `instalments` are Money."""

    currency: str
    rows: tuple[PlanRow, ...]
    owed_at_start: Money
    interest_added: Money  # all new interest the plan charges (capitalised included)
    capitalised_interest: Money  # the part of it added to the principal
    forgiven: Money  # fees waived and settlement discounts
    total_payment: Money
    total_principal: Money
    total_interest: Money
    total_fees: Money

    @functools.cached_property
    def instalments(self) -> tuple[PlanInstalment, ...]:
        money = functools.partial(Money.from_minor, currency=self.currency)
        return tuple(
            PlanInstalment(
                number=row.number,
                due_on=row.due_on,
                phase=row.phase,
                payment=money(row.payment),
                principal=money(row.principal),
                interest=money(row.interest),
                fees=money(row.fees),
                interest_added=money(row.interest_added),
                balance_after=money(row.balance_after),
                re_ages=row.re_ages,
            )
            for row in self.rows
        )

    @property
    def months(self) -> int:
        return len(self.rows)

    @property
    def payments_minor(self) -> tuple[int, ...]:
        return tuple(row.payment for row in self.rows)

    @property
    def payments(self) -> tuple[Money, ...]:
        return tuple(i.payment for i in self.instalments)

    @property
    def first_payment(self) -> Money:
        return Money.from_minor(self.rows[0].payment, self.currency)

    @property
    def max_payment(self) -> Money:
        return Money.from_minor(max(self.payments_minor), self.currency)


class PlanBuilder:
    """Lays phases end to end from an account's position; `build()` returns the schedule."""

    def __init__(self, position: AccountPosition, *, waive_fees: bool = False) -> None:
        self._position = position
        self._currency = position.currency
        self._principal = position.principal.minor
        self._interest = position.interest.minor  # owed interest: carried, bears no interest
        self._fees = position.fees.minor
        self._deferred = 0  # holiday interest due with the last instalment
        self._forgiven = 0
        self._capitalised = 0
        self._rows: list[PlanRow] = []
        if waive_fees:
            self._forgiven, self._fees = self._fees, 0

    # --- phases -------------------------------------------------------------------------------
    def holiday(self, months: int, treatment: InterestTreatment, apr: Decimal) -> None:
        """`months` with nothing to pay; interest capitalised, deferred to the end, or frozen."""
        for _ in range(months):
            added = 0 if treatment is InterestTreatment.FROZEN else self._month_interest(apr)
            if treatment is InterestTreatment.CAPITALISE:
                self._principal += added
                self._capitalised += added
            else:
                self._deferred += added
            self._append("payment_holiday", 0, 0, 0, added)

    def reduced(self, months: int, payment: Money, apr: Decimal) -> None:
        """`months` paying `payment`: the month's interest first, then principal.

        Interest the payment does not cover is capitalised, so the balance never hides arrears.
        """
        for _ in range(months):
            added = self._month_interest(apr)
            paid = min(payment.minor, self._principal + added)
            to_interest = min(paid, added)
            to_principal = paid - to_interest
            unpaid = added - to_interest
            self._principal += unpaid - to_principal
            self._capitalised += unpaid
            self._append("reduced_payments", to_principal, to_interest, 0, added)

    def repay(self, months: int, apr: Decimal, method: RepaymentMethod, phase: str) -> None:
        """Clear everything over `months`: principal by `core.schedule`, owed interest and fees
        in even parts, interest deferred by a holiday with the last instalment."""
        rows = self._amortised(months, apr, method)
        carried_interest = _even_parts(self._interest, months)
        carried_fees = _even_parts(self._fees, months)
        for k, (principal, interest) in enumerate(rows):
            deferred = self._deferred if k == months - 1 else 0
            self._principal -= principal
            self._interest -= carried_interest[k]
            self._fees -= carried_fees[k]
            self._deferred -= deferred
            paid_interest = interest + carried_interest[k] + deferred
            self._append(phase, principal, paid_interest, carried_fees[k], interest)

    def settle(self, amount: Money, months: int, phase: str) -> None:
        """Settle everything for `amount` (≤ what is owed) in `months` even parts.

        The discount forgives fees first, then interest, then principal; each part pays fees,
        then interest, then principal, the default waterfall.
        """
        discount = self._owed() - amount.minor
        if discount < 0:
            raise ValueError("a settlement never asks more than is owed")
        self._forgiven += discount
        for name in ("_fees", "_interest", "_deferred", "_principal"):
            cut = min(discount, getattr(self, name))
            setattr(self, name, getattr(self, name) - cut)
            discount -= cut
        for left in _even_parts(amount.minor, months):
            fees = min(left, self._fees)
            interest = min(left - fees, self._interest + self._deferred)
            principal = left - fees - interest
            self._fees -= fees
            from_interest = min(interest, self._interest)
            self._interest -= from_interest
            self._deferred -= interest - from_interest
            self._principal -= principal
            self._append(phase, principal, interest, fees, 0)

    # --- result -------------------------------------------------------------------------------
    def build(self, *, re_age_after: int | None = None) -> PlanSchedule:
        """The schedule; `re_age_after` marks the instalment that completes that many payments."""
        if self._owed() != 0:
            raise ValueError(f"the plan leaves {self._owed()} minor units unpaid")
        rows = self._rows
        if re_age_after is not None:
            paying = [i for i, row in enumerate(rows) if row.payment]
            if len(paying) >= re_age_after:
                at = paying[re_age_after - 1]
                rows = [*rows[:at], replace(rows[at], re_ages=True), *rows[at + 1 :]]
        return PlanSchedule(
            currency=self._currency,
            rows=tuple(rows),
            owed_at_start=self._position.owed,
            interest_added=self._money(sum(r.interest_added for r in rows)),
            capitalised_interest=self._money(self._capitalised),
            forgiven=self._money(self._forgiven),
            total_payment=self._money(sum(r.payment for r in rows)),
            total_principal=self._money(sum(r.principal for r in rows)),
            total_interest=self._money(sum(r.interest for r in rows)),
            total_fees=self._money(sum(r.fees for r in rows)),
        )

    # --- helpers ------------------------------------------------------------------------------
    def _amortised(
        self, months: int, apr: Decimal, method: RepaymentMethod
    ) -> list[tuple[int, int]]:
        """(principal, interest) per month for the principal still owed, by `core.schedule`."""
        if self._principal == 0:
            return [(0, 0)] * months
        schedule = instalment_schedule(
            principal=self._money(self._principal),
            apr=apr,
            months=months,
            method=method,
            start_on=self._due_on(len(self._rows)),
            repayment_day=self._position.day,
            rounding=self._position.rounding,
        )
        return [(i.principal.minor, i.interest.minor) for i in schedule.instalments]

    def _month_interest(self, apr: Decimal) -> int:
        """A month's interest on the principal, rounded once like `core.schedule` does."""
        with localcontext() as ctx:
            ctx.prec = PRECISION
            exact = self._principal * monthly_rate(apr)
        mode = self._position.rounding.decimal_mode
        return int(exact.to_integral_value(rounding=mode))

    def _due_on(self, number: int) -> date:
        if number == 0:
            return self._position.as_of
        return add_months(self._position.as_of, number, day_of_month=self._position.day)

    def _owed(self) -> int:
        return self._principal + self._interest + self._fees + self._deferred

    def _money(self, minor: int) -> Money:
        return Money.from_minor(minor, self._currency)

    def _append(self, phase: str, principal: int, interest: int, fees: int, added: int) -> None:
        number = len(self._rows) + 1
        self._rows.append(
            PlanRow(
                number=number,
                due_on=self._due_on(number),
                phase=phase,
                principal=principal,
                interest=interest,
                fees=fees,
                interest_added=added,
                balance_after=self._owed(),
            )
        )


def _even_parts(units: int, parts: int) -> list[int]:
    """`units` in `parts` near-equal whole parts, the first ones a unit larger, exactly as
    `core.money.split_evenly` splits an amount (done on integers here: it runs per schedule)."""
    base, extra = divmod(units, parts)
    return [base + 1 if i < extra else base for i in range(parts)]
