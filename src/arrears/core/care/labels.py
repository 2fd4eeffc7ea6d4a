"""Words for people: every key the care core returns, in English and Chinese.

The core returns stable keys and parameters (``"sla.escalation"``, ``{"metric":
"first_reply", "level": "2", "notify": "desk_manager"}``); the shell shows them with `label`.
A plain mapping, not gettext: the core does not depend on Django. Parameters named `metric`,
`notify`, `weekday`, `kind`, `status` or `priority` are codes and are put into words too.
"""

from __future__ import annotations

from collections.abc import Mapping

from arrears.core.labels import say

LABELS: Mapping[str, Mapping[str, str]] = {
    # --- wait bands (announced instead of an exact wait) --------------------------------------
    "wait.under_2_minutes": {"en": "under 2 minutes", "zh": "2分钟以内"},
    "wait.2_to_5_minutes": {"en": "2 to 5 minutes", "zh": "2至5分钟"},
    "wait.5_to_10_minutes": {"en": "5 to 10 minutes", "zh": "5至10分钟"},
    "wait.over_10_minutes": {"en": "more than 10 minutes", "zh": "10分钟以上"},
    # --- SLA metrics, states and alerts ------------------------------------------------------
    "metric.first_reply": {"en": "first reply", "zh": "首次响应"},
    "metric.next_reply": {"en": "next reply", "zh": "后续响应"},
    "metric.resolution": {"en": "resolution", "zh": "解决时长"},
    "metric.final_response": {"en": "written final response", "zh": "书面最终答复"},
    "state.running": {"en": "running", "zh": "计时中"},
    "state.paused": {"en": "paused", "zh": "已暂停"},
    "state.met": {"en": "met", "zh": "已达标"},
    "state.breached": {"en": "breached", "zh": "已超时"},
    "sla.warning": {
        "en": "{percent}% of the {metric} target used",
        "zh": "{metric}时效已用{percent}%",
    },
    "sla.breach": {"en": "The {metric} target was missed", "zh": "{metric}已超时"},
    "sla.escalation": {
        "en": "Escalation level {level}: notify {notify} ({metric} overdue)",
        "zh": "第{level}级升级：通知{notify}（{metric}超时）",
    },
    "sla.regulatory_warning": {
        "en": "{percent}% of the regulator's {days}-day limit for a final response used",
        "zh": "监管规定的{days}日最终答复时限已用{percent}%",
    },
    "sla.regulatory_breach": {
        "en": "The regulator's {days}-day limit for a final response has passed",
        "zh": "已超过监管规定的{days}日最终答复时限",
    },
    # --- who is notified ---------------------------------------------------------------------
    "notify.team_lead": {"en": "the team lead", "zh": "组长"},
    "notify.desk_manager": {"en": "the desk manager", "zh": "客服主管"},
    "notify.head_office_complaints": {
        "en": "the head-office complaints team",
        "zh": "总行投诉管理团队",
    },
    # --- tickets -----------------------------------------------------------------------------
    "kind.inquiry": {"en": "inquiry", "zh": "咨询"},
    "kind.complaint": {"en": "complaint", "zh": "投诉"},
    "kind.dispute": {"en": "dispute", "zh": "异议"},
    "kind.hardship_request": {"en": "hardship request", "zh": "还款困难申请"},
    "kind.callback": {"en": "callback", "zh": "预约回电"},
    "status.new": {"en": "new", "zh": "新建"},
    "status.open": {"en": "open", "zh": "处理中"},
    "status.pending": {"en": "pending on the borrower", "zh": "待客户回复"},
    "status.on_hold": {"en": "on hold (third party)", "zh": "挂起（等待第三方）"},
    "status.solved": {"en": "solved", "zh": "已解决"},
    "status.closed": {"en": "closed", "zh": "已关闭"},
    "priority.low": {"en": "low", "zh": "低"},
    "priority.normal": {"en": "normal", "zh": "普通"},
    "priority.high": {"en": "high", "zh": "高"},
    "priority.urgent": {"en": "urgent", "zh": "紧急"},
    # --- a ticket's history (the reason of each `TicketEvent`) --------------------------------
    "channel.chat": {"en": "web chat", "zh": "在线客服"},
    "channel.email": {"en": "e-mail", "zh": "电子邮件"},
    "channel.phone": {"en": "phone", "zh": "电话"},
    "channel.sms": {"en": "SMS", "zh": "短信"},
    "channel.portal": {"en": "the borrower portal", "zh": "客户自助平台"},
    "channel.agent": {"en": "an agent", "zh": "坐席"},
    "channel.api": {"en": "the API", "zh": "API接口"},
    "ticket.opened": {"en": "Opened (via {origin})", "zh": "工单创建（来源：{origin}）"},
    "ticket.message_received": {
        "en": "The borrower wrote (via {channel})",
        "zh": "客户来信（渠道：{channel}）",
    },
    "ticket.borrower_replied": {
        "en": "The borrower replied: back to {status}",
        "zh": "客户已回复：工单恢复为{status}",
    },
    "ticket.replied": {"en": "Public reply (via {channel})", "zh": "已公开回复（渠道：{channel}）"},
    "ticket.final_response": {
        "en": "Written final response sent (via {channel})",
        "zh": "已发出书面最终答复（渠道：{channel}）",
    },
    "ticket.note_added": {"en": "Internal note added", "zh": "已添加内部备注"},
    "ticket.status_set": {
        "en": "Status changed from {status_from} to {status}",
        "zh": "状态由{status_from}改为{status}",
    },
    "ticket.priority_changed": {
        "en": "Priority changed from {priority_from} to {priority}",
        "zh": "优先级由{priority_from}改为{priority}",
    },
    "ticket.kind_changed": {
        "en": "Kind changed from {kind_from} to {kind}",
        "zh": "工单类型由{kind_from}改为{kind}",
    },
    "ticket.linked": {
        "en": "Linked to the borrower and accounts {accounts}",
        "zh": "已关联客户及账户 {accounts}",
    },
    "ticket.assigned": {"en": "Assigned to {assignee}", "zh": "已分配给{assignee}"},
    "ticket.unassigned": {"en": "Returned to the queue", "zh": "已退回队列"},
    "ticket.follow_up_opened": {
        "en": "A message after closing opened follow-up ticket {follow_up}",
        "zh": "关闭后收到新消息，已创建跟进工单 {follow_up}",
    },
    "ticket.follow_up_of": {
        "en": "Follow-up of closed ticket {follow_up_of}",
        "zh": "已关闭工单 {follow_up_of} 的跟进工单",
    },
    "ticket.merged": {
        "en": "Merged into ticket {merged_into} and closed",
        "zh": "已合并至工单 {merged_into} 并关闭",
    },
    "ticket.merged_in": {
        "en": "Ticket {merged} merged into this one",
        "zh": "工单 {merged} 已并入本工单",
    },
    "handoff.dispute_hold": {
        "en": "Passed to collection: a dispute hold stops collection contact "
        "(review on {review_on})",
        "zh": "已移交催收：异议暂停催收联系（{review_on}复核）",
    },
    "handoff.hardship_flagged": {
        "en": "Passed to collection: the case is flagged for hardship and its treatment paused",
        "zh": "已移交催收：案件已标记为还款困难，催收策略暂停",
    },
    "handoff.no_open_case": {
        "en": "Hardship request noted: no open collection case to pause",
        "zh": "已记录还款困难申请：当前无进行中的催收案件需要暂停",
    },
    # --- calendars ---------------------------------------------------------------------------
    "day.regular": {"en": "regular hours", "zh": "正常服务时间"},
    "day.special": {"en": "special hours", "zh": "特别服务时间"},
    "day.make_up": {"en": "make-up working day (调休)", "zh": "调休工作日"},
    "day.holiday": {"en": "public holiday", "zh": "法定节假日"},
    "day.closed": {"en": "closed", "zh": "暂停服务"},
    "weekday.mon": {"en": "Monday", "zh": "星期一"},
    "weekday.tue": {"en": "Tuesday", "zh": "星期二"},
    "weekday.wed": {"en": "Wednesday", "zh": "星期三"},
    "weekday.thu": {"en": "Thursday", "zh": "星期四"},
    "weekday.fri": {"en": "Friday", "zh": "星期五"},
    "weekday.sat": {"en": "Saturday", "zh": "星期六"},
    "weekday.sun": {"en": "Sunday", "zh": "星期日"},
    # --- the line after hours ----------------------------------------------------------------
    "line.open_now": {"en": "The line is open now", "zh": "热线现在开放"},
    "line.opens_today": {"en": "The line opens today at {time}", "zh": "热线今天{time}开放"},
    "line.opens_tomorrow": {
        "en": "The line opens tomorrow at {time}",
        "zh": "热线明天{time}开放",
    },
    "line.opens_on": {
        "en": "The line opens on {weekday} {date} at {time}",
        "zh": "热线将于{date}（{weekday}）{time}开放",
    },
    # --- callbacks ---------------------------------------------------------------------------
    "callback.no_slot": {
        "en": "No callback slot with room inside the permitted hours",
        "zh": "允许联系的时段内暂无可预约的回电时段",
    },
    "callback.no_agents_now": {
        "en": "No agent is on the line now, so no place in the queue to keep",
        "zh": "当前无坐席在线，无法保留排队位置",
    },
    "callback.place_after_hours": {
        "en": "The caller's turn would come after closing: offer a slot instead",
        "zh": "轮到该来电时已过服务时间：请改为预约回电时段",
    },
    "callback.place_not_permitted": {
        "en": "Calling back at the caller's turn is not permitted: offer a slot instead",
        "zh": "轮到该来电时不允许回拨：请改为预约回电时段",
    },
}

_CODE_PARAMS = frozenset({"metric", "notify", "weekday", "kind", "status", "priority"})

Param = str | int | float


def label(key: str, language: str = "en", params: Mapping[str, Param] | None = None) -> str:
    """The key in words, in `language` ("en" or "zh…"); an unknown key is shown as is."""
    return say(LABELS, key, params, language, code_params=_CODE_PARAMS)
