"""`arrears care staffing`: what callers live through, and the agents a target needs."""

from __future__ import annotations

import pytest

from arrears.core.care.queueing import erlang_a_figures


@pytest.mark.parametrize("command", [["care"], ["care", "staffing"]], ids=" ".join)
def test_the_care_help_pages_have_an_example(cli, command):
    result = cli(*command, "--help")

    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout


def test_staffing_with_patience_reports_erlang_a_figures(cli):
    report = cli.json(
        "care", "staffing", "--calls-per-hour", "2880", "--aht", "60", "--patience", "120",
        "--agents", "50",
    )  # fmt: skip
    expected = erlang_a_figures(calls_per_hour=2880, aht_seconds=60, agents=50,
                                patience_seconds=120)  # fmt: skip

    assert report["model"] == "erlang_a"
    assert report["agents"] == 50
    assert report["load_erlangs"] == 48.0
    assert report["chance_to_wait"] == pytest.approx(expected.p_wait, abs=1e-6)
    assert report["abandonment"] == pytest.approx(expected.p_abandon, abs=1e-6)
    assert report["mean_wait_seconds"] == pytest.approx(expected.mean_wait_seconds, abs=1e-6)
    assert report["service_level"] == {
        "share": pytest.approx(expected.service_level, abs=1e-6),
        "within_seconds": 20,
    }
    assert report["wait_band"] == "wait.under_2_minutes"
    assert "target" not in report


def test_a_target_reports_the_agents_needed(cli):
    report = cli.json(
        "care", "staffing", "--calls-per-hour", "2880", "--aht", "60", "--patience", "120",
        "--agents", "40", "--target", "80/20",
    )  # fmt: skip

    assert report["target"] == {
        "percent": 80.0,
        "within_seconds": 20.0,
        "agents_needed": 46,
        "met": False,
    }


def test_without_patience_the_line_is_erlang_c_and_agents_default_to_the_need(cli):
    report = cli.json(
        "care", "staffing", "--calls-per-hour", "2880", "--aht", "60", "--target", "80/20"
    )

    assert report["model"] == "erlang_c"
    assert report["abandonment"] == 0
    assert report["agents"] == report["target"]["agents_needed"] == 52
    assert report["target"]["met"] is True


def test_an_overloaded_erlang_c_line_reports_waits_that_never_settle(cli):
    report = cli.json("care", "staffing", "--calls-per-hour", "3600", "--aht", "60",
                      "--agents", "50")  # fmt: skip

    assert report["stable"] is False
    assert report["mean_wait_seconds"] is None
    assert report["wait_band"] == "wait.over_10_minutes"


def test_the_table_shows_the_figures(cli, monkeypatch):
    monkeypatch.setenv("ARREARS_LANGUAGE", "en")
    result = cli(
        "care", "staffing", "--calls-per-hour", "2880", "--aht", "60", "--patience", "120",
        "--agents", "50", "--target", "80/20",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Erlang A" in result.stdout
    assert "46.8 %" in result.stdout  # chance to wait
    assert "3.1 %" in result.stdout  # callers who hang up
    assert "94.3 %" in result.stdout  # answered within 20 s


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--calls-per-hour", "2880", "--aht", "60"], "agents"),
        (["--calls-per-hour", "2880", "--aht", "0", "--agents", "5"], "aht_seconds"),
        (["--calls-per-hour", "2880", "--aht", "60", "--target", "80"], "target"),
    ],
)
def test_bad_input_exits_2_naming_the_field(cli, args, field):
    result = cli("care", "staffing", *args, "--json")

    assert result.exit_code == 2
    assert f'"field": "{field}"' in result.stdout
