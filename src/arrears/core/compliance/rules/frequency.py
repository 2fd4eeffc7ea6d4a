"""How often: counters over the shared contact log, by local day in every candidate zone.

- `frequency.calls_in_window` — Reg F: no more than `max_calls` (7) calls to a person about a debt
  within `window_days` (7) consecutive days (US-FREQ-01). Calls to every number of the person
  count; unconnected calls and calls within the person's direct consent are left out when the
  profile says so. A call about several debts counts for each.
- `frequency.after_conversation` — Reg F: no call within 7 consecutive days after a telephone
  conversation about the debt, the conversation day being day 1. A conversation about several
  debts starts the period for each; the person's own call counts as a conversation too.
- `frequency.daily_connected_voice` — CN: at most 3 answered voice calls a day to a person, AI
  voice included, counted across the lender and all its agencies (CN-FREQ-01).
- `frequency.daily_number_attempts` — CN: at most 6 dial attempts a day to one number (CBA 2026).
- `frequency.electronic_caps` — house caps on SMS / e-mail per day and per rolling 7 days.

Each denial gives the start of the first local day on which the count is back under the limit,
taking the latest such day over the candidate zones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from arrears.core.compliance.history import ContactHistory
from arrears.core.compliance.model import (
    Attempt,
    AttemptOutcome,
    Channel,
    Citation,
    ContactRequest,
    Direction,
    Purpose,
    RuleResult,
)
from arrears.core.compliance.profiles import Profile
from arrears.core.compliance.rules._base import (
    ONE_DAY,
    allow,
    day_start,
    day_zones,
    deny,
    local_day,
    zh,
)
from arrears.core.compliance.sections import CallFrequencyRule

CALLS_IN_WINDOW = "frequency.calls_in_window"
AFTER_CONVERSATION = "frequency.after_conversation"
DAILY_CONNECTED_VOICE = "frequency.daily_connected_voice"
DAILY_NUMBER_ATTEMPTS = "frequency.daily_number_attempts"
ELECTRONIC_CAPS = "frequency.electronic_caps"

_WEEK = 7


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _consented(request: ContactRequest, rule: CallFrequencyRule, zones: tuple[str, ...]) -> bool:
    """Placed within the person's direct prior consent: day of consent = day 1, in every zone."""
    consent_at = request.direct_consent_at
    if consent_at is None or rule.count_direct_consent or consent_at > request.at:
        return False
    last = _days(rule.direct_consent_days - 1)
    return all(local_day(request.at, z) <= local_day(consent_at, z) + last for z in zones)


def _not_a_call(rule_id: str, request: ContactRequest, rule: CallFrequencyRule) -> RuleResult:
    return allow(
        rule_id,
        rule.cite,
        f"Only telephone calls count here, not {request.channel}.",
        f"此规则只计电话，{zh(request.channel)} 不计入。",
    )


def calls_in_window(
    request: ContactRequest, history: ContactHistory, profile: Profile
) -> RuleResult:
    rule = profile.call_frequency
    assert rule is not None
    if request.channel is not Channel.CALL:
        return _not_a_call(CALLS_IN_WINDOW, request, rule)
    zones = day_zones(request, profile)
    if _consented(request, rule, zones):
        return allow(
            CALLS_IN_WINDOW,
            rule.citation_for("direct_consent_days"),
            "Placed with the person's direct prior consent: not counted.",
            "经对方事先直接同意的来电，不计入频次。",
        )
    debts: Sequence[str | None] = sorted(request.debt_ids) or [None]
    latest: tuple[dt.datetime, str | None, int] | None = None
    for key in zones:
        today = local_day(request.at, key)
        recent = history.to_party(
            request.party.party_id,
            day_start(today - _days(rule.window_days - 1), key),
            day_start(today + ONE_DAY, key),
        )
        for debt in debts:
            counted = [a for a in recent if _counts_as_call(a, debt, rule)]
            if len(counted) >= rule.max_calls:
                oldest_kept = local_day(counted[-rule.max_calls].at, key)
                reopens = day_start(oldest_kept + _days(rule.window_days), key)
                if latest is None or reopens > latest[0]:
                    latest = (reopens, debt, len(counted))
    if latest is None:
        return allow(
            CALLS_IN_WINDOW,
            rule.cite,
            f"Fewer than {rule.max_calls} calls in {rule.window_days} days for each debt.",
            f"每笔债务 {rule.window_days} 日内来电少于 {rule.max_calls} 次。",
        )
    reopens, debt, count = latest
    about = f"debt {debt}" if debt else "the debt"
    about_zh = f"债务 {debt}" if debt else "该债务"
    return deny(
        CALLS_IN_WINDOW,
        rule.cite,
        f"Already {count} calls to this person about {about} within {rule.window_days}"
        f" consecutive days; the limit is {rule.max_calls}.",
        f"{rule.window_days} 个连续日内已就{about_zh}致电对方 {count} 次，"
        f"上限为 {rule.max_calls} 次。",
        reopens,
    )


def _counts_as_call(attempt: Attempt, debt: str | None, rule: CallFrequencyRule) -> bool:
    if attempt.channel is not Channel.CALL or attempt.direction is not Direction.OUTBOUND:
        return False
    if not rule.count_unconnected and attempt.outcome is AttemptOutcome.FAILED:
        return False
    if not rule.count_direct_consent and attempt.direct_consent:
        return False
    return debt is None or attempt.concerns(frozenset((debt,)))


def after_conversation(
    request: ContactRequest, history: ContactHistory, profile: Profile
) -> RuleResult:
    rule = profile.call_frequency
    assert rule is not None
    quiet = rule.quiet_days_after_conversation
    if quiet is None:
        return allow(AFTER_CONVERSATION, rule.cite, "No quiet period set.", "未设置通话后静默期。")
    if request.channel is not Channel.CALL:
        return _not_a_call(AFTER_CONVERSATION, request, rule)
    zones = day_zones(request, profile)
    if _consented(request, rule, zones):
        return allow(
            AFTER_CONVERSATION,
            rule.citation_for("direct_consent_days"),
            "Placed with the person's direct prior consent: the quiet period does not apply.",
            "经对方事先直接同意的来电，不受通话后静默期限制。",
        )
    reopens: dt.datetime | None = None
    spoke_on: dt.date | None = None
    for key in zones:
        today = local_day(request.at, key)
        recent = history.to_party(
            request.party.party_id,
            day_start(today - _days(quiet - 1), key),
            day_start(today + ONE_DAY, key),
        )
        talks = [a for a in recent if _is_conversation(a, request.debt_ids)]
        if talks:
            day = local_day(talks[-1].at, key)
            opens = day_start(day + _days(quiet), key)
            if reopens is None or opens > reopens:
                reopens, spoke_on = opens, day
    if reopens is None or spoke_on is None:
        return allow(
            AFTER_CONVERSATION,
            rule.cite,
            f"No telephone conversation about the debt in the last {quiet} days.",
            f"近 {quiet} 日内未就该债务与对方通话。",
        )
    return deny(
        AFTER_CONVERSATION,
        rule.cite,
        f"Spoke with the person about the debt on {spoke_on.isoformat()} (day 1); no call"
        f" until day {quiet + 1}.",
        f"已于 {spoke_on}（第 1 日）就该债务与对方通话，第 {quiet + 1} 日前不得再致电。",
        reopens,
    )


def _is_conversation(attempt: Attempt, debt_ids: frozenset[str]) -> bool:
    return (
        attempt.channel is Channel.CALL
        and attempt.outcome is AttemptOutcome.CONVERSATION
        and attempt.concerns(debt_ids)
    )


def daily_connected_voice(
    request: ContactRequest, history: ContactHistory, profile: Profile
) -> RuleResult:
    rule = profile.daily_voice_cap
    assert rule is not None
    if request.channel is not Channel.CALL:
        return allow(DAILY_CONNECTED_VOICE, rule.cite, "Not a voice call.", "非语音电话。")

    def answered(a: Attempt) -> bool:
        return (
            a.channel is Channel.CALL
            and a.direction is Direction.OUTBOUND
            and a.outcome.answered
            and (rule.ai_voice_counts or not a.artificial_voice)
        )

    return _daily_cap(
        request,
        profile,
        lambda since, until: history.to_party(request.party.party_id, since, until),
        answered,
        rule.max_connected_per_day,
        DAILY_CONNECTED_VOICE,
        rule.cite,
        (
            "answered voice calls to this person today (AI voice and agencies included)",
            "今日已接通的语音催收电话（含AI语音及全部委外机构）",
        ),
    )


def daily_number_attempts(
    request: ContactRequest, history: ContactHistory, profile: Profile
) -> RuleResult:
    rule = profile.number_attempt_cap
    assert rule is not None
    if request.channel is not Channel.CALL:
        return allow(DAILY_NUMBER_ATTEMPTS, rule.cite, "Not a voice call.", "非语音电话。")

    def dialled(a: Attempt) -> bool:
        return a.channel is Channel.CALL and a.direction is Direction.OUTBOUND

    return _daily_cap(
        request,
        profile,
        lambda since, until: history.to_address(request.contact_point.address, since, until),
        dialled,
        rule.max_attempts_per_day,
        DAILY_NUMBER_ATTEMPTS,
        rule.cite,
        ("dial attempts to this number today", "今日对该号码的拨打次数"),
    )


def electronic_caps(
    request: ContactRequest, history: ContactHistory, profile: Profile
) -> RuleResult:
    cap = profile.electronic_caps.get(request.channel)
    if cap is None:
        return allow(
            ELECTRONIC_CAPS,
            None,
            f"No cap on {request.channel}.",
            f"{zh(request.channel)} 无条数上限。",
        )
    if request.purpose is Purpose.TRANSACTIONAL:
        return allow(
            ELECTRONIC_CAPS,
            cap.cite,
            "Transactional messages the person triggers are not capped.",
            "由对方操作触发的交易类消息不计入上限。",
        )
    channel = request.channel

    def sent(a: Attempt) -> bool:
        return (
            a.channel is channel
            and a.direction is Direction.OUTBOUND
            and a.purpose is not Purpose.TRANSACTIONAL
        )

    def to_person(since: dt.datetime, until: dt.datetime) -> Sequence[Attempt]:
        return history.to_party(request.party.party_id, since, until)

    if cap.per_day is not None:
        daily = _daily_cap(
            request,
            profile,
            to_person,
            sent,
            cap.per_day,
            ELECTRONIC_CAPS,
            cap.cite,
            (f"{channel} messages to this person today", f"今日发给对方的 {zh(channel)} 条数"),
        )
        if daily.denied:
            return daily
    if cap.per_week is not None:
        weekly = _window_cap(
            request,
            profile,
            to_person,
            sent,
            cap.per_week,
            _WEEK,
            ELECTRONIC_CAPS,
            cap.cite,
            (
                f"{channel} messages to this person in 7 days",
                f"7 日内发给对方的 {zh(channel)} 条数",
            ),
        )
        if weekly.denied:
            return weekly
    return allow(
        ELECTRONIC_CAPS,
        cap.cite,
        f"Within the {channel} caps ({cap.per_day} a day, {cap.per_week} a week).",
        f"未超过 {zh(channel)} 上限（每日 {cap.per_day} 条，每周 {cap.per_week} 条）。",
    )


_Lookup = Callable[[dt.datetime, dt.datetime], Sequence[Attempt]]


def _daily_cap(
    request: ContactRequest,
    profile: Profile,
    lookup: _Lookup,
    counts: Callable[[Attempt], bool],
    limit: int,
    rule_id: str,
    cite: Citation | None,
    what: tuple[str, str],
) -> RuleResult:
    return _window_cap(request, profile, lookup, counts, limit, 1, rule_id, cite, what)


def _window_cap(
    request: ContactRequest,
    profile: Profile,
    lookup: _Lookup,
    counts: Callable[[Attempt], bool],
    limit: int,
    days: int,
    rule_id: str,
    cite: Citation | None,
    what: tuple[str, str],
) -> RuleResult:
    """At most `limit` counted attempts on the `days` local days ending today, in every zone."""
    if limit == 0:
        return deny(rule_id, cite, f"No {what[0]} allowed.", f"不允许（{what[1]}上限为 0）。", None)
    reopens: dt.datetime | None = None
    worst = 0
    for key in day_zones(request, profile):
        today = local_day(request.at, key)
        found = [
            a
            for a in lookup(
                day_start(today - _days(days - 1), key), day_start(today + ONE_DAY, key)
            )
            if counts(a)
        ]
        if len(found) >= limit:
            oldest_kept = local_day(found[-limit].at, key)
            opens = day_start(max(oldest_kept + _days(days), today + ONE_DAY), key)
            if reopens is None or opens > reopens:
                reopens, worst = opens, len(found)
    if reopens is None:
        return allow(
            rule_id,
            cite,
            f"Under the limit of {limit} {what[0]}.",
            f"未超过上限 {limit}（{what[1]}）。",
        )
    return deny(
        rule_id,
        cite,
        f"Already {worst} {what[0]}; the limit is {limit}.",
        f"{what[1]}已达 {worst}，上限为 {limit}。",
        reopens,
    )
