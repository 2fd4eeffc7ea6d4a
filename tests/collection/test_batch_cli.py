"""`arrears collection run` and `arrears strategy explain` as an operator types them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from arrears.cli import app
from arrears.collection.models import Case, CollectionAction
from arrears.compliance.models import Decision
from tests.factories import make_overdue_loan

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 10)


@pytest.fixture
def world(products):
    from arrears.compliance.services import load_profiles
    from arrears.engagement.services import load_templates

    load_profiles()
    load_templates()


def run(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_collection_run_on_an_old_date_opens_cases_but_contacts_nobody(world):
    account = make_overdue_loan(DAY, 4)
    summary = run("collection", "run", "--date", DAY.isoformat(), "--shard-size", "1000")
    counts = summary["counts"]
    assert summary["business_date"] == "2025-06-10"
    assert counts["opened"] == 1 and counts["too_late_for_contacts"] == 1
    assert set(summary["seconds"]) == {
        "promises",
        "placements",
        "setup",
        "read",
        "cases",
        "evaluate",
    }
    case = Case.objects.get(account=account)
    assert case.segment == "delinquent" and case.next_action_reason
    assert not CollectionAction.objects.exists()  # a catch-up night sends no stale reminders
    again = run("collection", "run", "--date", DAY.isoformat(), "--shard-size", "1000")
    assert again["counts"]["shards_skipped"] == again["counts"]["shards"]


def test_strategy_explain_shows_the_checks_the_step_and_the_gates_answer(world):
    account = make_overdue_loan(DAY, 3)
    found = run("strategy", "explain", account.number, "--on", DAY.isoformat())
    assert found["account"] == account.number and found["opens_case"] is True
    assert found["facts"]["days_past_due"] == 3 and found["facts"]["case_stage"] == "early"
    assert found["segment"] == "delinquent" and found["arm"] in {"ladder", "call_first"}
    assert found["outcome"] == "due" and found["step"] in {"sms_d1", "call_d1"}
    assert [c["kind"] for c in found["checks"]][:1] == ["segment"]
    assert found["reason"].startswith("segment delinquent")
    assert found["contact"]["answer"] in {"allowed", "deferred"}
    assert found["contact"]["address"].startswith("+86")
    # nothing was written: no case, no decision
    assert not Case.objects.exists() and not Decision.objects.exists()


def test_strategy_explain_of_a_current_account_says_no_case_opens(world):
    account = make_overdue_loan(DAY, 0)
    found = run("strategy", "explain", str(account.pk), "--on", DAY.isoformat())
    assert found["opens_case"] is False and found["case"] is None
    assert found["segment"] == "not_overdue" and found["action"] == "none"
    assert found["contact"] is None


def test_the_commands_say_how_to_use_them():
    for args in (["collection", "run", "--help"], ["strategy", "explain", "--help"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0 and "Example:" in result.output
