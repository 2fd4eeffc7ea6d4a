"""`arrears care receive-mail`: one raw mail from a file or stdin, as the mail server takes it."""

from __future__ import annotations

import pytest

from arrears.care.models import Ticket
from tests.care.channels_fixtures import *  # noqa: F403
from tests.care.channels_fixtures import mail
from tests.cli.conftest import Cli


@pytest.fixture
def cli() -> Cli:
    return Cli()


def test_a_mail_file_opens_a_ticket_and_the_answer_names_it(cli, borrower_loan, tmp_path):
    source = tmp_path / "question.eml"
    source.write_bytes(
        bytes(
            mail(
                sender=borrower_loan.borrower.email,
                subject="还款证明",
                body="请开具结清证明。",
                message_id="<cli-1@mail.example.com>",
            )
        )
    )

    answer = cli.json("care", "receive-mail", str(source))

    ticket = Ticket.objects.get()
    assert answer == {
        "outcome": "opened",
        "ticket": ticket.reference,
        "message": ticket.messages.get().pk,
        "reason": "",
    }
    assert ticket.borrower == borrower_loan.borrower


def test_a_missing_mail_file_is_an_error_naming_the_path(cli, db, tmp_path):
    answer = cli.json("care", "receive-mail", str(tmp_path / "none.eml"), code=2)

    assert answer["error"]["field"] == "path"


@pytest.mark.parametrize("command", ["mail-server", "receive-mail"])
def test_the_mail_commands_explain_themselves_with_an_example(cli, command):
    result = cli("care", command, "--help")

    assert result.exit_code == 0
    assert "Example:" in result.output and f"arrears care {command}" in result.output
