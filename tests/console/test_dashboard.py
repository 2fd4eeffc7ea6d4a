# ruff: noqa: F811  (the `book` fixture is imported from tests/analytics/conftest.py)
"""The supervisor's dashboard page: tiles and charts of the March 2025 book (tests/analytics/
conftest.py), filters that change the numbers, refusals by role, and its query budget."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from arrears.collection.models import Case
from tests.analytics.conftest import book  # noqa: F401  (the fixture)
from tests.factories import make_borrower_login, make_collector_user, make_staff_user

MARCH = {"first_day": "2025-03-01", "last_day": "2025-03-31"}


@pytest.fixture
def supervisor(db):  # type: ignore[no-untyped-def]
    return make_staff_user("supervisor", "wu.supervisor")


def charts_of(response):  # type: ignore[no-untyped-def]
    html = response.content.decode()
    start = html.index('<script id="dashboard-charts" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def test_a_supervisor_sees_the_march_figures_as_tiles_and_charts(client, supervisor, book):
    client.force_login(supervisor)
    response = client.get(reverse("console:dashboard"), MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Collection dashboard" in html
    assert 'data-kpi="accounts">6<' in html
    assert 'data-kpi="cure-rate">25.0%<' in html  # Bo cured, of Bo, Chen, Dong, Fay
    assert 'data-kpi="complaints">1<' in html  # Chen's March complaint
    charts = charts_of(response)
    assert set(charts) == {"delinquency-by-bucket", "roll-rates", "promises", "rpc-by-hour",
                           "contacts-by-channel", "sla", "queue-load"}  # fmt: skip
    buckets = {ds["label"]: ds["data"] for ds in charts["delinquency-by-bucket"]["datasets"]}
    assert buckets["Current"][0] == 1 and buckets["Current"][-1] == 3
    rpc = charts["rpc-by-hour"]["datasets"][0]["data"]
    assert rpc[10] == 0.0 and rpc[24 + 10] == 100.0  # Monday 10:00 missed, Tuesday 10:00 reached
    # the table alternative says the same
    assert "Right-party contact rate by hour of the week" in html
    assert '<th scope="row">Tue 10:00</th>' in html


def test_the_agent_filter_changes_the_numbers(client, supervisor, book):
    collector = make_collector_user("zhao.collector")
    Case.objects.filter(account__in=[book.chen, book.dong]).update(agent=collector)
    client.force_login(supervisor)
    response = client.get(reverse("console:dashboard"), {**MARCH, "agent": "zhao.collector"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kpi="accounts">2<' in html
    assert 'data-kpi="cure-rate">0.0%<' in html


def test_the_product_filter_changes_the_numbers(client, supervisor, book):
    client.force_login(supervisor)
    response = client.get(reverse("console:dashboard"), {**MARCH, "product": "cn_card_classic"})
    assert response.status_code == 200
    assert 'data-kpi="accounts">0<' in response.content.decode()  # the book is all loans


def test_a_period_that_ends_before_it_starts_is_refused_next_to_the_field(client, supervisor, db):
    client.force_login(supervisor)
    response = client.get(
        reverse("console:dashboard"), {"first_day": "2025-03-10", "last_day": "2025-03-01"}
    )
    assert response.status_code == 422
    assert "must not be before the first day" in response.content.decode()
    assert 'data-kpi="accounts"' not in response.content.decode()


def test_an_unknown_choice_in_a_filter_is_refused(client, supervisor, db):
    client.force_login(supervisor)
    response = client.get(reverse("console:dashboard"), {**MARCH, "agent": "nobody"})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("role", ["agent", "collector", "compliance"])
def test_staff_without_supervisor_rights_are_refused(client, db, role):
    client.force_login(make_staff_user(role))
    response = client.get(reverse("console:dashboard"))
    assert response.status_code == 403
    assert "Your role does not allow you to open this page." in response.content.decode()


def test_a_borrower_is_refused_and_a_visitor_is_sent_to_sign_in(client, db):
    assert client.get(reverse("console:dashboard")).status_code == 302
    client.force_login(make_borrower_login())
    assert client.get(reverse("console:dashboard")).status_code == 403


def test_the_dashboard_is_in_the_supervisors_menu_only(client, supervisor, db):
    client.force_login(supervisor)
    assert reverse("console:dashboard") in client.get(reverse("console:home")).content.decode()
    client.force_login(make_staff_user("agent"))
    assert reverse("console:dashboard") not in client.get(reverse("console:home")).content.decode()


def test_the_dashboard_page_costs_a_bounded_number_of_queries(
    client,
    supervisor,
    book,
    django_assert_max_num_queries,
):
    client.force_login(supervisor)
    client.get(reverse("console:dashboard"), MARCH)  # the care desk's defaults, made once
    with django_assert_max_num_queries(50):
        response = client.get(reverse("console:dashboard"), MARCH)
    assert response.status_code == 200
