"""`arrears strategy check FILE`: a supervisor checks a strategy before loading it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from arrears.cli import app
from arrears.core.strategy import bundled_strategy_text

BUNDLED = (
    Path(__file__).resolve().parents[2]
    / "src/arrears/core/data/strategies/conventional-ladder.yaml"
)


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("ARREARS_LANGUAGE", "en")


@pytest.fixture
def broken_strategy(tmp_path) -> Path:
    text = bundled_strategy_text("conventional-ladder").replace(
        "{id: warning, on_day: 30, action: warning_letter, channel: letter,",
        "{id: warning, on_day: 30, action: warning_letter, channel: sms,",
        1,
    )
    file = tmp_path / "broken.yaml"
    file.write_text(text, encoding="utf-8")
    return file


def test_a_valid_strategy_is_summarised_segment_by_segment(cli):
    result = cli("strategy", "check", str(BUNDLED))

    assert result.exit_code == 0, result.output
    assert "Valid strategy" in result.stdout
    assert "conventional-ladder version 2026-11" in result.stdout
    for segment in ("disputed", "hardship", "delinquent"):
        assert segment in result.stdout
    assert "ladder 80%, call_first 20%" in result.stdout


def test_the_summary_as_json_lists_segments_in_order_and_every_step(cli):
    summary = cli.json("strategy", "check", str(BUNDLED))

    assert summary["ok"] is True
    assert [s["id"] for s in summary["segments"]] == [
        "disputed",
        "on_plan",
        "hardship",
        "not_overdue",
        "delinquent",
    ]
    assert summary["segments"][0] == {
        "id": "disputed",
        "when": "dispute_open",
        "action": "none",
        "paths": [],
    }
    warning = next(s for s in summary["paths"]["ladder"]["steps"] if s["id"] == "warning")
    assert warning["approval"] == "supervisor"
    assert warning["skip_when"] == "balance < 200"


def test_a_wrong_field_is_named_by_its_dotted_path_and_exits_2(cli, broken_strategy):
    result = cli("strategy", "check", str(broken_strategy))

    assert result.exit_code == 2
    assert "paths.ladder.steps[5].channel" in result.stderr
    assert "sms is not a channel for a warning_letter" in result.stderr
    assert "Traceback" not in result.output


def test_a_wrong_field_in_json_names_the_field(cli, broken_strategy):
    answer = cli.json("strategy", "check", str(broken_strategy), code=2)

    assert answer["ok"] is False
    assert answer["error"]["field"] == "paths.ladder.steps[5].channel"


def test_a_strategy_can_be_piped_in():
    runner = CliRunner()

    result = runner.invoke(
        app, ["strategy", "check", "-", "--json"], input=BUNDLED.read_text(encoding="utf-8")
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["code"] == "conventional-ladder"


def test_a_file_that_is_not_yaml_names_the_line(cli, tmp_path):
    file = tmp_path / "bad.yaml"
    file.write_text("code: [unclosed\n", encoding="utf-8")

    result = cli("strategy", "check", str(file))

    assert result.exit_code == 2
    assert "not valid YAML (line" in result.stderr


def test_a_missing_file_exits_2(cli, tmp_path):
    result = cli("strategy", "check", str(tmp_path / "nowhere.yaml"))

    assert result.exit_code == 2
    # the console wraps a long path: compare without the line breaks
    assert "nowhere.yaml" in "".join(result.stderr.split())
    assert "No such file" in " ".join(result.stderr.split())


@pytest.mark.parametrize("command", [["strategy"], ["strategy", "check"]])
def test_the_strategy_commands_explain_themselves_with_an_example(cli, command):
    result = cli(*command, "--help")

    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
