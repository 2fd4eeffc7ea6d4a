"""The KPIs match hand counts on a small fixed book (tests/analytics/conftest.py tells its
story): every figure below was counted from that story, not from the code."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test.utils import override_settings

from arrears.analytics.selectors import kpis
from arrears.core.errors import ValidationError
from tests.analytics.conftest import END, START

#: One instalment of the 12,000 CNY, 12-month loans, in fen.
INSTALMENT = 103943


@pytest.fixture
def march(book):  # type: ignore[no-untyped-def]
    return kpis(start_on=START, end_on=END)


def test_the_report_covers_every_account_open_in_march(march):
    assert march.currency == "CNY"
    assert march.accounts == 6  # Ann, Bo, Chen, Dong, Eve, Fay
    assert march.accounts_at_start == 5  # not Eve, opened on 5 March
    assert march.accounts_in_collection == 3  # Bo, Chen, Dong


def test_roll_rates_follow_each_account_from_its_bucket_on_28_february_to_31_march(march):
    rows = {row.from_bucket: row for row in march.roll_rates}
    assert [row.from_bucket for row in march.roll_rates] == ["current", "M1", "M2"]
    assert rows["current"].to_accounts == {"current": 1}  # Ann
    assert rows["M1"].to_accounts == {"current": 1, "M2": 1}  # Bo cured, Chen rolled
    assert rows["M2"].to_accounts == {"M2": 1, "M3": 1}  # Dong stayed, Fay rolled
    assert rows["M1"].to_shares == {"current": Decimal("0.5"), "M2": Decimal("0.5")}
    assert rows["current"].to_shares == {"current": Decimal("1")}


def test_an_account_that_moved_and_moved_back_within_the_month_counts_where_it_ended(march):
    # Dong went M2 → M1 on his 5 March payment and back to M2 on 31 March
    m2 = next(row for row in march.roll_rates if row.from_bucket == "M2")
    assert m2.to_accounts["M2"] == 1


def test_cure_rate_is_the_share_of_accounts_past_due_at_the_start_that_ended_current(march):
    assert march.delinquent_at_start == 4  # Bo, Chen, Dong, Fay
    assert march.cured == 1  # Bo
    assert march.cure_rate == Decimal("0.2500")


def test_liquidation_rate_is_money_collected_over_the_past_due_balance_at_the_start(march):
    # past due on 1 March: Bo 1, Chen 1, Dong 2, Fay 2 instalments
    assert march.past_due_at_start_minor == 6 * INSTALMENT
    # collected in March from them: Bo 2 instalments, Chen 500.00, Dong 1 instalment
    assert march.collected_from_delinquent_minor == 3 * INSTALMENT + 50000
    assert march.liquidation_rate == Decimal("0.5802")  # 361,829 / 623,658
    assert march.collected_minor == 4 * INSTALMENT + 50000  # and Ann's March instalment


def test_promises_kept_counts_promises_that_fell_due_in_march_by_outcome(march):
    promises = march.promises
    assert (promises.fell_due, promises.kept, promises.partly_kept, promises.broken) == (3, 1, 1, 1)
    assert promises.pending == 0
    assert promises.kept_rate == Decimal("0.3333")
    assert promises.partly_kept_rate == Decimal("0.3333")


def test_right_party_contact_rate_counts_outbound_calls_in_march_only(march):
    contacts = march.contacts
    # Chen: two March calls (one reached him); the February call and Dong's inbound call
    # do not count
    assert contacts.call_attempts == 2
    assert contacts.right_party_calls == 1
    assert contacts.right_party_contact_rate == Decimal("0.5000")


def test_contacts_per_account_and_their_cost_use_the_default_costs(march):
    contacts = march.contacts
    assert contacts.attempts_by_channel == {"call": 2, "sms": 1}
    assert contacts.contacts_per_account == Decimal("1.00")  # 3 attempts, 3 in collection
    assert contacts.cost_by_channel_minor == {"call": 300, "sms": 5}  # 2 × 1.50, 1 × 0.05
    assert contacts.cost_minor == 305
    assert contacts.cost_per_unit_collected == Decimal("0.000655")  # 3.05 / 4,657.72


@override_settings(ARREARS_CONTACT_COSTS={"CNY": {"call": "4.00"}})
def test_a_lenders_own_contact_costs_replace_the_defaults_channel_by_channel(book):
    contacts = kpis(start_on=START, end_on=END).contacts
    assert contacts.cost_by_channel_minor == {"call": 800, "sms": 5}


def test_complaints_per_1000_accounts_count_only_march_complaints(march):
    assert march.complaints == 1  # not the inquiry, not the April complaint
    assert march.complaints_per_1000_accounts == Decimal("166.67")  # 1 per 6 accounts


def test_plans_count_the_accounts_on_an_agreed_plan(march):
    assert march.plans.accounts_on_plans == 1  # Fay
    assert march.plans.share_on_plans == Decimal("0.1667")
    assert (march.plans.completed, march.plans.broken) == (0, 0)
    assert march.plans.completion_rate is None  # no plan ended: nothing to measure


def test_compliance_blocks_are_counted_by_the_rule_that_refused(march):
    assert march.compliance_blocks == 1  # the call at 23:00 on 8 March
    assert march.blocks_by_rule == {"hours.window": 1}


def test_a_product_filter_keeps_only_that_products_accounts(book):
    assert kpis(start_on=START, end_on=END, product="cn_consumer_loan").accounts == 6
    assert kpis(start_on=START, end_on=END, product="cn_card_classic").accounts == 0


def test_a_strategy_arm_keeps_only_accounts_whose_case_followed_that_path(book):
    from arrears.collection.models import Case

    Case.objects.filter(account=book.chen).update(path="call_first")
    found = kpis(start_on=START, end_on=END, strategy_arm="call_first")
    assert found.accounts == 1
    assert found.contacts.call_attempts == 2
    assert found.complaints == 1
    assert kpis(start_on=START, end_on=END, strategy_arm="ladder").accounts == 0


def test_february_sees_none_of_marchs_activity(book):
    found = kpis(start_on=START.replace(month=2), end_on=START)
    assert found.contacts.call_attempts == 1  # the February call to Chen
    assert found.complaints == 0
    assert found.promises.fell_due == 0


def test_kpis_cost_a_handful_of_queries(book, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        kpis(start_on=START, end_on=END, product="cn_consumer_loan", strategy_arm="x:y")


@pytest.mark.django_db
def test_a_period_that_ends_before_it_starts_is_refused_naming_to():
    with pytest.raises(ValidationError) as refused:
        kpis(start_on=END, end_on=START)
    assert refused.value.field == "to"


@pytest.mark.django_db
def test_an_unknown_product_is_refused_naming_product():
    with pytest.raises(ValidationError) as refused:
        kpis(start_on=START, end_on=END, product="nope")
    assert refused.value.field == "product"


@pytest.mark.django_db
def test_an_empty_book_has_no_rates_rather_than_zero_rates():
    found = kpis(start_on=START, end_on=END)
    assert found.accounts == 0
    assert found.roll_rates == ()
    assert found.cure_rate is None
    assert found.liquidation_rate is None
    assert found.complaints_per_1000_accounts is None


def test_a_plan_broken_in_july_counts_against_completion_in_july_only(book):
    import datetime as dt

    from arrears.hardship.services import review_plans
    from tests.analytics.conftest import clock_on

    # Fay's plan: three months' holiday, then 1,283.15 on 15 July, which she does not pay
    for day in (dt.date(2025, 4, 16), dt.date(2025, 7, 25)):
        review_plans(on=day, clock=clock_on(day, 22))
    july = kpis(start_on=dt.date(2025, 7, 1), end_on=dt.date(2025, 8, 1)).plans
    assert (july.completed, july.broken) == (0, 1)
    assert july.completion_rate == Decimal("0")
    assert july.accounts_on_plans == 1  # in force until it broke
    august = kpis(start_on=dt.date(2025, 8, 1), end_on=dt.date(2025, 9, 1)).plans
    assert (august.broken, august.accounts_on_plans) == (0, 0)
