# ruff: noqa: F811  (the `book` fixture is imported from tests/analytics/conftest.py)
"""The strategies page: the strategy in force, champion/challenger results with confidence
intervals, and the dry run of an edited strategy (nothing written), by role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from arrears.collection.models import Case, CollectionAction, Strategy
from arrears.collection.services.strategies import load_bundled_strategies
from arrears.core.strategy import bundled_strategy_text
from arrears.core.strategy.document import bundled_strategy_codes
from tests.analytics.conftest import book  # noqa: F401  (the fixture)
from tests.factories import (
    make_borrower_login,
    make_collection_case,
    make_overdue_loan,
    make_staff_user,
)

QUIET_EARLY = """\
  - id: quiet_early
    when: days_past_due between 1 and 5
    action: none
  - id: delinquent
"""


def edited_ladder() -> str:
    text = bundled_strategy_text("conventional-ladder").replace(
        'version: "2026-11"', 'version: "2026-12"'
    )
    return text.replace("  - id: delinquent\n", QUIET_EARLY, 1)


@pytest.fixture
def supervisor(db):  # type: ignore[no-untyped-def]
    return make_staff_user("supervisor", "wu.supervisor")


@pytest.fixture
def todays_cases(db):  # type: ignore[no-untyped-def]
    """Open cases today at 3, 20 and 40 days past due, under the bundled ladder."""
    load_bundled_strategies()
    today = timezone.localdate()
    found = {}
    for dpd in (3, 20, 40):
        account = make_overdue_loan(today, dpd)
        make_collection_case(account, on=today - dt.timedelta(days=dpd - 1))
        found[dpd] = account
    return found


def test_a_supervisor_sees_the_strategy_in_force_its_segments_and_split(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("console:strategies"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Conventional escalation ladder" in html and "version 2026-11" in html
    assert "applied tonight" in html
    assert "dispute_open" in html  # the first segment's condition
    assert 'ladder <span class="badge">80 %</span>' in html
    assert 'call_first <span class="badge">20 %</span>' in html
    assert reverse("admin:collection_strategy_changelist") in html
    # the dry run starts from the live text
    assert "Dry run an edited strategy" in html
    assert "code: conventional-ladder" in html


def test_arm_results_show_intervals_and_say_when_a_difference_is_not_significant(
    client,
    supervisor,
    book,
):
    Case.objects.filter(account__in=[book.bo, book.chen]).update(path="ladder")
    Case.objects.filter(account=book.dong).update(path="call_first")
    client.force_login(supervisor)
    response = client.get(
        reverse("console:strategies"), {"first_day": "2025-03-01", "last_day": "2025-03-31"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="arm-results"' in html
    assert "champion" in html and "challenger" in html
    assert '50.0% <small class="muted">(1/2)</small>' in html  # ladder's cure rate, Bo of Bo+Chen
    assert "not significant" in html
    assert "too few accounts" in html  # one account on call_first: no spread of money


def test_a_collector_may_read_the_strategies_but_not_dry_run(client, todays_cases):
    collector = make_staff_user("collector")
    client.force_login(collector)
    response = client.get(reverse("console:strategies"))
    assert response.status_code == 200
    assert "Dry run an edited strategy" not in response.content.decode()
    refused = client.post(reverse("console:strategy-dry-run"), {"yaml_text": edited_ladder()})
    assert refused.status_code == 403


def test_a_borrower_is_refused(client, db):
    client.force_login(make_borrower_login())
    assert client.get(reverse("console:strategies")).status_code == 403
    assert client.post(reverse("console:strategy-dry-run"), {"yaml_text": "x"}).status_code == 403


def test_a_dry_run_lists_the_accounts_an_edit_would_change_and_writes_nothing(
    client, supervisor, todays_cases
):
    cases_before = list(Case.objects.order_by("pk").values())
    client.force_login(supervisor)
    response = client.post(
        reverse("console:strategy-dry-run"), {"yaml_text": edited_ladder()}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 of 3 open cases would be treated differently." in html
    assert todays_cases[3].number in html
    assert todays_cases[20].number not in html and todays_cases[40].number not in html
    assert "quiet_early" in html
    assert "<html" not in html  # a fragment for htmx
    assert list(Case.objects.order_by("pk").values()) == cases_before
    assert CollectionAction.objects.count() == 0
    assert Strategy.objects.count() == len(bundled_strategy_codes())  # the bundled ones only


def test_a_mistake_in_the_edit_is_shown_next_to_the_text_and_nothing_is_written(
    client, supervisor, todays_cases
):
    client.force_login(supervisor)
    bad = edited_ladder().replace("days_past_due between 1 and 5", "dpd < 5")
    response = client.post(reverse("console:strategy-dry-run"), {"yaml_text": bad})
    assert response.status_code == 422
    html = response.content.decode()
    assert "segments[4].when" in html and "days_past_due" in html
    assert 'data-testid="dry-run-error"' in html
    assert 'data-testid="dry-run-result"' not in html
    assert "dpd &lt; 5" in html  # the supervisor's text is kept to fix
    assert Strategy.objects.count() == len(bundled_strategy_codes())  # the bundled ones only


def test_text_that_is_not_yaml_names_its_line(client, supervisor, todays_cases):
    client.force_login(supervisor)
    response = client.post(
        reverse("console:strategy-dry-run"),
        {"yaml_text": "code: x\nsegments: [\n"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "line" in response.content.decode()


def test_an_empty_text_is_refused(client, supervisor, db):
    client.force_login(supervisor)
    response = client.post(reverse("console:strategy-dry-run"), {"yaml_text": ""})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()


def test_the_strategies_page_costs_a_bounded_number_of_queries(
    client, supervisor, todays_cases, django_assert_max_num_queries
):
    client.force_login(supervisor)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("console:strategies"))
    assert response.status_code == 200


# --- simulating a change before it goes live ---------------------------------------------------

SMALL = {"seeds": 2, "borrowers": 150, "days": 8}


@pytest.fixture
def small_simulation(settings):  # type: ignore[no-untyped-def]
    settings.ARREARS_STRATEGY_SIMULATION = SMALL


def test_a_supervisor_simulates_an_edit_against_the_strategy_in_force(
    client, supervisor, todays_cases, small_simulation
):
    cases_before = list(Case.objects.order_by("pk").values())
    quiet = edited_ladder().replace(
        "days_past_due between 1 and 5", "days_past_due between 1 and 400"
    )  # the edit leaves nearly every simulated borrower alone
    client.force_login(supervisor)
    response = client.post(
        reverse("console:strategy-simulate"), {"yaml_text": quiet}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment for htmx
    assert "A: conventional-ladder version 2026-11, in force." in html
    assert "2 pairs of runs, 150 simulated borrowers over 8 days each" in html
    row = html.split('data-metric="contacts"')[1].split("</tr>")[0]
    assert "A better" not in row and "B better" in row  # far fewer contacts with the edit
    breaches = html.split('data-metric="breaches"')[1].split("</tr>")[0]
    assert '<td class="amount">0.0</td>' in breaches
    assert list(Case.objects.order_by("pk").values()) == cases_before  # nothing written
    assert CollectionAction.objects.count() == 0
    assert Strategy.objects.count() == len(bundled_strategy_codes())


def test_a_simulation_in_chinese_says_which_strategy_is_better(
    client, supervisor, todays_cases, small_simulation
):
    client.force_login(supervisor)
    quiet = edited_ladder().replace(
        "days_past_due between 1 and 5", "days_past_due between 1 and 400"
    )
    response = client.post(
        reverse("console:strategy-simulate"),
        {"yaml_text": quiet},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    html = response.content.decode()
    assert "B 更优" in html and "联系次数" in html


def test_a_mistake_stops_the_simulation_and_is_named(
    client, supervisor, todays_cases, small_simulation
):
    client.force_login(supervisor)
    bad = edited_ladder().replace("days_past_due between 1 and 5", "dpd < 5")
    response = client.post(
        reverse("console:strategy-simulate"), {"yaml_text": bad}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="simulation-error"' in html and "segments[4].when" in html
    assert 'data-testid="simulation-result"' not in html


def test_a_collector_may_not_simulate(client, todays_cases, small_simulation):
    client.force_login(make_staff_user("collector"))
    refused = client.post(reverse("console:strategy-simulate"), {"yaml_text": edited_ladder()})
    assert refused.status_code == 403
