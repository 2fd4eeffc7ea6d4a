"""Versioned product terms with an effective date: a change waits for its notice period."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest

from arrears.core.errors import ValidationError
from arrears.core.products import CardTerms
from arrears.servicing.choices import EntryKind, TermsChangeStatus
from arrears.servicing.models import Account, CycleRun, Product, ProductTermsChange
from arrears.servicing.selectors import accounts_affected_by, terms_changes_to_announce
from arrears.servicing.services.accounts import post_cash_advance
from arrears.servicing.services.cycle import run_business_date
from arrears.servicing.services.products import product_terms
from arrears.servicing.services.terms_changes import cancel_terms_change, schedule_terms_change
from tests.factories import cny, ensure_product, make_card_account
from tests.servicing.cycle_support import entries, run_through, what_the_cycle_wrote

pytestmark = pytest.mark.django_db

ANNOUNCED = dt.date(2025, 1, 20)
EFFECTIVE = dt.date(2025, 3, 6)  # 45 days after the announcement: CN's notice period


def cash_apr_doubled(product: Product) -> dict[str, object]:
    """New terms: the cash advance APR from 18.25 % to 36.5 %."""
    balance_types = copy.deepcopy(product.terms["balance_types"])
    for balance_type in balance_types:
        if balance_type["code"] == "cash":
            balance_type["apr"] = "36.5"
    return {"balance_types": balance_types}


def cash_apr(terms: object) -> Decimal:
    assert isinstance(terms, CardTerms)
    return terms.balance_type("cash").apr


def test_a_terms_change_is_not_applied_before_its_notice_period_ends(clock):
    product = ensure_product("cn_card_classic")

    # given a change announced on 20 January: 45 days' notice means 6 March at the earliest
    with pytest.raises(ValidationError) as too_early:
        schedule_terms_change(
            product=product,
            terms=cash_apr_doubled(product),
            effective_on=EFFECTIVE - dt.timedelta(days=1),
            announced_on=ANNOUNCED,
            clock=clock,
        )
    assert too_early.value.field == "effective_on"
    assert "45" in too_early.value.reason
    assert not ProductTermsChange.objects.exists()

    change = schedule_terms_change(
        product=product,
        terms=cash_apr_doubled(product),
        effective_on=EFFECTIVE,
        announced_on=ANNOUNCED,
        clock=clock,
    )
    assert (change.notice_days, change.jurisdiction) == (45, "CN")

    # and two cards with a cash advance: one closes on 5 March, the other on 7 March
    opened = dt.date(2025, 2, 8)  # both first statements cover the days from here
    before = make_card_account(opened_on=opened)
    after = make_card_account(opened_on=opened)
    Account.objects.filter(pk=after.pk).update(statement_day=7)
    for card in (before, after):
        post_cash_advance(
            account=card, amount=cny(1000), on=opened, idempotency_key=f"cash-{card.pk}"
        )

    # when the cycle runs through the day before the effective date
    run_through(EFFECTIVE - dt.timedelta(days=1), clock)

    # then the change is still scheduled and the product unchanged
    change.refresh_from_db()
    product.refresh_from_db()
    assert change.status == TermsChangeStatus.SCHEDULED
    assert cash_apr(product_terms(product)) == Decimal("18.25")
    version = product.version

    # when the cycle runs through 7 March
    run_through(dt.date(2025, 3, 7), clock)

    # then the change took effect on 6 March: new terms, one version up, old terms kept
    change.refresh_from_db()
    product.refresh_from_db()
    assert change.status == TermsChangeStatus.APPLIED
    assert CycleRun.objects.get(kind="apply_terms_changes", business_date=EFFECTIVE).counts == {
        "terms_changes_applied": 1
    }
    assert (product.version, change.from_version, change.to_version) == (
        version + 1,
        version,
        version + 1,
    )
    assert cash_apr(product_terms(product)) == Decimal("36.5")
    assert cash_apr(product_terms(product, on=EFFECTIVE - dt.timedelta(days=1))) == Decimal("18.25")
    assert cash_apr(product_terms(product, on=EFFECTIVE)) == Decimal("36.5")

    # and the statement closed the day before used the old APR (0.50 a day on 1,000 CNY),
    # the one closed the day after the new (1.00 a day)
    (old_interest,) = entries(before, EntryKind.INTEREST)
    (new_interest,) = entries(after, EntryKind.INTEREST)
    days_before = (dt.date(2025, 3, 5) - opened).days + 1
    days_after = (dt.date(2025, 3, 7) - opened).days + 1
    assert old_interest.lines.get(book="interest:cash").amount_minor == 50 * days_before
    assert new_interest.lines.get(book="interest:cash").amount_minor == 100 * days_after


def test_a_scheduled_change_reads_as_in_force_from_its_effective_date(clock):
    product = ensure_product("cn_card_classic")
    schedule_terms_change(
        product=product,
        terms=cash_apr_doubled(product),
        effective_on=EFFECTIVE,
        announced_on=ANNOUNCED,
        clock=clock,
    )
    assert cash_apr(product_terms(product, on=EFFECTIVE - dt.timedelta(days=1))) == Decimal("18.25")
    assert cash_apr(product_terms(product, on=EFFECTIVE)) == Decimal("36.5")
    assert cash_apr(product_terms(product)) == Decimal("18.25")  # not applied yet


def test_notice_periods_follow_the_jurisdiction(clock):
    us = ensure_product("us_card_rewards")
    gb = ensure_product("gb_card_classic")
    with pytest.raises(ValidationError) as error:
        schedule_terms_change(
            product=us, terms={"late_fee": "30"}, effective_on=ANNOUNCED + dt.timedelta(days=44),
            announced_on=ANNOUNCED, clock=clock,
        )  # fmt: skip
    assert error.value.field == "effective_on"
    us_change = schedule_terms_change(
        product=us, terms={"late_fee": "30"}, effective_on=ANNOUNCED + dt.timedelta(days=45),
        announced_on=ANNOUNCED, clock=clock,
    )  # fmt: skip
    gb_change = schedule_terms_change(
        product=gb, terms={"late_fee": "12"}, effective_on=ANNOUNCED + dt.timedelta(days=30),
        announced_on=ANNOUNCED, clock=clock,
    )  # fmt: skip
    assert (us_change.notice_days, gb_change.notice_days) == (45, 30)


def test_bad_new_terms_are_refused_naming_the_field(clock):
    product = ensure_product("cn_card_classic")
    with pytest.raises(ValidationError) as error:
        schedule_terms_change(
            product=product, terms={"min_payment_percent": "-1"}, effective_on=EFFECTIVE,
            announced_on=ANNOUNCED, clock=clock,
        )  # fmt: skip
    assert error.value.field.startswith("terms.min_payment_percent")
    with pytest.raises(ValidationError) as error:
        schedule_terms_change(
            product=product, terms={"currency": "USD"}, effective_on=EFFECTIVE,
            announced_on=ANNOUNCED, clock=clock,
        )  # fmt: skip
    assert error.value.field == "terms.currency"


def test_the_change_is_listed_for_announcement_while_the_notice_can_still_be_given(clock):
    product = ensure_product("cn_card_classic")
    card = make_card_account()
    change = schedule_terms_change(
        product=product, terms=cash_apr_doubled(product), effective_on=EFFECTIVE + dt.timedelta(2),
        announced_on=ANNOUNCED, clock=clock,
    )  # fmt: skip
    assert terms_changes_to_announce(ANNOUNCED - dt.timedelta(days=1)) == []
    assert terms_changes_to_announce(ANNOUNCED) == [change]
    assert terms_changes_to_announce(ANNOUNCED + dt.timedelta(days=2)) == [change]
    assert terms_changes_to_announce(ANNOUNCED + dt.timedelta(days=3)) == []  # too late now
    assert list(accounts_affected_by(change)) == [card]
    cancel_terms_change(change=change, clock=clock)
    assert terms_changes_to_announce(ANNOUNCED) == []


def test_running_the_cycle_for_a_date_again_changes_nothing(clock):
    # given a change applied on its effective date
    product = ensure_product("cn_card_classic")
    make_card_account(opened_on=dt.date(2025, 2, 6))
    schedule_terms_change(
        product=product,
        terms=cash_apr_doubled(product),
        effective_on=EFFECTIVE,
        announced_on=ANNOUNCED,
        clock=clock,
    )
    run_through(EFFECTIVE, clock)
    product.refresh_from_db()
    written, version = what_the_cycle_wrote(), product.version

    # when the effective date runs again, even with its cycle rows gone
    run_business_date(day=EFFECTIVE, clock=clock)
    CycleRun.objects.filter(business_date=EFFECTIVE).delete()
    run_business_date(day=EFFECTIVE, clock=clock)

    # then nothing changed: the product's version went up once
    product.refresh_from_db()
    assert product.version == version
    assert what_the_cycle_wrote() == written
    assert ProductTermsChange.objects.get().status == TermsChangeStatus.APPLIED
