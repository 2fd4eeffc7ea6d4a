"""`arrears care line` and `arrears care incident …` as a supervisor types them."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from arrears.care.models import Incident
from arrears.cli import app
from tests.care.line_fixtures import make_calendar, make_line_queue

pytestmark = pytest.mark.django_db
ALWAYS_OPEN = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _run(*args: str, code: int = 0) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "command",
    [
        ["care", "line"],
        ["care", "incident"],
        ["care", "incident", "start"],
        ["care", "incident", "end"],
        ["care", "incident", "show"],
    ],
    ids=" ".join,
)
def test_the_line_commands_have_help_with_an_example(command):
    result = CliRunner().invoke(app, [*command, "--help"])

    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout


def test_the_line_command_reports_the_wait_a_new_caller_would_hear():
    make_line_queue(code="hotline", calendar=make_calendar(ALWAYS_OPEN))

    report = _run("care", "line", "--queue", "hotline")

    assert report["queue"] == "hotline"
    assert report["open"] is True
    assert report["callers_waiting"] == 0
    assert report["wait_band"] == "wait.under_2_minutes"
    assert report["incident"] is None


def test_an_unknown_queue_is_refused_and_named():
    report = _run("care", "line", "--queue", "nowhere", code=2)

    assert report["ok"] is False


def test_the_incident_switch_from_the_shell_starts_shows_and_ends_once():
    started = _run(
        "care",
        "incident",
        "start",
        "--title-en",
        "Down",
        "--title-zh",
        "故障",
        "--notice-en",
        "We are down.",
        "--notice-zh",
        "系统故障。",
    )
    shown = _run("care", "incident", "show")
    ended = _run("care", "incident", "end")
    again = _run("care", "incident", "end", code=2)

    assert started["incident"]["notice_zh"] == "系统故障。"
    assert shown["incident"]["id"] == started["incident"]["id"]
    assert ended["incident"]["ended_at"] is not None
    assert ended["incident"]["callbacks_swept_at"] is not None
    assert again["ok"] is False
    assert Incident.objects.count() == 1
