"""The command line: an example in the help, bad options named and nothing written."""

from __future__ import annotations

import pytest

from arrears.servicing.models import Borrower
from tests.sim.conftest import STRATEGY


def test_the_help_of_sim_run_has_an_example(run_cli):
    result = run_cli("sim", "run", "--help")

    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert "arrears sim run --borrowers" in result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--borrowers", "0", "borrowers"),
        ("--days", "0", "days"),
        ("--agents", "-1", "agents"),
        ("--strategy", "no-such-strategy.yaml", "strategy"),
        ("--params", "no-such-behaviour.yaml", "params"),
    ],
)
def test_a_bad_option_is_named_and_nothing_is_written(run_cli, tmp_path, option, value, field):
    out = tmp_path / "run"
    args = ["--borrowers", "10", "--days", "2", "--strategy", str(STRATEGY), "--out", str(out)]
    result = run_cli("sim", "run", *args, option, value, "--json")

    assert result.exit_code == 2
    assert f'"field": "{field}"' in result.stdout or field in result.output
    assert not out.exists()
    assert not Borrower.objects.exists()


@pytest.mark.django_db
def test_a_results_folder_already_used_is_refused(run_cli, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "daily.parquet").write_bytes(b"earlier")
    result = run_cli("sim", "run", "--strategy", str(STRATEGY), "--out", str(out), "--json")

    assert result.exit_code == 2
    assert "out" in result.output
    assert not Borrower.objects.exists()
