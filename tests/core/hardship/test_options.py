"""Repayment options: what each kind quotes, its exact schedule and its totals."""

from dataclasses import replace
from decimal import Decimal

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.errors import ValidationError
from arrears.core.hardship.affordability import Affordability
from arrears.core.hardship.options import RepaymentOption, repayment_options
from arrears.core.hardship.policy import HardshipPolicy, OptionKind, bundled_hardship_policy
from arrears.core.hardship.position import AccountPosition
from arrears.core.money import Money
from arrears.core.schedule import RepaymentMethod, monthly_rate

from .builders import card, cn_policy, cny, fixed_affordability, loan

K = OptionKind


def options_for(
    position: AccountPosition, monthly: str = "800.00", **policy_changes: object
) -> tuple[RepaymentOption, ...]:
    policy = bundled_hardship_policy(position.jurisdiction)
    return repayment_options(position, fixed_affordability(monthly), policy)


def only(kind: OptionKind, product_kind: str, **rule: object) -> HardshipPolicy:
    """The CN policy offering just one kind of option, with its rule changed."""
    policy = cn_policy().with_rule(kind, **rule)
    return replace(policy, allowed={product_kind: frozenset({kind})})


def kinds(options: tuple[RepaymentOption, ...]) -> set[OptionKind]:
    return {o.kind for o in options}


# --- what is offered where ------------------------------------------------------------------


def test_a_chinese_card_is_offered_personalised_instalments_and_an_interest_freeze() -> None:
    offered = kinds(options_for(card()))
    assert K.PERSONALISED_INSTALMENT in offered
    assert K.INTEREST_FREEZE in offered
    assert K.TERM_EXTENSION not in offered  # on CN cards it is 个性化分期


def test_personalised_instalments_never_run_beyond_60_months() -> None:
    plans = [o for o in options_for(card(), "100.00") if o.kind is K.PERSONALISED_INSTALMENT]
    assert plans
    assert max(o.months for o in plans) == 60


def test_a_loan_term_is_only_extended_never_shortened() -> None:
    for option in options_for(loan()):
        if option.kind is K.TERM_EXTENSION:
            assert option.months > loan().remaining_months


def test_a_us_loan_is_offered_a_rate_reduction_at_the_policy_rate() -> None:
    position = loan(
        jurisdiction="US",
        currency="USD",
        principal=Money("5000.00", "USD"),
        interest=Money("0.00", "USD"),
        fees=Money("0.00", "USD"),
        contractual_instalment=Money("300.00", "USD"),
        apr=Decimal("24"),
    )
    policy = bundled_hardship_policy("US")
    options = repayment_options(position, fixed_affordability("200.00", currency="USD"), policy)
    cut = [o for o in options if o.kind is K.RATE_REDUCTION]
    assert cut and all(o.phases[0].params["apr"] == Decimal("9.9") for o in cut)


def test_no_rate_reduction_is_quoted_when_the_contract_rate_is_already_lower() -> None:
    cheap = loan(apr=Decimal("6"))
    assert K.RATE_REDUCTION not in kinds(options_for(cheap))


def test_reduced_payments_are_at_the_affordable_amount_then_back_to_the_contract() -> None:
    reduced = [o for o in options_for(loan(), "700.00") if o.kind is K.REDUCED_PAYMENTS]
    assert [o.months - 24 for o in reduced] == [3, 6]
    for option in reduced:
        first = option.phases[0]
        assert first.key == "reduced_payments" and first.params["payment"] == cny("700.00")
        rows = option.schedule.instalments
        assert all(r.payment == cny("700.00") for r in rows[: first.months])
        assert option.phases[1].key == "contract" and option.phases[1].months == 24


def test_no_reduced_payments_when_the_borrower_can_pay_nothing_or_everything() -> None:
    assert K.REDUCED_PAYMENTS not in kinds(options_for(loan(), "0.00"))
    assert K.REDUCED_PAYMENTS not in kinds(options_for(loan(), "1412.20"))


def test_the_shortest_affordable_term_is_quoted_beside_the_policy_terms() -> None:
    plans = [o for o in options_for(loan(), "850.00") if o.kind is K.TERM_EXTENSION]
    annuity = [o for o in plans if o.phases[0].params["method"] == "annuity"]
    fitting = [o for o in annuity if o.fits]
    shortest = min(fitting, key=lambda o: o.months)
    assert shortest.months not in (36, 48, 60)
    assert shortest.max_payment <= cny("850.00")
    longer_by_one_less = [o for o in annuity if o.months == shortest.months - 1]
    assert not longer_by_one_less  # nothing shorter was quoted, because nothing shorter fits


def test_a_settlement_offer_matches_the_lump_sum_the_borrower_can_raise() -> None:
    affordability = fixed_affordability("0.00", lump="16000.00")
    options = repayment_options(card(), affordability, cn_policy())
    lump = [o for o in options if o.kind is K.SETTLEMENT_LUMP_SUM and o.fits]
    assert sorted(o.total_payment.amount for o in lump) == [
        Decimal("14455.00"),
        Decimal("16000.00"),
    ]


def test_options_need_the_assessment_in_the_account_currency() -> None:
    with pytest.raises(ValidationError) as error:
        repayment_options(card(), fixed_affordability("100.00", currency="USD"), cn_policy())
    assert error.value.field == "currency"


def test_options_need_the_policy_of_the_account_jurisdiction() -> None:
    with pytest.raises(ValidationError) as error:
        repayment_options(card(), fixed_affordability("100.00"), bundled_hardship_policy("GB"))
    assert error.value.field == "jurisdiction"


# --- exact schedules, cross-checked --------------------------------------------------------


def test_a_personalised_instalment_plan_matches_numpy_financial_to_the_cent() -> None:
    position = card(interest=cny("0.00"), fees=cny("0.00"))
    plans = [o for o in options_for(position) if o.id == "personalised_instalment:annuity:36"]
    (plan,) = plans
    rate = float(Decimal("18.25") / 1200)
    regular = -npf.pmt(rate, 36, 20000)
    assert abs(float(plan.first_payment.amount) - regular) <= 0.005
    for row in plan.schedule.instalments:
        exact_interest = -npf.ipmt(rate, row.number, 36, 20000)
        assert abs(float(row.interest.amount) - exact_interest) < 0.05  # rounding drift only


terms = st.integers(min_value=2, max_value=60)
rates = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("36"), places=2)
principals = st.integers(min_value=100_00, max_value=500_000_00)


@settings(max_examples=60, deadline=None)
@given(principal=principals, apr=rates, months=terms)
def test_re_amortised_annuities_agree_with_numpy_financial(
    principal: int, apr: Decimal, months: int
) -> None:
    position = loan(principal=Money.from_minor(principal, "CNY"), remaining_months=1, apr=apr)
    option = _term_extension(position, months, RepaymentMethod.ANNUITY)
    rate = float(monthly_rate(apr))
    regular = -npf.pmt(rate, months, principal / 100)
    rows = option.schedule.instalments
    assert abs(float(rows[0].payment.amount) - regular) <= 0.005 + 1e-9
    assert option.schedule.total_principal == position.principal
    remaining = principal
    for row in rows:  # every month's interest is the rounded rate on what is still owed
        assert row.interest.minor == int(
            (Decimal(remaining) * monthly_rate(apr)).quantize(Decimal(1), rounding="ROUND_HALF_UP")
        )
        remaining -= row.principal.minor
    assert remaining == 0


@settings(max_examples=60, deadline=None)
@given(principal=principals, apr=rates, months=terms)
def test_re_amortised_equal_principal_pays_the_same_principal_and_falling_interest(
    principal: int, apr: Decimal, months: int
) -> None:
    position = loan(principal=Money.from_minor(principal, "CNY"), remaining_months=1, apr=apr)
    option = _term_extension(position, months, RepaymentMethod.EQUAL_PRINCIPAL)
    rows = option.schedule.instalments
    parts = {r.principal.minor for r in rows}
    assert max(parts) - min(parts) <= 1
    payments = [r.payment for r in rows]
    assert payments == sorted(payments, key=lambda m: m.amount, reverse=True)
    rate = float(monthly_rate(apr))
    expected_first_interest = principal / 100 * rate
    assert abs(float(rows[0].interest.amount) - expected_first_interest) <= 0.005 + 1e-9


def _term_extension(
    position: AccountPosition, months: int, method: RepaymentMethod
) -> RepaymentOption:
    policy = only(
        K.TERM_EXTENSION, "loan", terms=(months,), methods=(method,), fit_shortest_term=False
    )
    options = repayment_options(position, fixed_affordability("0.00"), policy)
    (option,) = [o for o in options if o.kind is K.TERM_EXTENSION]
    return option


# --- properties of every option --------------------------------------------------------------

positions = st.builds(
    lambda principal, interest, fees, apr, remaining, kind: (card if kind == "card" else loan)(
        principal=Money.from_minor(principal, "CNY"),
        interest=Money.from_minor(interest, "CNY"),
        fees=Money.from_minor(fees, "CNY"),
        apr=apr,
        remaining_months=remaining,
    ),
    principal=st.integers(min_value=1, max_value=200_000_00),
    interest=st.integers(min_value=0, max_value=5_000_00),
    fees=st.integers(min_value=0, max_value=500_00),
    apr=st.decimals(min_value=Decimal(0), max_value=Decimal("36"), places=2),
    remaining=st.integers(min_value=1, max_value=48),
    kind=st.sampled_from(["card", "loan"]),
)
affordable = st.integers(min_value=0, max_value=20_000_00).map(
    lambda minor: fixed_affordability(str(Money.from_minor(minor, "CNY").amount))
)


@settings(max_examples=25, deadline=None)
@given(position=positions, affordability=affordable)
def test_every_option_pays_off_exactly_what_it_says(
    position: AccountPosition, affordability: Affordability
) -> None:
    for option in repayment_options(position, affordability, cn_policy()):
        schedule = option.schedule
        rows = schedule.rows  # minor units
        assert rows[-1].balance_after == 0
        assert schedule.total_payment.minor == sum(r.payment for r in rows)
        assert schedule.total_payment == (
            schedule.owed_at_start + schedule.interest_added - schedule.forgiven
        )
        owed = schedule.owed_at_start.minor - schedule.forgiven.minor
        for row in rows:  # each month: what was owed, plus interest added, less the payment
            owed += row.interest_added - row.payment
            assert row.balance_after == owed
            assert row.payment >= 0
        assert option.max_payment.minor == max(r.payment for r in rows)
        assert option.first_payment.minor == rows[0].payment


@settings(max_examples=25, deadline=None)
@given(position=positions, affordability=affordable)
def test_a_settlement_never_asks_more_than_the_balance(
    position: AccountPosition, affordability: Affordability
) -> None:
    settling = frozenset({K.SETTLEMENT_LUMP_SUM, K.SETTLEMENT_PLAN})
    policy = replace(cn_policy(), allowed={position.product_kind: settling})
    options = repayment_options(position, affordability, policy)
    assert options
    for option in options:
        assert option.total_payment <= position.owed
        assert option.total_payment + option.schedule.forgiven == position.owed


@settings(max_examples=25, deadline=None)
@given(position=positions, affordability=affordable)
def test_an_option_fits_exactly_when_every_instalment_is_within_reach(
    position: AccountPosition, affordability: Affordability
) -> None:
    for option in repayment_options(position, affordability, cn_policy()):
        within = [
            r.payment <= affordability.allowance(r.number).minor for r in option.schedule.rows
        ]
        assert option.fits == all(within)
        if not option.fits:
            assert option.first_unaffordable == within.index(False) + 1


@settings(max_examples=50, deadline=None)
@given(
    principal=principals,
    apr=st.decimals(min_value=Decimal(0), max_value=Decimal("36"), places=2),
    interest=st.integers(min_value=0, max_value=5_000_00),
    months=st.integers(min_value=1, max_value=59),
    method=st.sampled_from(list(RepaymentMethod)),
)
def test_a_longer_term_never_raises_the_instalment(
    principal: int, apr: Decimal, interest: int, months: int, method: RepaymentMethod
) -> None:
    position = card(
        principal=Money.from_minor(principal, "CNY"),
        interest=Money.from_minor(interest, "CNY"),
        apr=apr,
    )
    shorter = _term_extension_on_card(position, months, method)
    longer = _term_extension_on_card(position, months + 1, method)
    assert longer.first_payment <= shorter.first_payment


def _term_extension_on_card(
    position: AccountPosition, months: int, method: RepaymentMethod
) -> RepaymentOption:
    policy = only(
        K.PERSONALISED_INSTALMENT,
        "card",
        terms=(months,),
        methods=(method,),
        fit_shortest_term=False,
    )
    options = repayment_options(position, fixed_affordability("0.00"), policy)
    return next(o for o in options if o.kind is K.PERSONALISED_INSTALMENT)
