"""The repayment options a lender can offer for an account, each priced for both sides.

For an account's position, the borrower's affordability and the jurisdiction's policy,
`repayment_options` quotes every option kind the policy allows on the product, in its quoted
lengths and terms (and, where the policy says so, the shortest term the borrower can afford).
Each option carries its exact schedule, what the borrower pays in total, whether every
instalment fits what the borrower can pay that month, and the lender's expected value.

A "holiday then re-amortise" option (the usual path after a temporary job loss) is one option
with two phases: a payment holiday, then the balance — holiday interest included as the policy
treats it — re-amortised over a longer term. Its phases say so, so the UI can show the path.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from arrears.core.errors import ValidationError
from arrears.core.hardship.affordability import Affordability
from arrears.core.hardship.explain import Param, Reason
from arrears.core.hardship.plans import PlanBuilder, PlanSchedule
from arrears.core.hardship.policy import HardshipPolicy, InterestTreatment, OptionKind, OptionRule
from arrears.core.hardship.position import AccountPosition, ProductKind
from arrears.core.hardship.value import expected_value_minor
from arrears.core.money import Money
from arrears.core.schedule import RepaymentMethod


@dataclass(frozen=True, slots=True)
class Phase:
    """One step of an option's path: a label key, how many months, and its terms."""

    key: str
    months: int
    params: Mapping[str, Param] = field(default_factory=dict)


@dataclass(frozen=True)
class RepaymentOption:
    id: str  # stable within a quote, e.g. "term_extension:annuity:48"
    kind: OptionKind
    phases: tuple[Phase, ...]
    schedule: PlanSchedule
    fits: bool  # every instalment is within what the borrower can pay that month
    first_unaffordable: int | None  # the first instalment that is not, if any
    expected_value: Money  # to the lender, discounted and weighted by the chance of failure
    monthly_failure_percent: Decimal
    re_age_after_payments: int | None
    notes: tuple[Reason, ...] = ()
    waive_annual_fee: bool = True  # a card's annual fee charged during the plan is waived

    @property
    def total_payment(self) -> Money:
        return self.schedule.total_payment

    @property
    def total_interest(self) -> Money:
        return self.schedule.total_interest

    @property
    def first_payment(self) -> Money:
        return self.schedule.first_payment

    @property
    def max_payment(self) -> Money:
        return self.schedule.max_payment

    @property
    def months(self) -> int:
        return self.schedule.months


@dataclass(frozen=True)
class _Draft:
    """An option before it is priced: its path and schedule."""

    id: str
    phases: tuple[Phase, ...]
    schedule: PlanSchedule
    notes: tuple[Reason, ...] = ()


#: Builds a schedule for a term (months); the fit search calls it for each candidate term.
_ForTerm = Callable[[int], _Draft]


def repayment_options(
    position: AccountPosition, affordability: Affordability, policy: HardshipPolicy
) -> tuple[RepaymentOption, ...]:
    """Every option the policy allows on this product, priced, in a stable order."""
    if affordability.currency != position.currency:
        raise ValidationError(
            "currency",
            f"the assessment is in {affordability.currency}, the account in {position.currency}",
        )
    if policy.jurisdiction != position.jurisdiction:
        raise ValidationError(
            "jurisdiction",
            f"the policy is for {policy.jurisdiction}, the account in {position.jurisdiction}",
        )
    quoted: dict[str, RepaymentOption] = {}
    for kind in policy.offers(position.product_kind):
        rule = policy.rule(kind)
        quote = _Quote(position, affordability, policy, kind, rule)
        for draft in _DRAFTERS[kind](quote):
            quoted.setdefault(draft.id, quote.priced(draft))
    return tuple(quoted.values())


@dataclass(frozen=True)
class _Quote:
    """What every drafter needs: the account, the borrower, the policy and this kind's rule."""

    position: AccountPosition
    affordability: Affordability
    policy: HardshipPolicy
    kind: OptionKind
    rule: OptionRule
    _allowances: dict[int, int] = field(default_factory=dict)

    def builder(self) -> PlanBuilder:
        return PlanBuilder(self.position, waive_fees=self.rule.waive_fees)

    def re_age_after(self) -> int:
        return self.policy.re_age_after_payments

    def fit(self, schedule: PlanSchedule) -> int | None:
        """The first instalment above what the borrower can pay that month, or None."""
        for row in schedule.rows:
            if row.payment > self._allowance(row.number):
                return row.number
        return None

    def _allowance(self, number: int) -> int:
        """`Affordability.allowance` in minor units (compared for every row of every draft)."""
        cached = self._allowances.get(number)
        if cached is None:
            cached = self._allowances[number] = self.affordability.allowance(number).minor
        return cached

    def priced(self, draft: _Draft) -> RepaymentOption:
        misfit = self.fit(draft.schedule)
        policy, rule = self.policy, self.rule
        value = expected_value_minor(
            draft.schedule.payments_minor,
            self.position.currency,
            monthly_failure_percent=rule.monthly_failure_percent,
            discount_rate_percent=policy.discount_rate_percent,
            recovery_rate_percent=policy.recovery_rate_percent,
            recovery_lag_months=policy.recovery_lag_months,
            rounding=self.position.rounding,
        )
        re_age = self.re_age_after() if self.kind not in _SETTLEMENTS else None
        notes = list(draft.notes)
        if draft.schedule.forgiven:
            notes.append(Reason("forgiven", {"amount": draft.schedule.forgiven}))
        if re_age is not None:
            notes.append(Reason("re_age_after", {"payments": re_age}))
        return RepaymentOption(
            id=draft.id,
            kind=self.kind,
            phases=draft.phases,
            schedule=draft.schedule,
            fits=misfit is None,
            first_unaffordable=misfit,
            expected_value=value,
            monthly_failure_percent=rule.monthly_failure_percent,
            re_age_after_payments=re_age,
            notes=tuple(notes),
            waive_annual_fee=rule.waive_annual_fee,
        )

    def terms(self, *, longest: int, extend_only: bool) -> list[int]:
        """The terms to quote: the policy's, and the shortest that fits when it asks for that.

        A loan's term is only *extended* (longer than the instalments left); a card has no term,
        so any term up to the policy's maximum is quoted.
        """
        shortest = self.position.remaining_months + 1 if extend_only else 1
        return sorted({t for t in self.rule.terms if shortest <= t <= longest})

    def shortest_fitting(
        self, draft_for: _ForTerm, *, longest: int, extend_only: bool
    ) -> Iterator[_Draft]:
        """The shortest term whose every instalment fits, if the policy asks for it.

        Found by bisection, since the instalment falls as the term grows; the term found is
        checked like any other, so it always fits.
        """
        if not self.rule.fit_shortest_term:
            return
        low = self.position.remaining_months + 1 if extend_only else 1
        if low > longest:
            return
        best = draft_for(longest)
        if self.fit(best.schedule) is not None:
            return  # not even the longest term fits
        high = longest
        while low < high:
            middle = (low + high) // 2
            draft = draft_for(middle)
            if self.fit(draft.schedule) is None:
                best, high = draft, middle
            else:
                low = middle + 1
        yield best


_SETTLEMENTS = {OptionKind.SETTLEMENT_LUMP_SUM, OptionKind.SETTLEMENT_PLAN}


def _contract_phase(quote: _Quote) -> Phase:
    position = quote.position
    return Phase(
        "contract",
        position.remaining_months,
        {"apr": position.apr, "method": position.method},
    )


def _holiday_phase(months: int, treatment: InterestTreatment) -> Phase:
    return Phase("payment_holiday", months, {"interest": treatment})


def _payment_holiday(quote: _Quote) -> Iterator[_Draft]:
    """A holiday of N months, then the contract's remaining instalments, recomputed."""
    position, rule = quote.position, quote.rule
    for months in sorted(set(rule.months)):
        builder = quote.builder()
        builder.holiday(months, rule.interest, position.apr)
        builder.repay(position.remaining_months, position.apr, position.method, "contract")
        yield _Draft(
            id=f"{quote.kind}:{months}:{rule.interest}",
            phases=(_holiday_phase(months, rule.interest), _contract_phase(quote)),
            schedule=builder.build(re_age_after=quote.re_age_after()),
            notes=(Reason("interest_treatment", {"treatment": rule.interest}),),
        )


def _holiday_then_reamortise(quote: _Quote) -> Iterator[_Draft]:
    """A holiday of N months, then everything re-amortised over a longer term."""
    position, rule = quote.position, quote.rule
    extend_only = position.product_kind is ProductKind.LOAN
    for months in sorted(set(rule.months)):
        for method in rule.methods:

            def draft_for(
                term: int, months: int = months, method: RepaymentMethod = method
            ) -> _Draft:
                builder = quote.builder()
                builder.holiday(months, rule.interest, position.apr)
                builder.repay(term, position.apr, method, "term_extension")
                return _Draft(
                    id=f"{quote.kind}:{months}:{rule.interest}:{method}:{term}",
                    phases=(
                        _holiday_phase(months, rule.interest),
                        Phase("term_extension", term, {"apr": position.apr, "method": method}),
                    ),
                    schedule=builder.build(re_age_after=quote.re_age_after()),
                    notes=(Reason("interest_treatment", {"treatment": rule.interest}),),
                )

            longest = rule.max_months - months
            cached = functools.cache(draft_for)
            for term in quote.terms(longest=longest, extend_only=extend_only):
                yield cached(term)
            yield from quote.shortest_fitting(cached, longest=longest, extend_only=extend_only)


def _reduced_payments(quote: _Quote) -> Iterator[_Draft]:
    """N months at the affordable amount, then the contract's remaining instalments recomputed.

    Not quoted when the borrower can afford nothing (that is a holiday) or the full instalment
    (then nothing needs reducing).
    """
    position, rule = quote.position, quote.rule
    amount = quote.affordability.affordable_payment
    if amount.is_zero() or amount >= position.contractual_instalment:
        return
    for months in sorted(set(rule.months)):
        builder = quote.builder()
        builder.reduced(months, amount, position.apr)
        builder.repay(position.remaining_months, position.apr, position.method, "contract")
        yield _Draft(
            id=f"{quote.kind}:{months}",
            phases=(
                Phase("reduced_payments", months, {"payment": amount}),
                _contract_phase(quote),
            ),
            schedule=builder.build(re_age_after=quote.re_age_after()),
        )


def _reamortised(
    apr_for: Callable[[_Quote], Decimal | None], *, extend_only_loans: bool
) -> Callable[[_Quote], Iterator[_Draft]]:
    """Term extension, 个性化分期, interest freeze and rate reduction: one path, another rate."""

    def drafts(quote: _Quote) -> Iterator[_Draft]:
        position, rule = quote.position, quote.rule
        apr = apr_for(quote)
        if apr is None:
            return
        extend_only = extend_only_loans and position.product_kind is ProductKind.LOAN
        methods = rule.methods if apr else (RepaymentMethod.EQUAL_PRINCIPAL,)
        for method in methods:

            def draft_for(term: int, method: RepaymentMethod = method) -> _Draft:
                builder = quote.builder()
                builder.repay(term, apr, method, quote.kind)
                return _Draft(
                    id=f"{quote.kind}:{method}:{term}",
                    phases=(Phase(quote.kind, term, {"apr": apr, "method": method}),),
                    schedule=builder.build(re_age_after=quote.re_age_after()),
                )

            cached = functools.cache(draft_for)
            for term in quote.terms(longest=rule.max_months, extend_only=extend_only):
                yield cached(term)
            yield from quote.shortest_fitting(
                cached, longest=rule.max_months, extend_only=extend_only
            )

    return drafts


def _reduced_apr(quote: _Quote) -> Decimal | None:
    """The policy's reduced APR, or None when it is not below the contract's."""
    reduced = quote.rule.apr_percent
    if reduced is None or reduced >= quote.position.apr:
        return None
    return reduced


def _settlement_amounts(quote: _Quote) -> list[tuple[Decimal, Money]]:
    """(discount percent, amount) for each quoted discount, and for the borrower's lump sum
    when it settles within the largest discount the policy allows."""
    owed = quote.position.owed
    rounding = quote.position.rounding
    found = {
        discount: owed.times((100 - discount) / 100, rounding)
        for discount in quote.rule.discount_percents
    }
    lump = quote.affordability.lump_sum_available
    floor = owed.times((100 - quote.rule.max_discount_percent) / 100, rounding)
    if quote.kind is OptionKind.SETTLEMENT_LUMP_SUM and floor <= lump < owed:
        offered = (owed - lump).amount * 100 / owed.amount
        found.setdefault(offered.quantize(Decimal("0.01")), lump)
    return sorted(found.items())


def _settlement_lump_sum(quote: _Quote) -> Iterator[_Draft]:
    for discount, amount in _settlement_amounts(quote):
        builder = quote.builder()
        builder.settle(amount, 1, quote.kind)
        yield _Draft(
            id=f"{quote.kind}:{amount.amount}",
            phases=(Phase(quote.kind, 1, {"discount_percent": discount, "amount": amount}),),
            schedule=builder.build(),
        )


def _settlement_plan(quote: _Quote) -> Iterator[_Draft]:
    for months in sorted(set(quote.rule.months)):
        for discount, amount in _settlement_amounts(quote):
            builder = quote.builder()
            builder.settle(amount, months, quote.kind)
            yield _Draft(
                id=f"{quote.kind}:{months}:{amount.amount}",
                phases=(
                    Phase(quote.kind, months, {"discount_percent": discount, "amount": amount}),
                ),
                schedule=builder.build(),
            )


_DRAFTERS: dict[OptionKind, Callable[[_Quote], Iterator[_Draft]]] = {
    OptionKind.PAYMENT_HOLIDAY: _payment_holiday,
    OptionKind.HOLIDAY_THEN_REAMORTISE: _holiday_then_reamortise,
    OptionKind.REDUCED_PAYMENTS: _reduced_payments,
    OptionKind.TERM_EXTENSION: _reamortised(lambda q: q.position.apr, extend_only_loans=True),
    OptionKind.PERSONALISED_INSTALMENT: _reamortised(
        lambda q: q.position.apr, extend_only_loans=True
    ),
    OptionKind.INTEREST_FREEZE: _reamortised(lambda q: Decimal(0), extend_only_loans=False),
    OptionKind.RATE_REDUCTION: _reamortised(_reduced_apr, extend_only_loans=False),
    OptionKind.SETTLEMENT_LUMP_SUM: _settlement_lump_sum,
    OptionKind.SETTLEMENT_PLAN: _settlement_plan,
}
