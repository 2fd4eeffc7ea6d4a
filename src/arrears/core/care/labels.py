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
