"""Plan schedules to the cent: holidays, reduced payments, re-amortisation and settlements."""

from datetime import date
from decimal import Decimal

import numpy_financial as npf
import pytest

from arrears.core.hardship.plans import PlanBuilder, PlanSchedule
from arrears.core.hardship.policy import InterestTreatment
from arrears.core.schedule import RepaymentMethod

from .builders import card, cny, loan

ANNUITY, EQUAL_PRINCIPAL = RepaymentMethod.ANNUITY, RepaymentMethod.EQUAL_PRINCIPAL
TWELVE = Decimal("12")  # 12 % a year: exactly 1 % a month


def twelve_thousand(**changes: object) -> PlanBuilder:
    """12,000 yuan at 12 % with 12 instalments left: easy to check by hand."""
    position = loan(principal=cny("12000.00"), remaining_months=12, **changes)
    return PlanBuilder(position)


def assert_pays_off(schedule: PlanSchedule) -> None:
    """What the schedule says it settles is exactly what its instalments pay."""
    rows = schedule.instalments
    assert rows[-1].balance_after.is_zero()
    for row in rows:
        assert row.payment == row.principal + row.interest + row.fees
    expected = schedule.owed_at_start + schedule.interest_added - schedule.forgiven
    assert schedule.total_payment == expected


def test_a_three_month_holiday_capitalises_each_month_interest_on_the_grown_balance() -> None:
    builder = twelve_thousand()
    builder.holiday(3, InterestTreatment.CAPITALISE, TWELVE)
    builder.repay(12, TWELVE, ANNUITY, "contract")
    schedule = builder.build()
    holiday = schedule.instalments[:3]
    assert [r.payment for r in holiday] == [cny("0.00")] * 3
    # 12,000 → 12,120.00 → 12,241.20 → 12,363.61 (122.412 rounds to 122.41)
    assert [r.interest_added for r in holiday] == [cny("120.00"), cny("121.20"), cny("122.41")]
    assert [r.balance_after for r in holiday] == [
        cny("12120.00"),
        cny("12241.20"),
        cny("12363.61"),
    ]
    assert schedule.capitalised_interest == cny("363.61")
    assert_pays_off(schedule)


def test_after_the_holiday_the_contract_resumes_recomputed_on_the_grown_balance() -> None:
    builder = twelve_thousand()
    builder.holiday(3, InterestTreatment.CAPITALISE, TWELVE)
    builder.repay(12, TWELVE, ANNUITY, "contract")
    contract = builder.build().instalments[3:]
    assert len(contract) == 12
    independent = -npf.pmt(0.01, 12, 12363.61)  # float, in tests only, as a cross-check
    assert independent == pytest.approx(1098.49, abs=0.005)
    assert [r.payment for r in contract[:11]] == [cny("1098.49")] * 11
    assert contract[0].interest == cny("123.64")  # 1 % of 12,363.61
    assert {r.phase for r in contract} == {"contract"}


def test_instalments_fall_due_on_the_repayment_day_month_after_month() -> None:
    builder = PlanBuilder(card(as_of=date(2026, 1, 31), repayment_day=31))
    builder.holiday(1, InterestTreatment.FROZEN, Decimal("18.25"))
    builder.repay(3, Decimal("18.25"), ANNUITY, "contract")
    dates = [r.due_on for r in builder.build().instalments]
    assert dates == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]


def test_holiday_interest_due_at_the_end_is_added_to_the_last_instalment_only() -> None:
    builder = twelve_thousand()
    builder.holiday(2, InterestTreatment.DUE_AT_END, TWELVE)
    builder.repay(12, TWELVE, ANNUITY, "contract")
    schedule = builder.build()
    assert [r.interest_added for r in schedule.instalments[:2]] == [cny("120.00")] * 2
    contract = schedule.instalments[2:]
    plain = PlanBuilder(loan(principal=cny("12000.00"), remaining_months=12))
    plain.repay(12, TWELVE, ANNUITY, "contract")
    reference = plain.build().instalments
    assert [r.payment for r in contract[:-1]] == [r.payment for r in reference[:-1]]
    assert contract[-1].payment == reference[-1].payment + cny("240.00")
    assert schedule.capitalised_interest.is_zero()
    assert_pays_off(schedule)


def test_a_frozen_holiday_adds_no_interest() -> None:
    builder = twelve_thousand()
    builder.holiday(3, InterestTreatment.FROZEN, TWELVE)
    builder.repay(12, TWELVE, ANNUITY, "contract")
    schedule = builder.build()
    assert all(r.interest_added.is_zero() for r in schedule.instalments[:3])
    assert schedule.instalments[2].balance_after == cny("12000.00")
    assert_pays_off(schedule)


def test_reduced_payments_pay_the_month_interest_first_then_principal() -> None:
    builder = twelve_thousand()
    builder.reduced(2, cny("500.00"), TWELVE)
    builder.repay(12, TWELVE, ANNUITY, "contract")
    first, second = builder.build().instalments[:2]
    assert (first.payment, first.interest, first.principal) == (
        cny("500.00"),
        cny("120.00"),
        cny("380.00"),
    )
    assert first.balance_after == cny("11620.00")
    assert (second.interest, second.principal) == (cny("116.20"), cny("383.80"))


def test_a_reduced_payment_below_the_interest_capitalises_the_unpaid_interest() -> None:
    builder = twelve_thousand()
    builder.reduced(1, cny("100.00"), TWELVE)
    builder.repay(12, TWELVE, ANNUITY, "contract")
    schedule = builder.build()
    first = schedule.instalments[0]
    assert (first.interest, first.principal) == (cny("100.00"), cny("0.00"))
    assert first.balance_after == cny("12020.00")
    assert schedule.capitalised_interest == cny("20.00")
    assert_pays_off(schedule)


def test_owed_interest_and_fees_are_spread_evenly_without_interest_on_them() -> None:
    position = card(interest=cny("600.01"), fees=cny("50.00"))
    builder = PlanBuilder(position)
    builder.repay(12, Decimal("18.25"), EQUAL_PRINCIPAL, "personalised_instalment")
    schedule = builder.build()
    rows = schedule.instalments
    assert rows[0].fees == cny("4.17") and rows[-1].fees == cny("4.16")
    assert schedule.total_fees == cny("50.00")
    new_interest = sum((r.interest_added.minor for r in rows), 0)
    assert schedule.total_interest.minor == 60001 + new_interest
    assert_pays_off(schedule)


def test_waived_fees_are_forgiven_and_never_asked_for() -> None:
    builder = PlanBuilder(card(), waive_fees=True)
    builder.repay(12, Decimal("0"), EQUAL_PRINCIPAL, "interest_freeze")
    schedule = builder.build()
    assert schedule.total_fees.is_zero()
    assert schedule.forgiven == cny("50.00")
    assert schedule.total_payment == cny("20600.00")  # principal and owed interest, no more
    assert_pays_off(schedule)


def test_a_settlement_forgives_fees_then_interest_then_principal() -> None:
    builder = PlanBuilder(card())  # 20,000 principal, 600 interest, 50 fees
    builder.settle(cny("20000.00"), 3, "settlement_plan")
    schedule = builder.build()
    assert schedule.forgiven == cny("650.00")
    assert schedule.total_fees.is_zero() and schedule.total_interest.is_zero()
    assert [r.payment for r in schedule.instalments] == [
        cny("6666.67"),
        cny("6666.67"),
        cny("6666.66"),
    ]
    assert_pays_off(schedule)


def test_a_small_discount_leaves_the_fees_forgiven_and_interest_paid_first() -> None:
    builder = PlanBuilder(card())
    builder.settle(cny("20630.00"), 2, "settlement_plan")  # 20 off: fees only
    first, second = builder.build().instalments
    assert (first.fees, first.interest, first.principal) == (
        cny("30.00"),
        cny("600.00"),
        cny("9685.00"),
    )
    assert (second.fees, second.interest) == (cny("0.00"), cny("0.00"))


def test_a_settlement_never_asks_more_than_is_owed() -> None:
    builder = PlanBuilder(card())
    with pytest.raises(ValueError, match="never asks more"):
        builder.settle(cny("20650.01"), 1, "settlement_lump_sum")


def test_re_ageing_is_marked_on_the_instalment_that_completes_the_run() -> None:
    builder = twelve_thousand()
    builder.holiday(2, InterestTreatment.CAPITALISE, TWELVE)
    builder.repay(12, TWELVE, ANNUITY, "contract")
    rows = builder.build(re_age_after=3).instalments
    assert [r.number for r in rows if r.re_ages] == [5]  # the third paying instalment
