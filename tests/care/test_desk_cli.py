"""`arrears care sla sweep|show`, `arrears care queues` and `arrears care desk-load`."""

from __future__ import annotations

import pytest

from arrears.care.models import SlaAlert
from tests.care.desk_fixtures import *  # noqa: F403
from tests.care.desk_fixtures import beijing, open_at
from tests.cli.conftest import cli  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "command",
    [
        ["care", "sla"],
        ["care", "sla", "sweep"],
        ["care", "sla", "show"],
        ["care", "queues"],
        ["care", "desk-load"],
    ],
    ids=" ".join,
)
def test_every_desk_command_explains_itself_with_an_example(cli, command):  # noqa: F811
    result = cli(*command, "--help")

    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout


def test_the_sweep_raises_what_is_due_once(cli, default_desk):  # noqa: F811
    ticket = open_at(beijing(2026, 3, 9, 9))

    first = cli.json("care", "sla", "sweep", "--at", "2026-03-09T17:00:00+08:00")
    again = cli.json("care", "sla", "sweep", "--at", "2026-03-09T17:00:00+08:00")

    assert first["counts"]["alerts"] == 3
    assert again["counts"]["alerts"] == 0
    assert SlaAlert.objects.filter(ticket=ticket).count() == 3


def test_a_naive_instant_is_refused_naming_the_option(cli, default_desk):  # noqa: F811
    result = cli.json("care", "sla", "sweep", "--at", "2026-03-09T17:00:00", code=2)

    assert result["error"]["field"] == "at"


def test_show_prints_a_tickets_clocks(cli, default_desk):  # noqa: F811
    ticket = open_at(beijing(2026, 3, 6, 17))

    report = cli.json("care", "sla", "show", ticket.reference, "--at", "2026-03-06T17:30:00+08:00")

    first_reply = next(c for c in report["clocks"] if c["metric"] == "first_reply")
    assert first_reply["state"] == "running"
    assert first_reply["elapsed_seconds"] == 1800
    assert first_reply["due_at"] == "2026-03-07T04:00:00+00:00"  # Saturday 12:00 in Beijing
    assert report["policy"] == "standard"


def test_show_says_when_there_is_no_such_ticket(cli, default_desk):  # noqa: F811
    result = cli("care", "sla", "show", "T9999999")

    assert result.exit_code == 2


def test_queues_and_desk_load_print_json(cli, db):  # noqa: F811
    loaded = cli.json("care", "desk-load")
    queues = cli.json("care", "queues")

    assert loaded["added"]["queues"] == 5
    assert [q["code"] for q in queues["queues"]] == [
        "complaints", "hardship", "disputes", "general_zh", "general_en",
    ]  # fmt: skip
