"""`arrears cycle`: runs the daily cycle to a date and says what each step did."""

from __future__ import annotations

from arrears.servicing.models import CycleRun
from tests.factories import make_loan_account


def test_cycle_runs_each_date_once_and_reports_step_counts(cli, products):
    make_loan_account(start_on=__import__("datetime").date(2025, 1, 15))

    first = cli.json("cycle", "--through", "2025-02-20")
    again = cli.json("cycle", "--through", "2025-02-20")

    assert first["first_date"] == "2025-01-15" and first["last_date"] == "2025-02-20"
    assert first["dates_run"] == 37 and first["dates_skipped"] == 0
    assert set(first["steps"]) >= {"post_instalments", "age_accounts"}
    assert again["dates_run"] == 0
    assert CycleRun.objects.filter(business_date="2025-02-20").exists()


def test_cycle_with_a_bad_date_exits_2(cli, db):
    result = cli("cycle", "--through", "2025-02-30")

    assert result.exit_code == 2
    assert "through" in result.stderr
