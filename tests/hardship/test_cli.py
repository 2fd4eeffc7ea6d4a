"""`arrears plan …`: options, propose, accept, show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arrears.hardship.models import Assessment, Plan
from tests.cli.conftest import Cli
from tests.hardship.conftest import JOB_LOSS

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "hardship-assessment.json"


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.mark.parametrize("command", ["options", "propose", "accept", "show"])
def test_every_plan_command_explains_itself_with_an_example(cli, command):
    result = cli("plan", command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout


def test_the_documented_example_statement_is_the_one_the_tests_use():
    assert json.loads(EXAMPLE.read_text(encoding="utf-8")) == {**JOB_LOSS, "vulnerabilities": []}


def test_plan_options_prints_every_option_with_its_schedule_as_json(cli, recent_loan_in_arrears):
    body = cli.json("plan", "options", recent_loan_in_arrears.number, "--assessment", str(EXAMPLE))

    assert body["account"]["number"] == recent_loan_in_arrears.number
    chosen = body["recommendation"]["option_id"]
    assert chosen in {option["id"] for option in body["options"] if option["fits"]}
    assert all(option["schedule"] for option in body["options"])
    assert body["debt_advice"]
    assert not Assessment.objects.exists()


def test_plan_options_shows_a_table_in_the_users_language(cli, recent_loan_in_arrears):
    result = cli("plan", "options", str(recent_loan_in_arrears.pk), "--assessment", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert "★" in result.stdout and "12378" in result.stdout


def test_a_bad_statement_exits_2_naming_the_field(cli, recent_loan_in_arrears, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**JOB_LOSS, "employment": "astronaut"}), encoding="utf-8")

    body = cli.json(
        "plan", "options", recent_loan_in_arrears.number, "--assessment", str(bad), code=2
    )

    assert body["error"]["field"] == "employment"


def test_an_agent_proposes_accepts_and_shows_a_plan(cli, recent_loan_in_arrears):
    options = cli.json(
        "plan", "options", recent_loan_in_arrears.number, "--assessment", str(EXAMPLE)
    )
    chosen = options["recommendation"]["option_id"]

    proposed = cli.json(
        "plan", "propose", recent_loan_in_arrears.number, "--assessment", str(EXAMPLE),
        "--option", chosen,
    )  # fmt: skip
    assert proposed["status"] == "proposed" and proposed["option_id"] == chosen

    accepted = cli.json(
        "plan", "accept", str(proposed["id"]), "--via", "agent", "--language", "en",
        "--digest", proposed["terms_digest"],
    )  # fmt: skip
    assert accepted["status"] == "active"
    assert accepted["terms_shown"] == proposed["terms_text"]["en"]

    shown = cli.json("plan", "show", str(proposed["id"]))
    assert [e["kind"] for e in shown["events"]] == ["proposed", "accepted", "activated"]
    assert Plan.objects.get().accepted_via == "agent"


def test_showing_a_plan_that_does_not_exist_exits_2(cli, db):
    result = cli("plan", "show", "999999")
    assert result.exit_code == 2
