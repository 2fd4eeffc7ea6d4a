# ruff: noqa: E501  (a table of label strings reads better unwrapped)
"""English and Chinese labels for everything the hardship core returns as a key.

The core returns stable keys with parameters (an option kind, an explanation line, a reason);
the UI shows them with `label(namespace, key, language, params)`. Keys are namespaced:

    option.*            option kinds              phase.*      steps of an option's path
    line.*              affordability lines       reason.*     recommendation reasons and notes
    category.*          spending categories       income_source.*, employment.*,
    hardship_reason.*, vulnerability.*, interest_treatment.*, method.*, rule.*   the enums

Templates use ``{name}`` placeholders filled from the parameters; enum values among them are
shown by their own label, and a missing parameter shows as "—". Chinese terms follow the
glossary (shared/reference/glossary.md).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

from arrears.core.hardship.assessment import (
    Employment,
    ExpenseCategory,
    HardshipReason,
    IncomeSource,
    Vulnerability,
)
from arrears.core.hardship.explain import Param
from arrears.core.hardship.options import Phase, RepaymentOption
from arrears.core.hardship.policy import EssentialSpendingRule, InterestTreatment, OptionKind
from arrears.core.schedule import RepaymentMethod

LANGUAGES = ("en", "zh")

_OPTION = {
    "payment_holiday": ("Payment holiday", "延期还款"),
    "holiday_then_reamortise": ("Payment holiday, then a longer term", "延期还款后延长期限"),
    "reduced_payments": ("Reduced payments", "降低月供"),
    "term_extension": ("Term extension (re-amortisation)", "延长期限（重新分期）"),
    "personalised_instalment": ("Personalised instalment plan", "个性化分期"),
    "interest_freeze": ("Interest freeze", "停息挂账"),
    "rate_reduction": ("Interest rate reduction", "降低利率"),
    "settlement_lump_sum": ("Settlement in one payment", "一次性结清（折扣结清）"),
    "settlement_plan": ("Settlement over a few months", "分期折扣结清"),
}
_PHASE = {
    "payment_holiday": (
        "No payments for {months} months; interest: {interest}",
        "{months} 个月暂停还款；利息：{interest}",
    ),
    "contract": (
        "Back to the contract: {months} monthly instalments, recomputed",
        "恢复原合同：重新计算后按月还款 {months} 期",
    ),
    "reduced_payments": (
        "{payment} a month for {months} months",
        "{months} 个月每月还款 {payment}",
    ),
    "term_extension": ("Repaid over {months} months ({method})", "分 {months} 期偿还（{method}）"),
    "personalised_instalment": (
        "Personalised instalments over {months} months ({method})",
        "个性化分期 {months} 期（{method}）",
    ),
    "interest_freeze": (
        "No more interest; repaid in {months} equal parts",
        "停止计息，分 {months} 期等额偿还",
    ),
    "rate_reduction": (
        "Interest cut to {apr} % a year, repaid over {months} months ({method})",
        "年利率降至 {apr}%，分 {months} 期偿还（{method}）",
    ),
    "settlement_lump_sum": (
        "Settle for {amount} in one payment ({discount_percent} % off)",
        "一次性还款 {amount} 结清（减免 {discount_percent}%）",
    ),
    "settlement_plan": (
        "Settle for {amount} over {months} months ({discount_percent} % off)",
        "分 {months} 期还款 {amount} 结清（减免 {discount_percent}%）",
    ),
}
_LINE = {
    "income": ("Income: {source}", "收入：{source}"),
    "total_income": ("Total monthly income", "月收入合计"),
    "essential_spending": ("Essential spending: {category}", "必要支出：{category}"),
    "living_costs_stated": ("Living costs as stated", "申报的生活支出"),
    "living_costs_norm": (
        "Reference living costs for {region}, {adults} adults and {dependants} dependants",
        "{region} 参考生活支出（{adults} 名成年人、{dependants} 名受抚养人）",
    ),
    "essential_spending_counted": ("Essential spending counted", "计入的必要支出"),
    "other_debt_payment": ("Payment to {creditor}", "向 {creditor} 的还款"),
    "other_debt_payments": ("Payments to other debts", "其他债务还款"),
    "disposable_income": ("Disposable income", "可支配收入"),
    "share_for_this_debt": (
        "{percent} % of disposable income offered to this debt",
        "可支配收入的 {percent}% 用于本笔欠款",
    ),
    "shortfall": ("Short every month by", "每月缺口"),
    "affordable_payment": ("Affordable monthly payment", "可负担的月还款额"),
    "income_after_recovery": ("Expected income after {months} months", "{months} 个月后的预期收入"),
    "affordable_after_recovery": (
        "Affordable monthly payment after {months} months",
        "{months} 个月后可负担的月还款额",
    ),
    "non_essential_spending": ("Non-essential spending (not counted)", "非必要支出（不计入）"),
}
_REASON = {
    "best_expected_value": (
        "Best value for the lender among the affordable options: {expected_value} expected",
        "在可负担的方案中对贷款机构预期价值最高：预期 {expected_value}",
    ),
    "fits_affordability": (
        "Every instalment fits what the borrower can pay (largest {max_payment}; the tightest month leaves {smallest_margin})",
        "每期还款都在借款人可负担范围内（最高一期 {max_payment}；最紧的一个月尚余 {smallest_margin}）",
    ),
    "ahead_of_next": (
        "Worth {difference} more to the lender than the next option",
        "比次优方案对贷款机构多 {difference} 的预期价值",
    ),
    "tie_broken_by_lower_cost": (
        "Same value as the next option, and the borrower pays less in total ({total_payment} against {other_total_payment})",
        "与次优方案价值相同，且借款人总还款更少（{total_payment}，对比 {other_total_payment}）",
    ),
    "not_affordable_left_out": (
        "{count} options left out: the borrower could not keep up their payments",
        "{count} 个方案因借款人无力负担而未予推荐",
    ),
    "above_collection_value": (
        "Worth {difference} more than sending the account to collection ({collection_value} expected)",
        "比转入催收多 {difference} 的预期价值（催收预期回收 {collection_value}）",
    ),
    "below_collection_value": (
        "Expected value is below the expected collection recovery ({collection_value}): review before proposing",
        "预期价值低于催收预期回收（{collection_value}）：提出前请复核",
    ),
    "re_age_after": (
        "The account is re-aged after {payments} consecutive on-time plan payments",
        "连续按时还款 {payments} 期后账龄重置",
    ),
    "debt_advice_available": (
        "Free, independent debt advice is available: tell the borrower how to reach it",
        "可获得免费、独立的债务咨询：请告知借款人联系方式",
    ),
    "no_affordable_option": (
        "None of the {count} options fits: the borrower can pay {affordable} a month, the lowest plan asks {lowest_instalment}",
        "{count} 个方案均超出负担能力：借款人每月可还 {affordable}，最低方案需 {lowest_instalment}",
    ),
    "refer_to_debt_advice": ("Refer the borrower to free debt advice", "转介免费债务咨询"),
    "settlement_review": (
        "Review the account for a settlement or write-off",
        "复核该账户是否适合折扣结清或核销",
    ),
    "route_to_trained_staff": (
        "Vulnerable customer ({flags}): route to trained staff and soften treatment",
        "特殊群体客户（{flags}）：转交受过培训的人员处理并采取温和措施",
    ),
    "difficulty_is_temporary": (
        "The difficulty is expected to be temporary ({months} months)",
        "困难预计为暂时性（{months} 个月）",
    ),
    "interest_treatment": ("Interest during the holiday: {treatment}", "延期期间利息：{treatment}"),
    "forgiven": ("Forgiven (waived or discounted): {amount}", "减免金额：{amount}"),
    "contract_affordable": (
        "The borrower can afford the contractual payment ({contractual_instalment}): a plan may not be needed",
        "借款人可负担合同约定的还款额（{contractual_instalment}）：可能无需还款计划",
    ),
}
_ENUMS: dict[str, tuple[type[enum.StrEnum], dict[str, tuple[str, str]]]] = {
    "category": (
        ExpenseCategory,
        {
            "housing": ("Housing (rent, mortgage)", "住房（房租、房贷）"),
            "utilities": ("Utilities (energy, water)", "水电燃气"),
            "local_taxes": ("Local taxes on the home", "房产相关税费"),
            "insurance": ("Insurance", "保险"),
            "food_housekeeping": ("Food and housekeeping", "食品及日用品"),
            "personal_care": ("Clothing and personal care", "衣着及个人护理"),
            "communications": ("Phone and internet", "通讯（电话、网络）"),
            "transport": ("Transport", "交通"),
            "childcare": ("Childcare", "托育"),
            "education": ("Education", "教育"),
            "healthcare": ("Healthcare", "医疗"),
            "support_paid": ("Support paid (maintenance, parents)", "抚养费、赡养费"),
            "other_living": ("Other living costs", "其他生活支出"),
            "leisure": ("Leisure", "休闲娱乐"),
            "eating_out": ("Eating out", "在外就餐"),
            "subscriptions": ("Subscriptions", "订阅服务"),
            "gifts_donations": ("Gifts and donations", "礼金及捐赠"),
            "other_non_essential": ("Other non-essential spending", "其他非必要支出"),
        },
    ),
    "income_source": (
        IncomeSource,
        {
            "wages": ("Wages", "工资薪金"),
            "self_employment": ("Self-employment", "经营所得"),
            "benefits": ("Benefits", "社会保障及补助"),
            "pension": ("Pension", "养老金"),
            "support_received": ("Support received", "收到的抚养费或家庭资助"),
            "household_contribution": ("Contribution from the household", "家庭成员分担"),
            "other": ("Other income", "其他收入"),
        },
    ),
    "employment": (
        Employment,
        {
            "employed": ("Employed", "受雇"),
            "self_employed": ("Self-employed", "自雇"),
            "unemployed": ("Unemployed", "失业"),
            "retired": ("Retired", "退休"),
            "student": ("Student", "学生"),
            "unable_to_work": ("Unable to work", "无法工作"),
            "other": ("Other", "其他"),
        },
    ),
    "hardship_reason": (
        HardshipReason,
        {
            "job_loss": ("Job loss", "失业"),
            "illness": ("Illness", "疾病"),
            "family_event": ("Family event", "家庭变故"),
            "business_failure": ("Business failure", "经营困难"),
            "other": ("Other", "其他"),
        },
    ),
    "vulnerability": (
        Vulnerability,
        {
            "health": ("Health", "健康"),
            "bereavement": ("Bereavement or life event", "丧亲或重大生活变故"),
            "age": ("Age", "年龄"),
            "capability": ("Capability", "能力（读写、语言、数字技能）"),
        },
    ),
    "interest_treatment": (
        InterestTreatment,
        {
            "capitalise": ("accrues and is added to the balance", "照常计息并计入本金"),
            "due_at_end": (
                "accrues and is due with the last instalment",
                "照常计息，随最后一期偿还",
            ),
            "frozen": ("frozen", "停止计息"),
        },
    ),
    "method": (
        RepaymentMethod,
        {
            "annuity": ("equal instalments", "等额本息"),
            "equal_principal": ("equal principal", "等额本金"),
        },
    ),
    "rule": (
        EssentialSpendingRule,
        {
            "stated": ("as stated", "按申报"),
            "norm_floor": ("never below the reference norm", "不低于参考标准"),
        },
    ),
}


def _build() -> Mapping[str, Mapping[str, str]]:
    table: dict[str, Mapping[str, str]] = {}
    plain = {"option": _OPTION, "phase": _PHASE, "line": _LINE, "reason": _REASON}
    groups = {**plain, **{name: labels for name, (_, labels) in _ENUMS.items()}}
    for namespace, entries in groups.items():
        for key, (en, zh) in entries.items():
            table[f"{namespace}.{key}"] = MappingProxyType({"en": en, "zh": zh})
    return MappingProxyType(table)


#: {"namespace.key": {"en": …, "zh": …}} for every key the hardship core returns.
LABELS: Mapping[str, Mapping[str, str]] = _build()
_NAMESPACE_OF: dict[type[enum.StrEnum], str] = {kind: name for name, (kind, _) in _ENUMS.items()}
_NAMESPACE_OF[OptionKind] = "option"


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "—"


def label(
    namespace: str, key: str, language: str = "en", params: Mapping[str, Param] | None = None
) -> str:
    """The label of a key in a language ("en" or "zh"), its placeholders filled in."""
    if language not in LANGUAGES:
        raise KeyError(f"no labels in {language!r}; use {', '.join(LANGUAGES)}")
    template = LABELS[f"{namespace}.{key}"][language]
    values = _Blank({name: _shown(value, language) for name, value in (params or {}).items()})
    return template.format_map(values)


def _shown(value: Param, language: str) -> object:
    """An enum value by its own label; anything else as it prints."""
    for kind, namespace in _NAMESPACE_OF.items():
        if isinstance(value, kind):
            return LABELS[f"{namespace}.{value.value}"][language]
    return value


def option_label(option: RepaymentOption, language: str = "en") -> str:
    """The name of an option's kind."""
    return label("option", option.kind, language)


def phase_label(phase: Phase, language: str = "en") -> str:
    """One step of an option's path, its length and terms filled in."""
    return label("phase", phase.key, language, {"months": phase.months, **phase.params})
