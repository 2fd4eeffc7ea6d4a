"""GET /api/v1/care/reports/summary: the supervisors' report over HTTP."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from arrears.identity.services import issue_token
from tests.care.reports_fixtures import build_portfolio, quiet_delivery  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet_delivery")]

URL = "/api/v1/care/reports/summary"


def client_with(*codenames: str) -> Client:
    user = get_user_model().objects.create_user(username="supervisor.zhao")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    _token, secret = issue_token(user=user, name="tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def supervisor() -> Client:
    return client_with("view_ticket", "view_phonecall", "view_satisfactionsurvey")


def test_the_summary_reports_the_period_in_the_desk_zone(supervisor):
    build_portfolio()

    response = supervisor.get(URL, {"from": "2026-11-06", "to": "2026-11-11", "queue": "general"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["period_from"], body["period_to"]) == ("2026-11-06", "2026-11-11")
    assert body["zone"] == "Asia/Shanghai"
    assert body["queue"] == "general"
    assert body["contact_rate"]["tickets"] == 3
    assert body["first_reply"]["median_business_seconds"] == 30 * 60
    assert body["line"]["abandonment_rate"] == 0.25
    general = next(row for row in body["sla"] if row["scope"] == "queue")
    assert (general["met"], general["breached"], general["decided"]) == (2, 1, 3)
    assert [d["day"] for d in body["backlog_by_day"]][:2] == ["2026-11-06", "2026-11-07"]


def test_an_unknown_queue_is_a_problem_naming_the_field(supervisor):
    response = supervisor.get(URL, {"from": "2026-11-01", "to": "2026-12-01", "queue": "nowhere"})

    assert response.status_code == 422
    assert response.json()["field"] == "queue"


def test_a_period_ending_before_it_starts_is_refused(supervisor):
    response = supervisor.get(URL, {"from": "2026-12-01", "to": "2026-11-01"})

    assert response.status_code == 422
    assert response.json()["field"] == "to"


def test_an_agent_without_report_permissions_is_refused():
    response = client_with("view_ticket").get(URL, {"from": "2026-11-01", "to": "2026-12-01"})

    assert response.status_code == 403


def test_the_period_is_required(supervisor):
    response = supervisor.get(URL)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["from", "to"]
