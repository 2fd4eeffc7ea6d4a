"""A strategy dry run says what an edited strategy would do to today's open cases, compared
with the live one, and writes nothing (collection/selectors/dry_run.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.collection.models import Case, CaseEvent, CollectionAction, Strategy
from arrears.collection.selectors.dry_run import dry_run_strategy
from arrears.collection.services.strategies import load_bundled_strategies
from arrears.core.errors import ValidationError
from arrears.core.strategy import bundled_strategy_text
from arrears.core.strategy.document import bundled_strategy_codes
from tests.factories import make_collection_case, make_overdue_loan

DAY = dt.date(2025, 6, 16)

QUIET_EARLY = """\
  - id: quiet_early
    name: {en: Quiet first days, zh: 前几天不催}
    when: days_past_due between 1 and 5
    action: none
  - id: delinquent
"""


def edited_ladder() -> str:
    """The bundled ladder with a new segment that leaves days 1-5 alone, as a new version."""
    text = bundled_strategy_text("conventional-ladder")
    text = text.replace('version: "2026-11"', 'version: "2026-12"')
    return text.replace("  - id: delinquent\n", QUIET_EARLY, 1)


@pytest.fixture
def book(db):  # type: ignore[no-untyped-def]
    load_bundled_strategies()
    accounts = {}
    for name, dpd in (("three", 3), ("four", 4), ("twenty", 20), ("forty", 40)):
        account = make_overdue_loan(DAY, dpd)
        make_collection_case(account, on=DAY - dt.timedelta(days=dpd - 1))
        accounts[name] = account
    return accounts


def test_the_dry_run_moves_only_the_accounts_the_new_segment_takes(book):
    found = dry_run_strategy(yaml_text=edited_ladder(), on=DAY)
    assert found.cases == 4
    assert found.live.version == "2026-11" and found.proposed.version == "2026-12"
    assert found.changed == 2
    moved = {c.account_number: c for c in found.changed_accounts}
    assert set(moved) == {book["three"].number, book["four"].number}
    for change in moved.values():
        assert change.live.segment == "delinquent" and change.live.action != "none"
        assert change.proposed.segment == "quiet_early" and change.proposed.action == "none"
        assert "quiet_early" in change.reason


def test_the_counts_per_segment_compare_live_and_proposed(book):
    found = dry_run_strategy(yaml_text=edited_ladder(), on=DAY)
    by_segment: dict[str, tuple[int, int]] = {}
    for count in found.counts:
        live, proposed = by_segment.get(count.treatment.segment, (0, 0))
        by_segment[count.treatment.segment] = (live + count.live, proposed + count.proposed)
    assert by_segment == {"quiet_early": (0, 2), "delinquent": (4, 2)}
    assert sum(c.live for c in found.counts) == sum(c.proposed for c in found.counts) == 4


def test_the_live_strategy_compared_with_itself_changes_nothing(book):
    found = dry_run_strategy(yaml_text=bundled_strategy_text("conventional-ladder"), on=DAY)
    assert found.changed == 0 and found.changed_accounts == []
    assert all(count.change == 0 for count in found.counts)


def test_a_dry_run_writes_nothing(book):
    cases_before = list(Case.objects.order_by("pk").values())
    dry_run_strategy(yaml_text=edited_ladder(), on=DAY)
    assert list(Case.objects.order_by("pk").values()) == cases_before
    assert CollectionAction.objects.count() == 0
    assert CaseEvent.objects.filter(kind="treatment").count() == 0
    assert Strategy.objects.count() == len(bundled_strategy_codes())  # the bundled ones only


def test_a_mistake_in_the_text_is_refused_naming_the_field(book):
    with pytest.raises(ValidationError) as refused:
        dry_run_strategy(
            yaml_text=edited_ladder().replace("days_past_due between 1 and 5", "dpd < 5"),
            on=DAY,
        )
    assert refused.value.field == "segments[4].when"
    assert "days_past_due" in refused.value.message
