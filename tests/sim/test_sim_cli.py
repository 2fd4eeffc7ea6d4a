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


def _lab_run(run_cli, out, seed="5"):  # type: ignore[no-untyped-def]
    return run_cli(
        "sim", "run", "--engine", "lab", "--borrowers", "200", "--days", "6", "--seed", seed,
        "--agents", "1", "--calls-per-agent", "30", "--strategy", str(STRATEGY),
        "--out", str(out), "--json",
    )  # fmt: skip


@pytest.mark.django_db
def test_the_lab_engine_writes_the_same_files_and_touches_no_database(run_cli, tmp_path):
    import json

    import polars as pl

    result = _lab_run(run_cli, tmp_path / "a")

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["engine"] == "lab" and summary["breaches"] == 0
    assert summary == json.loads((tmp_path / "a" / "summary.json").read_text())
    daily = pl.read_parquet(tmp_path / "a" / "daily.parquet")
    accounts = pl.read_parquet(tmp_path / "a" / "accounts.parquet")
    assert daily.height == 6 and accounts.height == 200
    assert daily["collected_minor"].sum() == summary["totals"]["collected_minor"]
    assert daily["contacts_call"].max() <= 30
    assert not Borrower.objects.exists()  # the lab keeps its portfolio in memory


@pytest.mark.django_db
def test_the_lab_engine_gives_the_same_files_for_the_same_seed(run_cli, tmp_path):
    for name in ("a", "b"):
        assert _lab_run(run_cli, tmp_path / name).exit_code == 0
    assert _lab_run(run_cli, tmp_path / "c", seed="6").exit_code == 0
    for file in ("daily.parquet", "accounts.parquet"):
        a, b, c = ((tmp_path / n / file).read_bytes() for n in ("a", "b", "c"))
        assert a == b and a != c


@pytest.mark.django_db
def test_an_unknown_engine_is_named(run_cli, tmp_path):
    result = run_cli(
        "sim", "run", "--engine", "warp", "--strategy", str(STRATEGY),
        "--out", str(tmp_path / "x"), "--json",
    )  # fmt: skip
    assert result.exit_code == 2 and "engine" in result.output
    assert not (tmp_path / "x").exists()
