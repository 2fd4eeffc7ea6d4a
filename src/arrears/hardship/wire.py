"""The JSON shapes of hardship results: affordability, options, the recommendation, a plan.

One shape for the API, the CLI (`--json`) and what a plan stores as shown. Amounts are exact
decimal strings: totals as `{"amount": "1234.56", "minor": 123456, "currency": "CNY"}`,
schedule rows as plain strings in the document's currency. Every key the core returns (an
option kind, an explanation line, a reason) comes with its English and Chinese text
(`core.hardship.labels`), so a document can be shown again word for word in either language.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from arrears.core.hardship.affordability import Affordability
from arrears.core.hardship.explain import ExplanationLine, Reason
from arrears.core.hardship.labels import LABELS, label
from arrears.core.hardship.options import Phase, RepaymentOption
from arrears.core.hardship.plans import PlanSchedule
from arrears.core.hardship.position import AccountPosition
from arrears.core.hardship.recommend import Recommendation
from arrears.core.money import Money

#: The core's label languages, by the Django language codes the app speaks.
LANGUAGES = {"en": "en", "zh-hans": "zh"}


def money(value: Money) -> dict[str, Any]:
    return {"amount": str(value.amount), "minor": value.minor, "currency": value.currency}


def jsonable(value: object) -> Any:
    """Parameters as JSON: Money as a money document, Decimals as strings, enums by value."""
    if isinstance(value, Money):
        return money(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [jsonable(v) for v in value]
    return value


def texts(namespace: str, key: str, params: Mapping[str, Any] | None = None) -> dict[str, str]:
    """{"en": …, "zh": …} for a key; the key itself when the core has no label for it."""
    if f"{namespace}.{key}" not in LABELS:
        return {"en": key, "zh": key}
    return {code: label(namespace, key, code, params) for code in ("en", "zh")}


def reason_document(reason: Reason) -> dict[str, Any]:
    return {
        "key": reason.key,
        "params": jsonable(reason.params),
        "text": texts("reason", reason.key, reason.params),
    }


def line_document(line: ExplanationLine) -> dict[str, Any]:
    return {
        "key": line.key,
        "role": str(line.role),
        "amount": money(line.amount),
        "params": jsonable(line.params),
        "text": texts("line", line.key, line.params),
    }


def affordability_document(affordability: Affordability) -> dict[str, Any]:
    after = affordability.affordable_after_recovery
    return {
        "currency": affordability.currency,
        "income": money(affordability.income),
        "essential_spending": money(affordability.essential_spending),
        "other_debt_payments": money(affordability.other_debt_payments),
        "disposable_income": money(affordability.disposable_income),
        "affordable_payment": money(affordability.affordable_payment),
        "lump_sum_available": money(affordability.lump_sum_available),
        "recovery_months": affordability.recovery_months,
        "affordable_after_recovery": money(after) if after is not None else None,
        "explanation": [line_document(line) for line in affordability.explanation],
    }


def position_document(position: AccountPosition) -> dict[str, Any]:
    return {
        "product_kind": str(position.product_kind),
        "jurisdiction": position.jurisdiction,
        "currency": position.currency,
        "principal": money(position.principal),
        "interest": money(position.interest),
        "fees": money(position.fees),
        "owed": money(position.owed),
        "apr": str(position.apr),
        "contractual_instalment": money(position.contractual_instalment),
        "remaining_months": position.remaining_months,
        "as_of": position.as_of.isoformat(),
        "repayment_day": position.repayment_day,
    }


def phase_document(phase: Phase) -> dict[str, Any]:
    return {
        "key": phase.key,
        "months": phase.months,
        "params": jsonable(phase.params),
        "text": texts("phase", phase.key, {"months": phase.months, **phase.params}),
    }


def schedule_rows(schedule: PlanSchedule) -> list[dict[str, Any]]:
    """Every instalment, amounts as exact decimal strings in the schedule's currency."""
    return [
        {
            "number": row.number,
            "due_on": row.due_on.isoformat(),
            "phase": row.phase,
            "payment": str(row.payment.amount),
            "principal": str(row.principal.amount),
            "interest": str(row.interest.amount),
            "fees": str(row.fees.amount),
            "interest_added": str(row.interest_added.amount),
            "balance_after": str(row.balance_after.amount),
            "re_ages": row.re_ages,
        }
        for row in schedule.instalments
    ]


def option_document(option: RepaymentOption, *, recommended: bool) -> dict[str, Any]:
    schedule = option.schedule
    return {
        "id": option.id,
        "kind": str(option.kind),
        "text": texts("option", str(option.kind)),
        "recommended": recommended,
        "fits": option.fits,
        "first_unaffordable": option.first_unaffordable,
        "phases": [phase_document(phase) for phase in option.phases],
        "months": option.months,
        "first_payment": money(option.first_payment),
        "max_payment": money(option.max_payment),
        "total_payment": money(option.total_payment),
        "total_interest": money(option.total_interest),
        "total_fees": money(schedule.total_fees),
        "forgiven": money(schedule.forgiven),
        "owed_at_start": money(schedule.owed_at_start),
        "expected_value": money(option.expected_value),
        "monthly_failure_percent": str(option.monthly_failure_percent),
        "re_age_after_payments": option.re_age_after_payments,
        "waive_annual_fee": option.waive_annual_fee,
        "notes": [reason_document(note) for note in option.notes],
        "currency": schedule.total_payment.currency,
        "schedule": schedule_rows(schedule),
    }


def recommendation_document(recommendation: Recommendation) -> dict[str, Any]:
    value = recommendation.collection_value
    return {
        "option_id": recommendation.option.id if recommendation.option else None,
        "refer_to_debt_advice": recommendation.refer_to_debt_advice,
        "reasons": [reason_document(reason) for reason in recommendation.reasons],
        "collection_value": money(value) if value is not None else None,
    }


def options_documents(
    options: Iterable[RepaymentOption], recommendation: Recommendation
) -> list[dict[str, Any]]:
    chosen = recommendation.option.id if recommendation.option else None
    return [option_document(o, recommended=o.id == chosen) for o in options]
