"""Hardship rows as JSON documents: what the API returns and the CLI prints with `--json`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from arrears.core.money import Money
from arrears.hardship.models import Article, Assessment, DebtAdviceService, Plan
from arrears.hardship.selectors import PlanLedgerTerms
from arrears.hardship.wire import money


def _money(minor: int, currency: str) -> dict[str, Any]:
    return money(Money.from_minor(int(minor), currency))


def article_document(article: Article, language: str) -> dict[str, Any]:
    zh = language == "zh-hans"
    return {
        "slug": article.slug,
        "topic": article.topic,
        "language": language,
        "title": article.title_zh if zh else article.title_en,
        "summary": article.summary_zh if zh else article.summary_en,
        "body": article.body_zh if zh else article.body_en,
    }


def debt_advice_documents(
    services: Iterable[DebtAdviceService], language: str
) -> list[dict[str, Any]]:
    zh = language == "zh-hans"
    return [
        {
            "code": s.code,
            "jurisdiction": s.jurisdiction,
            "name": s.name_zh if zh else s.name_en,
            "phone": s.phone,
            "url": s.url,
            "description": s.description_zh if zh else s.description_en,
            "is_free": s.is_free,
            "contact_check": s.contact_check,
            "check_note": s.check_note,
        }
        for s in services
    ]


def assessment_document(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "borrower_id": assessment.borrower_id,
        "account_ids": sorted(a.pk for a in assessment.accounts.all()),
        "source": assessment.source,
        "currency": assessment.currency,
        "region": assessment.region,
        "employment": assessment.employment,
        "reason": assessment.reason,
        "temporary": assessment.temporary,
        "vulnerabilities": list(assessment.vulnerabilities),
        "is_vulnerable": assessment.is_vulnerable,
        "statement": assessment.statement,
        "affordability": assessment.affordability,
        "explanation": assessment.explanation,
        "taken_on": assessment.taken_on,
        "taken_at": assessment.taken_at,
    }


def plan_document(plan: Plan) -> dict[str, Any]:
    currency = plan.currency
    return {
        "id": plan.pk,
        "account_id": plan.account_id,
        "assessment_id": plan.assessment_id,
        "option_id": plan.option_id,
        "kind": plan.kind,
        "status": plan.status,
        "currency": currency,
        "priced_on": plan.priced_on,
        "recommended": plan.recommended,
        "terms": plan.terms,
        "schedule": plan.schedule,
        "reasons": plan.reasons,
        "terms_text": {"en": plan.terms_text_en, "zh": plan.terms_text_zh},
        "terms_digest": plan.terms_digest,
        "total_payment": _money(plan.total_payment_minor, currency),
        "grace_days": plan.grace_days,
        "re_age_after": plan.re_age_after,
        "ageing": plan.ageing,
        "accepted_at": plan.accepted_at,
        "accepted_via": plan.accepted_via,
        "terms_language": plan.terms_language,
        "terms_shown": plan.terms_shown,
        "starts_on": plan.starts_on,
        "activated_on": plan.activated_on,
        "re_aged_on": plan.re_aged_on,
        "completed_on": plan.completed_on,
        "broken_on": plan.broken_on,
        "cancelled_on": plan.cancelled_on,
        "end_reason": plan.end_reason,
        "instalments": [
            {
                "number": i.number,
                "due_on": i.due_on,
                "phase": i.phase,
                "amount": _money(i.amount_minor, currency),
                "paid": _money(i.paid_minor, currency),
                "paid_on": i.paid_on,
                "status": i.status,
            }
            for i in plan.instalments.all()
        ],
        "events": [
            {
                "kind": e.kind,
                "happened_on": e.happened_on,
                "recorded_at": e.recorded_at,
                "instalment_number": e.instalment_number,
                "detail": e.detail,
            }
            for e in plan.events.all()
        ],
    }


def plan_ledger_terms_document(terms: PlanLedgerTerms) -> dict[str, Any]:
    """GET /plans/{id}/terms: what the plan wrote on the ledger, in minor units and Money."""
    currency = terms.plan.currency
    return {
        "plan_id": terms.plan.pk,
        "account_id": terms.plan.account_id,
        "status": terms.plan.status,
        "currency": currency,
        "source": terms.source,
        "rate_overrides": [
            {
                "id": o.pk,
                "from_on": o.from_on,
                "until_on": o.until_on,
                "apr": str(o.apr),
                "reason": o.reason,
                "end_reason": o.end_reason,
            }
            for o in terms.rate_overrides
        ],
        "scheduled_interest": [
            {
                "number": row.number,
                "due_on": row.due_on,
                "amount": _money(row.amount_minor, currency),
                "capitalised": _money(row.capitalised_minor, currency),
                "charged": row.entry_id is not None,
                "cancelled_on": row.cancelled_on,
            }
            for row in terms.scheduled_interest
        ],
        "entries": [
            {
                "id": entry.pk,
                "kind": entry.kind,
                "effective_on": entry.effective_on,
                "idempotency_key": entry.idempotency_key or "",
                "memo": entry.memo,
                "amount": _money(
                    sum(line.amount_minor for line in entry.lines.all() if line.amount_minor > 0),
                    currency,
                ),
            }
            for entry in terms.entries
        ],
        "adjustments": [
            {
                "entry_id": a.entry_id,
                "obligation_id": a.obligation_id,
                "obligation_due_on": a.obligation.due_on,
                "amount": _money(a.amount_minor, currency),
                "principal": _money(a.principal_minor, currency),
                "interest": _money(a.interest_minor, currency),
            }
            for a in terms.adjustments
        ],
    }
