"""`arrears compliance check FILE.json`: the gate's answer, with every reason, from a file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from arrears.compliance.models import Decision
from tests.cli.conftest import Cli
from tests.core.compliance.test_wire import DROP, changed

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "compliance-request.json"


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.fixture
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARREARS_LANGUAGE", "en")


def test_the_example_request_is_refused_until_day_eight_after_the_conversation(cli, profiles):
    # given the shipped example: a conversation about the debt on Monday 20 January (day 1)
    answer = cli.json("compliance", "check", str(EXAMPLE))

    # then a call on the 22nd is refused by Reg F's quiet period, and nothing else
    assert answer["allowed"] is False
    refusals = [r for r in answer["rules"] if r["outcome"] == "deny"]
    assert [r["id"] for r in refusals] == ["frequency.after_conversation"]
    quiet = refusals[0]
    assert set(quiet) == {"id", "outcome", "reason", "reason_zh", "citation", "next_permitted_at"}
    assert "2025-01-20" in quiet["reason"] and "2025-01-20" in quiet["reason_zh"]
    assert quiet["citation"]["ref"] == "US-FREQ-01"
    # the number's area code (208, Idaho) spans Mountain and Pacific time: 08:00 in Los Angeles
    # on day 8 (Monday 27 January) is the first moment every zone allows
    assert answer["next_permitted_at"] == "2025-01-27T16:00:00Z"
    assert answer["profile"]["code"] == "US"
    assert not Decision.objects.exists()  # a check writes nothing


def test_the_table_gives_the_reasons_in_both_languages(cli, english, monkeypatch):
    from arrears.cli import _runtime

    monkeypatch.setattr(_runtime.stdout, "width", 200)

    result = cli("compliance", "check", str(EXAMPLE), "--bundled")

    assert result.exit_code == 0, result.output
    assert "Refused" in result.stdout
    assert "frequency.after_conversation" in result.stdout
    assert "第 8 日前不得再致电" in result.stdout  # the Chinese reason
    assert "2025-01-27T16:00:00Z" in result.stdout


def test_the_check_reads_stdin_and_needs_no_borrower_in_the_database(cli):
    request = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    request["history"] = []

    result = cli.runner.invoke(
        cli_app(), ["compliance", "check", "-", "--json"], input=json.dumps(request)
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["allowed"] is True


def cli_app():  # type: ignore[no-untyped-def]
    from arrears.cli import app

    return app


def test_a_file_that_is_not_json_exits_2_naming_it(cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"jurisdiction": "US",', encoding="utf-8")

    answer = cli.json("compliance", "check", str(bad), code=2)

    assert answer["ok"] is False
    assert answer["error"]["field"] == "FILE"
    assert "line 1" in answer["error"]["message"]


MARS = [{"time_zone": "Mars/Olympus"}]


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("at", DROP, "at"),
        ("channel", "pigeon", "channel"),
        ("borrower.addresses", MARS, "borrower.addresses[0].time_zone"),
        ("history.2.outcome", "hung up", "history[2].outcome"),
        ("history.0.at", "2025-01-16 14:05", "history[0].at"),
        ("colour", "red", "colour"),
        ("jurisdiction", "JP", "jurisdiction"),
    ],
)
def test_a_bad_request_exits_2_naming_the_field(cli, tmp_path, path, value, field):
    request = changed(json.loads(EXAMPLE.read_text(encoding="utf-8")), path, value)
    path = tmp_path / "request.json"
    path.write_text(json.dumps(request), encoding="utf-8")

    answer = cli.json("compliance", "check", str(path), code=2)

    assert answer["error"]["field"] == field


@pytest.mark.parametrize("command", [["compliance"], ["compliance", "check"]])
def test_the_help_has_an_example(cli, command):
    result = cli(*command, "--help")

    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout
    assert "compliance-request.json" in result.stdout
