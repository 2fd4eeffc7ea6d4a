"""Words for people: every reason key the collection core returns, in English and Chinese.

The core returns stable keys and parameters (``"escalation.waiting_period"``, ``{"notice":
"warning_letter", "ready_on": "2025-03-01"}``); the shell shows them with `describe`. This is a
plain mapping, not gettext: the core does not depend on Django. Parameters named `notice`,
`channel`, `step` or `self_service` are codes and are put into words too.
"""

from __future__ import annotations

from collections.abc import Mapping

from arrears.core.labels import say

LABELS: Mapping[str, Mapping[str, str]] = {
    # --- retries and fallback -----------------------------------------------------------------
    "retry.none": {
        "en": "No automatic retry: the treatment path decides the next step",
        "zh": "不自动重拨：由处置路径决定下一步",
    },
    "retry.soon": {"en": "Line busy: call {number} again shortly", "zh": "占线：稍后重拨 {number}"},
    "retry.next_good_slot": {
        "en": "Call again at the borrower's next good hour",
        "zh": "在借款人下一个最佳时段重拨",
    },
    "retry.later": {
        "en": "Phone unreachable: try {number} again later",
        "zh": "无法接通：稍后再拨 {number}",
    },
    "retry.later_other_number": {
        "en": "Phone unreachable: try the borrower's other number {number} later",
        "zh": "无法接通：稍后改拨借款人的其他号码 {number}",
    },
    "retry.next_number": {
        "en": "Number marked bad: move to the next number {number}",
        "zh": "号码已标记无效：改拨下一个号码 {number}",
    },
    "retry.day_full": {
        "en": "Today's call attempts are used up: call {number} on a later day",
        "zh": "今日拨打次数已用完：改日再拨 {number}",
    },
    "retry.fallback_after_no_answers": {
        "en": "{count} calls in a row unanswered: send {channel} with a self-service link instead",
        "zh": "连续 {count} 次未接通：改发{channel}，附自助链接",
    },
    "retry.no_valid_number": {
        "en": "No valid phone number left: send {channel} instead",
        "zh": "已无有效号码：改发{channel}",
    },
    "retry.unreachable": {
        "en": "No valid phone number and no other channel: the borrower is unreachable",
        "zh": "无有效号码且无其他渠道：借款人失联",
    },
    # --- channels and self-service ------------------------------------------------------------
    "channel.call": {"en": "call", "zh": "电话"},
    "channel.sms": {"en": "SMS", "zh": "短信"},
    "channel.email": {"en": "e-mail", "zh": "电子邮件"},
    "channel.letter": {"en": "letter", "zh": "信函"},
    "channel.in_app": {"en": "in-app message", "zh": "应用内消息"},
    "channel.visit": {"en": "visit", "zh": "外访"},
    "self_service.pay": {"en": "Pay now", "zh": "立即还款"},
    "self_service.set_up_plan": {"en": "Set up a repayment plan", "zh": "申请还款计划"},
    "self_service.book_callback": {"en": "Book a callback", "zh": "预约回电"},
    # --- disposition effects ------------------------------------------------------------------
    "effect.pause_treatment": {"en": "Pause the treatment", "zh": "暂停处置"},
    "effect.open_dispute": {"en": "Open a dispute", "zh": "登记异议"},
    "effect.flag_hardship": {"en": "Flag financial difficulty", "zh": "标记还款困难"},
    "effect.book_callback": {"en": "Book a callback", "zh": "预约回电"},
    "effect.mark_number_invalid": {"en": "Mark the number invalid", "zh": "标记号码无效"},
    "effect.count_no_answer": {"en": "Count an unanswered call", "zh": "计入未接通次数"},
    "effect.reset_no_answer": {"en": "Reset the unanswered calls", "zh": "清零未接通次数"},
    # --- promises to pay ----------------------------------------------------------------------
    "promise.live": {"en": "Promise running", "zh": "承诺履行中"},
    "promise.kept": {"en": "Promise kept", "zh": "承诺已兑现"},
    "promise.partly_kept": {"en": "Promise partly kept", "zh": "承诺部分兑现"},
    "promise.broken": {"en": "Promise broken", "zh": "承诺未兑现（跳票）"},
    "instalment.pending": {"en": "Due, not yet paid", "zh": "待还款"},
    "instalment.kept": {"en": "Paid as promised", "zh": "已按承诺还款"},
    "instalment.partly_kept": {"en": "Partly paid", "zh": "部分还款"},
    "instalment.broken": {"en": "Not paid", "zh": "未还款"},
    # --- escalation ---------------------------------------------------------------------------
    "step.warning_letter": {"en": "warning letter", "zh": "催收函"},
    "step.lawyers_letter": {"en": "lawyer's letter", "zh": "律师函"},
    "step.legal_review": {"en": "legal-referral review", "zh": "诉讼审查"},
    "step.agency_placement": {"en": "agency placement", "zh": "委外催收"},
    "notice.reminder": {"en": "reminder", "zh": "还款提醒"},
    "notice.arrears_notice": {"en": "notice of sums in arrears", "zh": "逾期金额通知"},
    "notice.default_notice": {"en": "default notice", "zh": "违约通知"},
    "notice.validation_notice": {"en": "validation notice", "zh": "债务确认通知"},
    "notice.warning_letter": {"en": "warning letter", "zh": "催收函"},
    "notice.lawyers_letter": {"en": "lawyer's letter", "zh": "律师函"},
    "escalation.days_past_due_reached": {
        "en": "{days_past_due} days past due (at least {minimum})",
        "zh": "逾期 {days_past_due} 天（不少于 {minimum} 天）",
    },
    "escalation.too_few_days_past_due": {
        "en": "Only {days_past_due} days past due; needs at least {minimum}",
        "zh": "仅逾期 {days_past_due} 天，需至少 {minimum} 天",
    },
    "escalation.balance_reached": {
        "en": "Balance {balance} (at least {minimum})",
        "zh": "余额 {balance}（不低于 {minimum}）",
    },
    "escalation.balance_too_small": {
        "en": "Balance {balance} is below the threshold {minimum}",
        "zh": "余额 {balance} 低于门槛 {minimum}",
    },
    "escalation.notice_missing": {
        "en": "No {notice} has been sent",
        "zh": "尚未发送{notice}",
    },
    "escalation.notice_waited": {
        "en": "{notice} sent on {sent_on}; the {days}-day wait has passed",
        "zh": "{notice}已于 {sent_on} 发送，{days} 天等待期已满",
    },
    "escalation.waiting_period": {
        "en": "{notice} sent on {sent_on}: wait {days} days, until {ready_on}",
        "zh": "{notice}于 {sent_on} 发送：需等待 {days} 天，至 {ready_on}",
    },
    "escalation.no_dispute": {"en": "No dispute open", "zh": "无未决异议"},
    "escalation.dispute_open": {"en": "A dispute is open", "zh": "存在未决异议"},
    "escalation.no_hold": {"en": "No hold on the account", "zh": "账户无暂停限制"},
    "escalation.hold_in_force": {
        "en": "A hold is in force: {holds}",
        "zh": "存在暂停限制：{holds}",
    },
    "escalation.not_on_plan": {"en": "Not on a repayment plan", "zh": "未在还款计划中"},
    "escalation.on_plan": {
        "en": "The borrower is on a repayment plan",
        "zh": "借款人正在履行还款计划",
    },
    "escalation.no_live_promise": {"en": "No promise to pay running", "zh": "无履行中的还款承诺"},
    "escalation.live_promise": {"en": "A promise to pay is running", "zh": "还款承诺履行中"},
    "escalation.forbearance_considered": {
        "en": "Forbearance options have been assessed",
        "zh": "已评估宽限措施",
    },
    "escalation.forbearance_not_considered": {
        "en": "Assess forbearance options first",
        "zh": "须先评估宽限措施",
    },
    # --- case allocation (分案) ----------------------------------------------------------------
    "assignment.kept": {"en": "Stays with its current owner", "zh": "保留原处理人"},
    "assignment.allocated": {"en": "Allocated by the balanced deal", "zh": "按均衡规则分配"},
    "assignment.moved_owner_lacks_skills": {
        "en": "Moved: {previous_owner} lacks a skill the case needs",
        "zh": "已转出：{previous_owner} 不具备案件所需技能",
    },
    "assignment.moved_owner_unavailable": {
        "en": "Moved: {previous_owner} is unavailable",
        "zh": "已转出：{previous_owner} 不在岗",
    },
    "assignment.moved_owner_full": {
        "en": "Moved: {previous_owner} is at capacity",
        "zh": "已转出：{previous_owner} 已满负荷",
    },
    "assignment.moved_owner_cap": {
        "en": "Moved: {previous_owner} reached its balance cap",
        "zh": "已转出：{previous_owner} 已达金额上限",
    },
    "assignment.no_owner_with_skills": {
        "en": "No agent or agency has the skills needed: {skills}",
        "zh": "无具备所需技能的催收员或机构：{skills}",
    },
    "assignment.owners_unavailable": {
        "en": "Every owner with the skills is unavailable",
        "zh": "具备技能的处理人均不在岗",
    },
    "assignment.capacity_full": {
        "en": "Every available owner with the skills is at capacity",
        "zh": "具备技能的在岗处理人均已满负荷",
    },
    "assignment.balance_cap_reached": {
        "en": "Every eligible owner has reached its balance cap",
        "zh": "符合条件的处理人均已达金额上限",
    },
}

_CODE_PARAMS = ("notice", "channel", "step", "self_service")


def describe(key: str, params: Mapping[str, str] | None = None, language: str = "en") -> str:
    """The reason in words, in `language` ("en" or "zh…"); an unknown key is shown as is."""
    return say(LABELS, key, params, language, code_params=_CODE_PARAMS)
