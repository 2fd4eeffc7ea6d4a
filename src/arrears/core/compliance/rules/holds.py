"""Holds: account-level stops that come first (regulations.md §6.1).

A hold is active from `start_on` through `end_on` (or for good) on the person's local date in
any candidate zone, and covers its debts (all when it names none). While active it denies every
contact except what the profile's section for that kind lets through: listed message kinds
(e.g. the three FDCPA cease exceptions), listed roles (the attorney, the estate's
representative, the debt adviser) and purposes it does not block (a dispute stops collection,
not a receipt). A hold kind missing from the profile still blocks, with no exceptions.

A hold with an `end_on` lifts by itself the next day, so its denial names that day; any other
hold (review date only, or none) can only be lifted by a person: `next_permitted_at` is None.
"""

from __future__ import annotations

import datetime as dt

from arrears.core.compliance.history import ContactHistory
from arrears.core.compliance.model import (
    BreathingSpaceKind,
    Citation,
    ContactRequest,
    Hold,
    HoldKind,
    RuleResult,
    Verification,
)
from arrears.core.compliance.profiles import Profile
from arrears.core.compliance.rules._base import (
    ONE_DAY,
    allow,
    day_start,
    day_zones,
    deny,
    flag,
    local_day,
    zh,
)
from arrears.core.compliance.sections import HoldRule

#: Used when a profile has no section for a hold kind: the hold still blocks, without exceptions.
LENDER_HOLD = Citation(
    "LENDER-HOLD", "the hold recorded on the account (no profile section)", Verification.POLICY
)

_TITLES: dict[HoldKind, tuple[str, str]] = {
    HoldKind.CEASE_COMMUNICATION: ("cease-communication", "停止联系"),
    HoldKind.DISPUTE: ("dispute", "争议"),
    HoldKind.BANKRUPTCY: ("bankruptcy", "破产"),
    HoldKind.DECEASED: ("deceased-borrower", "借款人身故"),
    HoldKind.ATTORNEY: ("attorney-representation", "律师代理"),
    HoldKind.BREATHING_SPACE: ("breathing-space", "债务喘息期"),
    HoldKind.SERVICEMEMBER: ("servicemember", "现役军人"),
}


def _rule_for(profile: Profile, kind: HoldKind) -> HoldRule:
    return profile.holds.get(kind) or HoldRule(cite=LENDER_HOLD)


def _last_day(hold: Hold, rule: HoldRule) -> dt.date | None:
    if hold.end_on is not None:
        return hold.end_on
    if (
        hold.kind is HoldKind.BREATHING_SPACE
        and hold.breathing_space is BreathingSpaceKind.STANDARD
        and rule.standard_days is not None
    ):
        # Conservative by a day: the moratorium is treated as running through day 61.
        return hold.start_on + dt.timedelta(days=rule.standard_days)
    return None


def _active(
    request: ContactRequest, kind: HoldKind, rule: HoldRule, zones: tuple[str, ...]
) -> list[tuple[Hold, dt.date | None]]:
    days = {local_day(request.at, z) for z in zones}
    found = []
    for hold in request.holds:
        if hold.kind is not kind:
            continue
        if hold.debt_ids and request.debt_ids and hold.debt_ids.isdisjoint(request.debt_ids):
            continue
        last = _last_day(hold, rule)
        if any(hold.start_on <= d and (last is None or d <= last) for d in days):
            found.append((hold, last))
    return found


def _exemption(rule: HoldRule, request: ContactRequest) -> tuple[str, str] | None:
    if request.party.role in rule.allowed_roles:
        return f"contacting the {request.party.role}", f"联系对象为{zh(request.party.role)}"
    if request.message_kind is not None and request.message_kind in rule.allowed_messages:
        return (
            f"a permitted {request.message_kind} message",
            f"属允许的消息类型 {request.message_kind}",
        )
    if request.purpose not in rule.blocked_purposes:
        return f"{request.purpose} is not stopped by it", f"{zh(request.purpose)} 类联系不受限"
    return None


def _lifts_at(lasts: list[dt.date | None], zones: tuple[str, ...]) -> dt.datetime | None:
    if not lasts or any(last is None for last in lasts):
        return None
    latest = max(last for last in lasts if last is not None)
    return max(day_start(latest + ONE_DAY, z) for z in zones)


def _check_hold(kind: HoldKind, request: ContactRequest, profile: Profile) -> RuleResult:
    rule_id = f"hold.{kind.value}"
    rule = _rule_for(profile, kind)
    title_en, title_zh = _TITLES[kind]
    if not any(hold.kind is kind for hold in request.holds):
        return allow(rule_id, rule.cite, f"No {title_en} hold.", f"无{title_zh}限制。")
    zones = day_zones(request, profile)
    active = _active(request, kind, rule, zones)
    if not active:
        return allow(rule_id, rule.cite, f"No {title_en} hold.", f"无{title_zh}限制。")
    if kind is HoldKind.BANKRUPTCY:
        return _bankruptcy(rule_id, rule, request, active, zones)
    if kind is HoldKind.SERVICEMEMBER and rule.action == "flag":
        return flag(
            rule_id,
            rule.cite,
            "Servicemember: SCRA protections apply (6% interest cap on pre-service debt);"
            " contact is not barred, but a person should review the account.",
            "现役军人：适用 SCRA 保护（服役前债务利率上限 6%）；不禁止联系，但须人工复核。",
        )
    exempt = _exemption(rule, request)
    if exempt is not None:
        return allow(
            rule_id,
            rule.cite,
            f"{title_en.capitalize()} hold, but {exempt[0]}.",
            f"存在{title_zh}限制，但{exempt[1]}。",
        )
    hold = active[0][0]
    lasts = [last for _, last in active]
    lifts = _lifts_at(lasts, zones)
    if lifts is not None:
        last_day = max(last for last in lasts if last is not None).isoformat()
        until_en, until_zh = f" through {last_day}", f"，至 {last_day}（含）为止"
    else:
        review = f" (review on {hold.review_on.isoformat()})" if hold.review_on else ""
        review_zh = f"（复核日 {hold.review_on.isoformat()}）" if hold.review_on else ""
        until_en, until_zh = f" until a person lifts it{review}", f"，须人工解除{review_zh}"
    return deny(
        rule_id,
        rule.cite,
        f"{title_en.capitalize()} hold since {hold.start_on.isoformat()} (set by {hold.set_by}):"
        f" no {request.purpose} contact{until_en}.",
        f"自 {hold.start_on.isoformat()} 起{title_zh}限制（{hold.set_by} 设置），不得进行"
        f"{zh(request.purpose)}类联系{until_zh}。",
        lifts,
    )


def _bankruptcy(
    rule_id: str,
    rule: HoldRule,
    request: ContactRequest,
    active: list[tuple[Hold, dt.date | None]],
    zones: tuple[str, ...],
) -> RuleResult:
    """US-BK-01/02: the automatic stay, the serial-filer cases, and the discharge injunction."""
    reasons_en: list[str] = []
    reasons_zh: list[str] = []
    lifts: list[dt.datetime | None] = []
    for hold, _ in active:
        if hold.discharged_on is not None:
            return deny(
                rule_id,
                rule.citation_for("discharge"),
                f"Debt discharged in bankruptcy on {hold.discharged_on.isoformat()}:"
                " no attempt to collect it, ever (11 USC 524(a)(2)).",
                f"该债务已于 {hold.discharged_on.isoformat()} 经破产免责，永久不得催收。",
                None,
            )
        exempt = _exemption(rule, request)
        if exempt is not None:
            continue
        filed = hold.petition_on or hold.start_on
        if hold.prior_dismissals_12m >= 2:
            if rule.serial_filer_auto_lift:
                continue
            reasons_en.append(
                f"{hold.prior_dismissals_12m} cases dismissed in the year before: no stay took"
                " effect (11 USC 362(c)(4)), but legal review must confirm before any contact"
            )
            reasons_zh.append("前一年内已有两件以上案件被驳回，自动中止可能未生效，但须经法务确认")
            lifts.append(None)
        elif hold.prior_dismissals_12m == 1:
            ends = filed + dt.timedelta(days=31)  # stay ends on day 30; allow from day 31
            if rule.serial_filer_auto_lift:
                if all(local_day(request.at, z) >= ends for z in zones):
                    continue
                lifts.append(max(day_start(ends, z) for z in zones))
            else:
                lifts.append(None)
            reasons_en.append(
                f"one case dismissed in the year before: the stay ends on day 30 after the"
                f" {filed.isoformat()} filing (11 USC 362(c)(3)); legal review must confirm"
            )
            reasons_zh.append(
                f"前一年内有一件案件被驳回：自动中止于 {filed.isoformat()} 申请后第 30 日终止，"
                "须经法务确认"
            )
        else:
            reasons_en.append(f"automatic stay since the {filed.isoformat()} petition")
            reasons_zh.append(f"自 {filed.isoformat()} 破产申请起自动中止")
            lifts.append(None)
    if not reasons_en:
        return allow(
            rule_id,
            rule.cite,
            "Bankruptcy recorded, but the contact is let through.",
            "已记录破产，但本次联系被允许。",
        )
    next_at = None if any(x is None for x in lifts) else max(x for x in lifts if x is not None)
    return deny(
        rule_id,
        rule.cite,
        "Bankruptcy: " + "; ".join(reasons_en) + ".",
        "破产：" + "；".join(reasons_zh) + "。",
        next_at,
    )


def cease_communication(
    request: ContactRequest, history: ContactHistory, profile: Profile
) -> RuleResult:
    return _check_hold(HoldKind.CEASE_COMMUNICATION, request, profile)


def dispute(request: ContactRequest, history: ContactHistory, profile: Profile) -> RuleResult:
    return _check_hold(HoldKind.DISPUTE, request, profile)


def bankruptcy(request: ContactRequest, history: ContactHistory, profile: Profile) -> RuleResult:
    return _check_hold(HoldKind.BANKRUPTCY, request, profile)


def deceased(request: ContactRequest, history: ContactHistory, profile: Profile) -> RuleResult:
    return _check_hold(HoldKind.DECEASED, request, profile)


def attorney(request: ContactRequest, history: ContactHistory, profile: Profile) -> RuleResult:
    return _check_hold(HoldKind.ATTORNEY, request, profile)


def breathing_space(
    request: ContactRequest, history: ContactHistory, profile: Profile
) -> RuleResult:
    return _check_hold(HoldKind.BREATHING_SPACE, request, profile)


def servicemember(request: ContactRequest, history: ContactHistory, profile: Profile) -> RuleResult:
    return _check_hold(HoldKind.SERVICEMEMBER, request, profile)
