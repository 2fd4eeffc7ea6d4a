"""The gate's rules, in the order they are evaluated (regulations.md §6.1).

Each rule is a pure function ``(request, history, profile) -> RuleResult``, like Beancount's
validations: holds first, then who may be contacted, then channel gates, then the time window,
then the counters. A rule runs when its profile section is present; the hold rules always run.
"""

from __future__ import annotations

from arrears.core.compliance.profiles import Profile
from arrears.core.compliance.rules import channels, frequency, holds, hours, parties
from arrears.core.compliance.rules._base import Check, Rule

RULES: tuple[Rule, ...] = (
    Rule("hold.bankruptcy", holds.bankruptcy, None, "Bankruptcy stay / discharge", "破产中止/免责"),
    Rule("hold.breathing_space", holds.breathing_space, None, "Breathing space", "债务喘息期"),
    Rule(
        "hold.cease_communication",
        holds.cease_communication,
        None,
        "Cease communication",
        "停止联系",
    ),
    Rule("hold.attorney", holds.attorney, None, "Represented by an attorney", "已委托律师"),
    Rule("hold.deceased", holds.deceased, None, "Borrower deceased", "借款人身故"),
    Rule("hold.dispute", holds.dispute, None, "Dispute pending", "争议处理中"),
    Rule("hold.servicemember", holds.servicemember, None, "Servicemember", "现役军人"),
    Rule(parties.ROLE, parties.contact_role, "parties", "Who may be contacted", "可联系对象"),
    Rule(
        parties.CONTACT_PERSON,
        parties.contact_person,
        "contact_persons",
        "Contact persons",
        "联系人",
    ),
    Rule(
        parties.LOCATION_ONCE,
        parties.location_once,
        "location_contacts",
        "Location contacts",
        "查找借款人联系",
    ),
    Rule(channels.OPT_OUT, channels.opt_out, "opt_out", "Opt-outs", "退订"),
    Rule(
        channels.AUTOMATED_CONSENT,
        channels.automated_consent,
        "automated_consent",
        "Consent to automated calls",
        "自动呼叫同意",
    ),
    Rule(channels.WORKPLACE, channels.workplace, "workplace", "Workplace", "工作单位"),
    Rule(
        channels.INCONVENIENT_PLACE,
        channels.inconvenient_place,
        "inconvenient_places",
        "Inconvenient places",
        "不便联系地点",
    ),
    Rule(hours.WINDOW, hours.contact_hours, "contact_hours", "Contact hours", "联系时段"),
    Rule(
        hours.INCONVENIENT,
        hours.inconvenient_times,
        "inconvenient_times",
        "Inconvenient times",
        "不便联系时间",
    ),
    Rule(
        frequency.CALLS_IN_WINDOW,
        frequency.calls_in_window,
        "call_frequency",
        "Calls in 7 days",
        "7日内来电次数",
    ),
    Rule(
        frequency.AFTER_CONVERSATION,
        frequency.after_conversation,
        "call_frequency",
        "Quiet period after a conversation",
        "通话后静默期",
    ),
    Rule(
        frequency.DAILY_CONNECTED_VOICE,
        frequency.daily_connected_voice,
        "daily_voice_cap",
        "Answered calls per day",
        "每日接通次数",
    ),
    Rule(
        frequency.DAILY_NUMBER_ATTEMPTS,
        frequency.daily_number_attempts,
        "number_attempt_cap",
        "Dial attempts per number per day",
        "单号码每日拨打次数",
    ),
    Rule(
        frequency.ELECTRONIC_CAPS,
        frequency.electronic_caps,
        "electronic_caps",
        "SMS and e-mail caps",
        "短信与邮件条数上限",
    ),
)

RULE_IDS: tuple[str, ...] = tuple(rule.rule_id for rule in RULES)


def active_rules(profile: Profile) -> tuple[Rule, ...]:
    """The rules a profile switches on, in evaluation order."""
    return tuple(rule for rule in RULES if rule.section is None or getattr(profile, rule.section))


__all__ = ["RULES", "RULE_IDS", "Check", "Rule", "active_rules"]
