"""`arrears care kb …`: search the knowledge base and load the bundled articles from the shell."""

from __future__ import annotations

import pytest

from arrears.care.models import CannedReply, KnowledgeArticle
from tests.care.answers_fixtures import *  # noqa: F403
from tests.cli.conftest import Cli

pytestmark = pytest.mark.django_db


@pytest.fixture
def cli() -> Cli:
    return Cli()


@pytest.mark.parametrize("command", ["search", "show", "load"])
def test_every_kb_command_has_an_example(cli, command):
    result = cli("care", "kb", command, "--help")

    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout


def test_loading_the_bundled_answers_twice_adds_them_once(cli):
    first = cli.json("care", "kb", "load")
    second = cli.json("care", "kb", "load")

    assert len(first["articles"]) == KnowledgeArticle.objects.count() >= 25
    assert len(first["canned_replies"]) == CannedReply.objects.count() >= 10
    assert second["articles"] == [] and second["canned_replies"] == []


def test_a_chinese_question_finds_how_to_repay(cli, bundled_kb):
    body = cli.json("care", "kb", "search", "怎么还款", "--language", "zh-hans")

    assert body["hits"][0]["slug"] in {"how-to-repay", "repayment-methods"}
    assert body["hits"][0]["title"] in {"如何还款", "还款方式有哪些"}


def test_agent_only_articles_need_the_agents_flag(cli, bundled_kb):
    borrowers = cli.json("care", "kb", "search", "弱势客户", "--language", "zh-hans")
    desk = cli.json("care", "kb", "search", "弱势客户", "--language", "zh-hans", "--agents")

    assert "agent-vulnerable-borrowers" not in [h["slug"] for h in borrowers["hits"]]
    assert desk["hits"][0]["slug"] == "agent-vulnerable-borrowers"


def test_an_unknown_language_names_the_field(cli, bundled_kb):
    body = cli.json("care", "kb", "search", "fees", "--language", "fr", code=2)

    assert body["error"]["field"] == "language"
