"""`arrears care report`: the report in a terminal, or as the API's JSON document."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from arrears.cli import app
from tests.care.reports_fixtures import build_portfolio, quiet_delivery  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet_delivery")]

PERIOD = ("--from", "2026-11-06", "--to", "2026-11-11", "--at", "2026-11-25T12:00+08:00")


def run(*args: str):
    return CliRunner().invoke(app, ["care", "report", *args], catch_exceptions=False)


def test_the_report_help_has_an_example():
    result = run("--help")

    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert "--queue" in result.stdout


def test_the_json_report_has_the_hand_counted_figures():
    build_portfolio()

    result = run(*PERIOD, "--json")

    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["first_reply"]["count"] == 4
    assert doc["first_reply"]["median_business_seconds"] == 1800
    assert doc["backlog_now"]["total"] == 6
    assert doc["line"]["service_level"] == 0.4
    assert doc["line"]["callbacks"]["kept"] == 1
    assert doc["satisfaction"]["average_score"] == 4.0
    assert {c["cause"]: c["past_limit"] for c in doc["complaints"]} == {
        "fees_and_interest": 1,
        "collection_conduct": 1,
    }


def test_a_queue_report_in_tables():
    build_portfolio()

    result = run(*PERIOD, "--queue", "general")

    assert result.exit_code == 0, result.output
    assert "Care desk report 2026-11-06 – 2026-11-11 (Asia/Shanghai)" in result.stdout
    assert "SLA attainment" in result.stdout
    assert "30 min" in result.stdout  # the median first reply in business time


def test_an_unknown_queue_exits_2_naming_the_field():
    result = run(*PERIOD, "--queue", "nowhere", "--json")

    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["field"] == "queue"


def test_an_instant_without_an_offset_is_refused():
    result = run("--from", "2026-11-06", "--to", "2026-11-11", "--at", "2026-11-25T12:00")

    assert result.exit_code == 2
    assert "at" in result.output
