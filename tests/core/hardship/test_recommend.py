"""The recommendation: the affordable option worth most to the lender, with its reasons."""

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from arrears.core.hardship.affordability import Affordability
from arrears.core.hardship.assessment import Income
from arrears.core.hardship.offer import price_options
from arrears.core.hardship.options import repayment_options
from arrears.core.hardship.policy import OptionKind
from arrears.core.hardship.position import AccountPosition
from arrears.core.hardship.recommend import recommend
from arrears.core.money import Money

from .builders import card, cn_policy, cny, fixed_affordability, loan, lost_job, statement

K = OptionKind


def reason_keys(recommendation: object) -> list[str]:
    return [r.key for r in recommendation.reasons]  # type: ignore[attr-defined]


# --- scenarios in the lender's words ---------------------------------------------------------


def test_a_borrower_who_lost_their_job_gets_a_holiday_then_a_re_amortised_plan() -> None:
    # 30,000 owed at 12 %, 24 instalments of 1,412.20 left. Benefits only for three months,
    # then a new job on a lower wage: 837 a month affordable after that.
    offer = price_options(position=loan(), statement=lost_job())
    chosen = offer.recommendation.option
    assert chosen is not None
    assert chosen.kind is K.HOLIDAY_THEN_REAMORTISE
    holiday, repayment = chosen.phases
    assert (holiday.key, holiday.months) == ("payment_holiday", 3)
    assert repayment.key == "term_extension" and repayment.months > 24
    rows = chosen.schedule.instalments
    assert all(r.payment.is_zero() for r in rows[:3])  # nothing to pay while out of work
    assert all(r.payment <= cny("837.00") for r in rows[3:])  # affordable on the new wage
    assert chosen.re_age_after_payments == 3
    assert {"difficulty_is_temporary", "best_expected_value", "fits_affordability"} <= set(
        reason_keys(offer.recommendation)
    )


def test_going_straight_back_to_the_contract_after_the_holiday_is_not_affordable() -> None:
    offer = price_options(position=loan(), statement=lost_job())
    back = [o for o in offer.options if o.kind is K.PAYMENT_HOLIDAY]
    assert back and not any(o.fits for o in back)
    three_months = next(o for o in back if o.phases[0].months == 3)
    assert three_months.first_unaffordable == 4  # the first instalment after the holiday


def test_a_borrower_who_cannot_afford_any_plan_is_referred_to_debt_advice() -> None:
    # A permanent drop in income: 60 yuan a month left, less than any plan's instalment.
    borrower = statement(incomes=(Income("pension", cny("6537.00")),))
    offer = price_options(position=card(), statement=borrower)
    assert offer.affordability.affordable_payment == cny("60.30")
    assert offer.options and not any(o.fits for o in offer.options)
    recommendation = offer.recommendation
    assert recommendation.option is None and recommendation.refer_to_debt_advice
    assert reason_keys(recommendation)[-3:] == [
        "no_affordable_option",
        "refer_to_debt_advice",
        "settlement_review",
    ]
    lowest = recommendation.reasons[-3].params["lowest_instalment"]
    assert lowest == min((o.max_payment for o in offer.options), key=lambda m: m.amount)


def test_a_vulnerable_borrower_is_routed_to_trained_staff() -> None:
    offer = price_options(
        position=card(), statement=statement(vulnerabilities=frozenset({"health", "age"}))
    )
    first = offer.recommendation.reasons[0]
    assert first.key == "route_to_trained_staff" and first.params["flags"] == "age, health"


def test_a_borrower_who_can_keep_to_the_contract_is_told_so() -> None:
    offer = price_options(position=card(), statement=statement())
    assert "contract_affordable" in reason_keys(offer.recommendation)


def test_the_plan_is_compared_with_sending_the_account_to_collection() -> None:
    offer = price_options(position=loan(), statement=lost_job())
    assert offer.recommendation.collection_value == cny("6944.44")  # 25 % of 30,000 a year on
    assert "above_collection_value" in reason_keys(offer.recommendation)


def test_a_tie_in_value_goes_to_the_option_that_costs_the_borrower_less() -> None:
    options = repayment_options(card(), fixed_affordability("5000.00"), cn_policy())
    cheaper, dearer = sorted((o for o in options if o.fits), key=lambda o: o.total_payment.amount)[
        :2
    ]
    same = cny("10000.00")
    tied = [replace(dearer, expected_value=same), replace(cheaper, expected_value=same)]
    recommendation = recommend(tied, fixed_affordability("5000.00"))
    assert recommendation.option is not None and recommendation.option.id == cheaper.id
    assert "tie_broken_by_lower_cost" in reason_keys(recommendation)


def test_a_valuable_plan_the_borrower_cannot_afford_is_never_recommended() -> None:
    options = repayment_options(loan(), fixed_affordability("900.00"), cn_policy())
    unaffordable = next(o for o in options if not o.fits)
    richest = replace(unaffordable, expected_value=cny("999999.00"))
    recommendation = recommend([richest, *options], fixed_affordability("900.00"))
    assert recommendation.option is not None
    assert recommendation.option.fits and recommendation.option.id != richest.id


# --- properties ------------------------------------------------------------------------------

positions = st.builds(
    lambda principal, apr, remaining, kind: (card if kind == "card" else loan)(
        principal=Money.from_minor(principal, "CNY"), apr=apr, remaining_months=remaining
    ),
    principal=st.integers(min_value=1_000_00, max_value=200_000_00),
    apr=st.decimals(min_value=Decimal(0), max_value=Decimal("36"), places=2),
    remaining=st.integers(min_value=1, max_value=48),
    kind=st.sampled_from(["card", "loan"]),
)
affordabilities = st.builds(
    lambda monthly, lump: fixed_affordability(
        str(Money.from_minor(monthly, "CNY").amount), lump=str(Money.from_minor(lump, "CNY").amount)
    ),
    monthly=st.integers(min_value=0, max_value=10_000_00),
    lump=st.sampled_from([0, 5_000_00, 50_000_00]),
)


@settings(max_examples=25, deadline=None)
@given(position=positions, affordability=affordabilities)
def test_a_recommended_option_is_always_affordable_and_worth_the_most(
    position: AccountPosition, affordability: Affordability
) -> None:
    options = repayment_options(position, affordability, cn_policy())
    recommendation = recommend(options, affordability)
    affordable = [o for o in options if o.fits]
    if not affordable:
        assert recommendation.option is None
        assert "refer_to_debt_advice" in reason_keys(recommendation)
        return
    chosen = recommendation.option
    assert chosen is not None and chosen.fits
    assert all(r.payment <= affordability.allowance(r.number).minor for r in chosen.schedule.rows)
    best = max(o.expected_value.amount for o in affordable)
    assert chosen.expected_value.amount == best
    assert list(recommendation.ranked) == sorted(
        affordable, key=lambda o: (-o.expected_value.amount, o.total_payment.amount, o.months, o.id)
    )
