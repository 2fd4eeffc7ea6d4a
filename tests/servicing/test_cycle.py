"""The daily cycle as a whole: every date once, in order; reruns and resumed runs change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.core.errors import Conflict
from arrears.servicing.models import CycleRun, Statement
from arrears.servicing.services import cycle
from arrears.servicing.services.accounts import post_purchase
from arrears.servicing.services.cycle import context as cycle_context
from arrears.servicing.services.cycle import run_business_date, run_cycle
from tests.conftest import rolled_back
from tests.factories import cny, make_card_account, make_loan_account
from tests.servicing.cycle_support import product_like, run_through, what_the_cycle_wrote

pytestmark = pytest.mark.django_db

BUSY_DAY = dt.date(2025, 3, 5)


def given_work_for_every_step_on_5_march():
    """Two accounts for each step that writes on 5 March 2025."""
    charge_off_at_18 = product_like("cn_consumer_loan", "loan_18", charge_off_dpd=18)
    for _ in range(2):
        card = make_card_account(opened_on=dt.date(2025, 1, 15))  # statements on the 5th
        post_purchase(
            account=card, amount=cny("1000"), on=dt.date(2025, 1, 20), idempotency_key=f"p{card.pk}"
        )
        make_loan_account(start_on=dt.date(2025, 1, 5))  # instalment due 5 March
        make_loan_account(product_code="us_personal_loan", start_on=dt.date(2025, 1, 4))  # late
        make_loan_account(product=charge_off_at_18, start_on=dt.date(2025, 1, 15))  # 18 DPD


def test_running_a_date_twice_changes_nothing(clock):
    # given a portfolio with work for every step on 5 March, run to that date
    given_work_for_every_step_on_5_march()
    run_through(BUSY_DAY - dt.timedelta(days=1), clock)
    first = run_business_date(day=BUSY_DAY, clock=clock)
    assert first.counts["close_statements"]["statements"] == 2
    assert first.counts["post_instalments"]["instalments"] == 2
    assert first.counts["assess_late_fees"]["late_fees"] == 2
    assert first.counts["age_accounts"]["aged"] == 8
    assert first.counts["charge_off"]["charged_off"] == 2
    written = what_the_cycle_wrote()

    # when the same date is run again, alone and as part of the cycle
    second = run_business_date(day=BUSY_DAY, clock=clock)
    again = run_cycle(through=BUSY_DAY, clock=clock)

    # then nothing changes: every step is skipped and reports what the first run did
    assert second.skipped
    assert second.counts == first.counts
    assert again == []
    assert what_the_cycle_wrote() == written


def test_a_date_rerun_after_its_run_records_were_lost_posts_nothing_twice(clock):
    # given 5 March has run
    given_work_for_every_step_on_5_march()
    run_through(BUSY_DAY, clock)
    written = what_the_cycle_wrote()

    # when its run records are deleted and it runs again
    CycleRun.objects.filter(business_date=BUSY_DAY).delete()
    rerun = run_business_date(day=BUSY_DAY, clock=clock)

    # then every step ran, and found nothing left to do
    assert not any(step.skipped for step in rerun.steps)
    assert rerun.counts["close_statements"]["statements"] == 0
    assert rerun.counts["charge_off"]["charged_off"] == 0
    assert rerun.counts["age_accounts"]["bucket_changes"] == 0
    assert what_the_cycle_wrote() == written


class ProcessKilled(Exception):
    pass


KILL_POINTS = {
    "close_statements": (cycle.statements, "_charges"),
    "post_instalments": (cycle.loans, "post_instalment_interest"),
    "assess_late_fees": (cycle.late_fees, "post_entry_rows"),
    "age_accounts": (cycle.delinquency, "age_accounts_in_bulk"),
    "charge_off": (cycle.delinquency, "post_entry"),
}


@pytest.mark.parametrize("step", list(KILL_POINTS))
def test_run_killed_half_way_resumes_without_double_posting(step, clock, monkeypatch):
    # given work for every step, and what an uninterrupted run of 5 March writes
    given_work_for_every_step_on_5_march()
    run_through(BUSY_DAY - dt.timedelta(days=1), clock)
    with rolled_back():
        run_business_date(day=BUSY_DAY, clock=clock)
        uninterrupted = what_the_cycle_wrote()

    # when the process dies in the middle of the step, on its second account, after the first
    # account's work was committed (one account per transaction)
    monkeypatch.setattr(cycle_context, "CHUNK_SIZE", 1)
    module, name = KILL_POINTS[step]
    real = getattr(module, name)
    calls = []

    def dies_on_the_second_call(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 2:
            raise ProcessKilled
        return result

    monkeypatch.setattr(module, name, dies_on_the_second_call)
    with pytest.raises(ProcessKilled):
        run_business_date(day=BUSY_DAY, clock=clock)
    killed = CycleRun.objects.get(kind=step, business_date=BUSY_DAY)
    assert killed.finished_at is None
    assert what_the_cycle_wrote() != uninterrupted

    # and the date is run again
    monkeypatch.setattr(module, name, real)
    run_business_date(day=BUSY_DAY, clock=clock)

    # then the result is exactly what the uninterrupted run wrote: nothing posted twice
    assert what_the_cycle_wrote() == uninterrupted
    assert CycleRun.objects.filter(business_date=BUSY_DAY, finished_at__isnull=True).count() == 0


def test_the_cycle_refuses_to_skip_a_date(clock):
    # given the cycle has completed 20 January
    make_card_account(opened_on=dt.date(2025, 1, 15))
    run_through(dt.date(2025, 1, 20), clock)

    # when someone runs 22 January, or starts the cycle there
    # then it is refused: 21 January would never have run
    with pytest.raises(Conflict, match="2025-01-21"):
        run_business_date(day=dt.date(2025, 1, 22), clock=clock)
    with pytest.raises(Conflict):
        run_cycle(start=dt.date(2025, 1, 22), through=dt.date(2025, 1, 25), clock=clock)
    assert not CycleRun.objects.filter(business_date__gt=dt.date(2025, 1, 20)).exists()


def test_the_cycle_starts_at_the_first_opening_and_resumes_after_the_last_completed_date(clock):
    # given accounts opened on 15 and 18 January and nothing run yet
    make_card_account(opened_on=dt.date(2025, 1, 18))
    make_loan_account(start_on=dt.date(2025, 1, 15))
    seen = []

    # when the cycle runs to 17 January, then to 20 January
    first = run_cycle(through=dt.date(2025, 1, 17), clock=clock)
    second = run_cycle(
        through=dt.date(2025, 1, 20), clock=clock, progress=lambda day, counts: seen.append(day)
    )

    # then it ran every date once, from the first opening, and reported each one
    assert [r.business_date for r in first] == [dt.date(2025, 1, d) for d in (15, 16, 17)]
    assert [r.business_date for r in second] == [dt.date(2025, 1, d) for d in (18, 19, 20)]
    assert seen == [dt.date(2025, 1, d) for d in (18, 19, 20)]
    # (a step may also record its own parts, e.g. the collection night's shards)
    kinds = [step.kind for step in cycle.steps()]
    finished = CycleRun.objects.filter(finished_at__isnull=False, kind__in=kinds)
    assert finished.count() == 6 * len(kinds)


def test_a_quiet_day_costs_the_same_queries_whatever_the_portfolio_size(clock):
    # given one current card and one loan with nothing due in late January
    make_card_account(opened_on=dt.date(2025, 1, 15))
    make_loan_account(start_on=dt.date(2025, 1, 15))
    run_through(dt.date(2025, 1, 19), clock)
    with CaptureQueriesContext(connection) as small:
        run_business_date(day=dt.date(2025, 1, 20), clock=clock)

    # when the portfolio grows twentyfold
    for _ in range(20):
        make_card_account(opened_on=dt.date(2025, 1, 15))
        make_loan_account(start_on=dt.date(2025, 1, 15))
    with CaptureQueriesContext(connection) as large:
        run_business_date(day=dt.date(2025, 1, 21), clock=clock)

    # then a day with nothing happening reads no account one by one
    assert len(large) == len(small)
    assert not Statement.objects.exists()
