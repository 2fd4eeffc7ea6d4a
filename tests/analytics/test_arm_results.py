"""Champion/challenger results per arm, counted by hand on the March 2025 book (tests/analytics/
conftest.py): Bo and Chen on the champion `ladder`, Dong on the challenger `call_first`."""

from __future__ import annotations

import pytest

from arrears.analytics.selectors.arms import arm_results, split_segment, strategy_overview
from arrears.collection.models import Case
from arrears.core.strategy import load_bundled_strategy
from tests.analytics.conftest import END, START

INSTALMENT = 103943


@pytest.fixture
def arms(book):  # type: ignore[no-untyped-def]
    Case.objects.filter(account__in=[book.bo, book.chen]).update(path="ladder")
    Case.objects.filter(account=book.dong).update(path="call_first")
    found = arm_results(
        strategy=load_bundled_strategy("conventional-ladder"),
        strategy_row_code=None,
        start_on=START,
        end_on=END,
    )
    return {arm.path: arm for arm in found.arms}


def test_the_champion_is_the_largest_share_of_the_first_split_segment():
    segment, arms = split_segment(load_bundled_strategy("conventional-ladder")) or ("", [])
    assert segment == "delinquent"
    assert arms == [("ladder", 80), ("call_first", 20)]


def test_each_arm_counts_its_own_accounts_money_cures_and_promises(arms):
    ladder, call_first = arms["ladder"], arms["call_first"]
    assert ladder.champion and not call_first.champion
    assert ladder.accounts == 2 and call_first.accounts == 1
    # Bo paid two instalments on 20 March, Chen 500.00 on 10 March; Dong one instalment
    assert ladder.collected_minor.sample.total == 2 * INSTALMENT + 50000
    assert ladder.collected_minor.sample.mean == pytest.approx((2 * INSTALMENT + 50000) / 2)
    assert call_first.collected_minor.sample.total == INSTALMENT
    # Bo cured, Chen rolled; Dong stayed in M2
    assert (ladder.cure.successes, ladder.cure.trials) == (1, 2)
    assert (call_first.cure.successes, call_first.cure.trials) == (0, 1)
    # Bo broke his promise, Chen partly kept his; Dong kept his
    assert (ladder.promises_kept.successes, ladder.promises_kept.trials) == (0, 2)
    assert (call_first.promises_kept.successes, call_first.promises_kept.trials) == (1, 1)


def test_contacts_and_complaints_per_account_count_what_names_the_account(arms):
    ladder, call_first = arms["ladder"], arms["call_first"]
    assert ladder.contacts.sample.total == 2  # Chen's two March calls
    assert ladder.complaints.sample.total == 1  # Chen's March complaint
    assert call_first.contacts.sample.total == 1  # Dong's SMS (his inbound call is not ours)
    assert call_first.complaints.sample.total == 0


def test_intervals_hold_their_estimates_and_a_lone_account_has_no_mean_interval(arms):
    ladder, call_first = arms["ladder"], arms["call_first"]
    cure = ladder.cure.interval
    assert cure is not None and cure.low < 0.5 < cure.high
    assert call_first.cure.versus_champion is not None
    assert not call_first.cure.versus_champion.excludes_zero  # far too few accounts
    assert call_first.collected_minor.interval is None  # one account: no spread to measure
    assert call_first.collected_minor.versus_champion is None


def test_the_overview_shows_the_bundled_strategy_when_none_is_stored(
    book, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        found = strategy_overview(start_on=START, end_on=END)
    assert [s.document.code for s in found.strategies] == ["conventional-ladder"]
    assert found.strategies[0].in_force and found.strategies[0].row_id is None
    assert [arm.path for arm in found.results.arms] == ["ladder", "call_first"]
