"""`arrears collection …` desk commands: each explains itself and answers in JSON."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Cli

pytestmark = pytest.mark.django_db
COMMANDS = ["review-promises", "review-placements", "queue", "load", "agencies", "dispositions"]


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_desk_command_has_an_example(cli, command):
    result = cli("collection", command, "--help")

    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout


def test_the_dispositions_are_listed(cli, desk):
    body = cli.json("collection", "dispositions", "--load")

    assert [d["code"] for d in body][:2] == ["right_party_contact", "third_party"]


def test_promises_are_reviewed_for_a_date(cli, case):
    body = cli.json("collection", "review-promises", "--date", "2025-03-03")

    assert body == {"business_date": "2025-03-03", "counts": {}}


def test_a_bad_date_names_the_field(cli, desk):
    result = cli.json("collection", "review-placements", "--date", "yesterday", code=2)

    assert result["error"]["field"] == "date"


def test_the_queue_of_someone_who_is_not_a_collector_is_refused(cli, make_collector):
    make_collector("li")
    result = cli.json("collection", "queue", "nobody", code=2)

    assert result["error"]["field"] == "username"
    assert cli.json("collection", "queue", "li")["calls"] == []
