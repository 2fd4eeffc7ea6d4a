"""`arrears report kpis` and GET /api/v1/reports/kpis: the same hand-counted figures."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from arrears.cli import app
from tests.api.conftest import api_as, roles  # noqa: F401 (fixtures)

MARCH = ("--from", "2025-03-01", "--to", "2025-04-01")


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["report", "kpis", *args], catch_exceptions=False)


def test_the_kpis_help_has_an_example():
    result = run("--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert "--strategy-arm" in result.stdout


def test_the_json_report_has_the_hand_counted_figures(book):
    result = run(*MARCH, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["accounts"] == 6
    assert doc["cure_rate"] == "0.2500"
    assert doc["liquidation_rate"] == "0.5802"
    assert doc["past_due_at_start"] == {"minor": 623658, "currency": "CNY", "amount": "6236.58"}
    assert doc["contacts"]["cost"]["minor"] == 305
    assert doc["blocks_by_rule"] == {"hours.window": 1}
    m1 = next(row for row in doc["roll_rates"] if row["from_bucket"] == "M1")
    assert m1["to_shares"] == {"current": "0.5000", "M2": "0.5000"}


def test_the_tables_show_the_measures_and_the_roll_rates(book):
    result = run(*MARCH)
    assert result.exit_code == 0, result.output
    assert "Liquidation rate" in result.stdout
    assert "58.02 %" in result.stdout
    assert "Roll rates" in result.stdout


@pytest.mark.django_db
def test_a_bad_date_exits_2_naming_from():
    result = run("--from", "March", "--to", "2025-04-01", "--json")
    assert result.exit_code == 2
    assert "from" in result.output


def test_the_api_returns_the_same_document_as_the_cli(book, api_as):  # noqa: F811
    client = api_as("supervisor")
    response = client.get("/api/v1/reports/kpis", **{"from": "2025-03-01", "to": "2025-04-01"})
    assert response.status_code == 200, response.content
    assert response.json() == json.loads(run(*MARCH, "--json").stdout)


@pytest.mark.django_db
def test_the_api_refuses_a_caller_without_the_reports_permissions(api_as):  # noqa: F811
    response = api_as(None).get(
        "/api/v1/reports/kpis", **{"from": "2025-03-01", "to": "2025-04-01"}
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_api_refuses_a_period_that_ends_before_it_starts(api_as):  # noqa: F811
    response = api_as("supervisor").get(
        "/api/v1/reports/kpis", **{"from": "2025-04-01", "to": "2025-03-01"}
    )
    assert response.status_code == 422
    assert "to" in response.text
