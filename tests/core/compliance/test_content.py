"""Message content: opt-out lines, threats, impersonation, false claims, third-party disclosure."""

from __future__ import annotations

import pytest

from arrears.core.compliance import Channel, Role, check_message, is_opt_out_reply
from arrears.core.compliance.content import load_phrasebook
from arrears.core.errors import ValidationError

from .builders import profile

US = profile("US")
CN = profile("CN")


def ids(findings) -> list[str]:
    return [f.rule_id for f in findings]


def test_a_text_without_an_opt_out_line_is_flagged_and_one_with_it_is_not():
    bare = check_message("Your payment of $50 is due on 1 March.", channel=Channel.SMS, profile=US)
    assert ids(bare) == ["content.opt_out_missing"]
    assert bare[0].citation.ref == "US-ELEC-01"
    fine = "Your payment of $50 is due on 1 March. Reply STOP to opt out."
    assert check_message(fine, channel=Channel.SMS, profile=US) == ()
    assert (
        check_message("Due 1 March. Reply  stop to end texts.", channel=Channel.SMS, profile=US)
        == ()
    )
    # letters and calls carry no opt-out line
    assert check_message("Your payment is due.", channel=Channel.LETTER, profile=US) == ()


def test_chinese_text_needs_the_tuiding_line():
    bare = check_message("【某银行】您的账单将于3月1日到期。", channel=Channel.SMS, profile=CN)
    assert ids(bare) == ["content.opt_out_missing"]
    assert "退订" in bare[0].reason_zh
    for line in ("回复TD退订", "退订回T", "回T退订", "回复 N 退订"):
        assert (
            check_message(
                f"【某银行】您的账单将于3月1日到期。{line}", channel=Channel.SMS, profile=CN
            )
            == ()
        )


def test_threats_are_found_with_their_span_in_both_languages():
    text = "Pay today or you will be arrested. Reply STOP to opt out."
    (finding,) = check_message(text, channel=Channel.SMS, profile=US)
    assert finding.rule_id == "content.threat"
    assert finding.excerpt == "arrested"
    assert text[finding.span[0] : finding.span[1]] == "arrested"
    assert finding.reason_zh and finding.citation.ref == "US-FREQ-02"
    zh = "再不还款就上门找你，让你坐牢。回复TD退订"
    found = check_message(zh, channel=Channel.SMS, profile=CN)
    assert ids(found) == ["content.threat", "content.threat"]
    assert [f.excerpt for f in found] == ["上门找你", "坐牢"]
    assert found[0].citation.ref == "CN-CONDUCT-01"


def test_impersonating_police_courts_or_lawyers_is_found():
    assert "content.impersonation" in ids(
        check_message(
            "This is the police department calling about your account.",
            channel=Channel.CALL,
            profile=US,
        )
    )
    assert "content.impersonation" in ids(
        check_message("我们是法院，请立即还款。", channel=Channel.CALL, profile=CN)
    )


def test_false_claims_and_pressure_are_found():
    found = ids(
        check_message("你已被列入征信黑名单，建议借网贷还款。", channel=Channel.CALL, profile=CN)
    )
    assert "content.false_claim" in found and "content.pressure" in found


def test_whole_words_only_in_english():
    assert check_message("Our arrestor-free policy", channel=Channel.LETTER, profile=US) == ()


def test_debt_words_are_flagged_only_in_messages_to_third_parties():
    text = "Please ask Li Ming to call us about his overdue repayment."
    assert check_message(text, channel=Channel.CALL, profile=US) == ()
    to_neighbour = check_message(text, channel=Channel.CALL, profile=US, audience=Role.THIRD_PARTY)
    assert set(ids(to_neighbour)) == {"content.third_party_disclosure"}
    assert {f.excerpt for f in to_neighbour} == {"overdue", "repayment"}
    zh = check_message(
        "请转告李明尽快联系我们处理逾期欠款。",
        channel=Channel.CALL,
        profile=CN,
        audience=Role.CONTACT_PERSON,
    )
    assert {f.excerpt for f in zh} == {"逾期", "欠款"}
    assert zh[0].citation.ref == "CN-PARTY-02"
    assert (
        check_message(
            "请转告李明尽快回电。", channel=Channel.CALL, profile=CN, audience=Role.CONTACT_PERSON
        )
        == ()
    )


def test_a_compliance_officer_can_extend_the_phrase_list():
    extra = {
        "checks": {"threat": {"phrases": {"en": ["bad things will happen"], "zh": ["小心点"]}}}
    }
    book = load_phrasebook(extra=[extra])
    text = "Bad things  will happen if you ignore this."
    assert check_message(text, channel=Channel.LETTER, profile=US) == ()
    assert ids(check_message(text, channel=Channel.LETTER, profile=US, phrasebook=book)) == [
        "content.threat"
    ]
    assert ids(check_message("你小心点", channel=Channel.CALL, profile=CN, phrasebook=book)) == [
        "content.threat"
    ]
    # the bundled phrases are still there
    assert ids(check_message("jail", channel=Channel.LETTER, profile=US, phrasebook=book)) == [
        "content.threat"
    ]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"checks": {"rudeness": {"phrases": {"en": ["x"]}}}}, "extra[0].checks.rudeness"),
        ({"checks": {"threat": {"phrases": {"fr": ["x"]}}}}, "extra[0].checks.threat.phrases.fr"),
        (
            {"checks": {"threat": {"phrases": {"en": ["ok", ""]}}}},
            "extra[0].checks.threat.phrases.en[1]",
        ),
        (
            {"checks": {"threat": {"phrases": {"en": [{"regex": "(("}]}}}},
            "extra[0].checks.threat.phrases.en[0].regex",
        ),
        ({"opt_out_markers": ["stop"]}, "extra[0].opt_out_markers"),
        ({"colour": 1}, "extra[0].colour"),
    ],
)
def test_bad_phrase_list_entries_name_the_field(extra, field):
    with pytest.raises(ValidationError) as error:
        load_phrasebook(extra=[extra])
    assert error.value.field == field


@pytest.mark.parametrize(
    "reply",
    [
        "STOP",
        "stop.",
        "Please stop texting me",
        "UNSUBSCRIBE",
        "opt out",
        "退订",
        "TD",
        "t",
        "别再发了",
    ],
)
def test_stop_replies_are_recognised_however_phrased(reply):
    assert is_opt_out_reply(reply)


@pytest.mark.parametrize(
    "reply", ["OK thanks", "I will pay on Friday", "好的，周五还", "Stopover in Paris"]
)
def test_ordinary_replies_are_not_opt_outs(reply):
    assert not is_opt_out_reply(reply)
