"""`arrears care ticket …`: each command explains itself with an example and answers in JSON;
bad input names its field (exit 2)."""

from __future__ import annotations

import pytest

from arrears.care.models import Ticket
from arrears.compliance.models import Hold
from tests.care.ticket_fixtures import *  # noqa: F403
from tests.cli.conftest import Cli

pytestmark = pytest.mark.django_db
COMMANDS = ["open", "show", "reply", "status", "list"]


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_ticket_command_has_an_example(cli, command):
    result = cli("care", "ticket", command, "--help")

    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout


def test_a_dispute_opened_from_the_shell_reaches_collection(cli, borrower_loan):
    body = cli.json("care", "ticket", "open", "--kind", "dispute", "--subject", "不是我的借款",
                    "--origin", "phone", "--borrower", borrower_loan.borrower.reference,
                    "--account", borrower_loan.number, "--body", "客户来电")  # fmt: skip

    assert (body["kind"], body["status"], body["accounts"]) == (
        "dispute", "new", [borrower_loan.number],
    )  # fmt: skip
    assert [m["body"] for m in body["thread"]] == ["客户来电"]
    assert [h["reason"] for h in body["history"]] == ["ticket.opened", "handoff.dispute_hold"]
    assert Hold.objects.get().account == borrower_loan


def test_reply_status_show_and_list(cli, staff):
    ref = cli.json("care", "ticket", "open", "--kind", "inquiry", "--subject", "还款日")[
        "reference"
    ]

    cli.json("care", "ticket", "reply", ref, "--body", "每月15日", "--as", "wang.fang")
    cli.json("care", "ticket", "reply", ref, "--body", "已告知", "--note", "--as", "wang.fang")
    solved = cli.json("care", "ticket", "status", ref, "solved", "--reason", "已答复")
    shown = cli.json("care", "ticket", "show", ref.lower())
    listed = cli.json("care", "ticket", "list", "--status", "solved")

    assert solved["status"] == "solved"
    assert [(m["direction"], m["author"]) for m in shown["thread"]] == [
        ("outbound", "wang.fang"), ("internal", "wang.fang"),
    ]  # fmt: skip
    assert shown["first_replied_at"] is not None
    assert [t["reference"] for t in listed["tickets"]] == [ref]
    table = cli("care", "ticket", "show", ref)
    assert table.exit_code == 0 and ref in table.stdout


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["open", "--kind", "praise", "--subject", "x"], "kind"),
        (["open", "--kind", "inquiry", "--subject", "x", "--borrower", "B404"], "borrower"),
        (["open", "--kind", "inquiry", "--subject", "x", "--as", "nobody"], "as"),
        (["list", "--queue", "nowhere"], "queue"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(cli, db, args, field):
    result = cli.json("care", "ticket", *args, code=2)

    assert result["error"]["field"] == field
    assert not Ticket.objects.exists()


def test_a_refused_move_names_the_status(cli, db):
    ref = cli.json("care", "ticket", "open", "--kind", "inquiry", "--subject", "x")["reference"]
    cli.json("care", "ticket", "status", ref, "closed")

    result = cli.json("care", "ticket", "status", ref, "open", code=2)

    assert result["error"]["field"] == "status"
