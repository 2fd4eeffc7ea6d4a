"""The compliance console's content-validator hits: the validator reads the period's messages
and every template version again, and names for each hit the text it is in (the borrower and
status of a message, the version of a template), the part (subject or body), the rule and why,
newest first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from arrears.core.clock import FixedClock
from arrears.engagement import selectors_content
from arrears.engagement.models import Template
from arrears.engagement.selectors_content import content_hits
from tests.engagement.channel_support import make_outbox
from tests.factories import make_loan_account

pytestmark = pytest.mark.django_db

JANUARY = (dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2025, 2, 1, tzinfo=dt.UTC))
THREAT = "再不还款就上门找你"


def on(day: int) -> dt.datetime:
    return dt.datetime(2025, 1, day, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def profiles(db: Any) -> None:
    from arrears.compliance.services import load_profiles

    load_profiles()


def message(account: Any, body: str, *, day: int, channel: str = "sms", subject: str = "") -> Any:
    """A care reply to the account's borrower, written on `day` of January."""
    clock = FixedClock(on(day))
    return make_outbox(
        account, channel=channel, clock=clock, kind="care_reply", subject=subject, body=body
    )


def template(body: str, *, day: int, version: int = 1, active: bool = True, **fields: Any) -> Any:
    fields.setdefault("kind", "care_reply")
    fields.setdefault("channel", "sms")
    fields.setdefault("language", "zh-hans")
    return Template.objects.create(
        body=body, version=version, is_active=active, created_at=on(day), **fields
    )


def test_hits_in_messages_and_templates_come_newest_first_each_naming_its_text(profiles):
    account = make_loan_account()
    message(account, f"{THREAT}，回复TD退订", day=10)
    message(account, "您的还款已收到，谢谢。回复TD退订", day=11)  # nothing to find
    template(f"{THREAT}，回复TD退订", day=20, version=2, active=False)
    template("您的还款已收到，谢谢。回复TD退订", day=21, version=3)  # nothing to find

    found = content_hits(since_at=JANUARY[0], until_at=JANUARY[1])

    assert (found.messages_read, found.templates_read, found.more_messages) == (2, 2, False)
    assert [(hit.source, hit.at, hit.rule_id, hit.part) for hit in found.hits] == [
        ("template", on(20), "content.threat", "body"),
        ("message", on(10), "content.threat", "body"),
    ]
    in_template, in_message = found.hits
    assert (in_template.template_version, in_template.template_active) == (2, False)
    assert (in_template.borrower_reference, in_template.status) == ("", "")
    assert in_message.borrower_reference == account.borrower.reference
    assert in_message.borrower_name == account.borrower.full_name
    assert in_message.status == "pending" and in_message.template_version is None
    for hit in found.hits:
        assert (hit.channel, hit.kind, hit.language) == ("sms", "care_reply", "zh-hans")
        assert "上门找你" in hit.excerpt and hit.reason_en and hit.reason_zh


def test_a_subject_is_read_too_but_a_missing_opt_out_is_only_the_bodys_fault(profiles):
    message(make_loan_account(), "请尽快还款", day=10, channel="email", subject=THREAT)

    found = content_hits(since_at=JANUARY[0], until_at=JANUARY[1], source="message")

    assert sorted((hit.part, hit.rule_id) for hit in found.hits) == [
        ("body", "content.opt_out_missing"),
        ("subject", "content.threat"),
    ]


def test_one_source_reads_only_its_texts_and_a_rule_keeps_only_its_hits(profiles):
    account = make_loan_account()
    message(account, f"{THREAT}，回复TD退订", day=10)
    message(account, "请尽快还款", day=12)  # no opt-out line
    template(f"{THREAT}，回复TD退订", day=20)

    only_templates = content_hits(since_at=None, until_at=None, source="template")
    assert (only_templates.messages_read, only_templates.templates_read) == (0, 1)
    assert {hit.source for hit in only_templates.hits} == {"template"}

    only_messages = content_hits(since_at=None, until_at=None, source="message")
    assert (only_messages.messages_read, only_messages.templates_read) == (2, 0)
    assert {hit.source for hit in only_messages.hits} == {"message"}

    threats = content_hits(since_at=None, until_at=None, rule_id="content.threat")
    assert [(hit.source, hit.at) for hit in threats.hits] == [
        ("template", on(20)),
        ("message", on(10)),
    ]


def test_the_period_and_channel_choose_the_messages(profiles):
    account = make_loan_account()
    message(account, f"{THREAT}，回复TD退订", day=10)
    message(account, f"{THREAT}，回复TD退订", day=20)
    message(account, f"{THREAT}", day=15, channel="email", subject="还款提醒")

    found = content_hits(since_at=on(12), until_at=on(25), channel="sms", source="message")

    assert found.messages_read == 1
    assert {hit.at for hit in found.hits} == {on(20)}


def test_a_busy_period_reads_only_the_newest_messages_and_says_there_are_more(
    profiles, monkeypatch
):
    monkeypatch.setattr(selectors_content, "MESSAGES_READ", 2)
    account = make_loan_account()
    for day in (10, 11, 12):
        message(account, f"{THREAT}，回复TD退订", day=day)

    found = content_hits(since_at=None, until_at=None, source="message")

    assert (found.messages_read, found.more_messages) == (2, True)
    assert [hit.at for hit in found.hits] == [on(12), on(11)]
