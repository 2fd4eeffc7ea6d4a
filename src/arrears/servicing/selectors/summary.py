"""One account at a glance (what `arrears account show --json` prints) and its self-check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from arrears.core.money import Money
from arrears.servicing.choices import AccountStatus
from arrears.servicing.models import Account, JournalEntry, Obligation
from arrears.servicing.selectors.balances import balances
from arrears.servicing.selectors.dues import delinquency, minimum_due_now, next_due_date
from arrears.servicing.selectors.interest import accrued_interest
from arrears.servicing.services.products import product_terms


def _money(amount: Money) -> dict[str, Any]:
    return {"minor": amount.minor, "currency": amount.currency}


def account_summary(account: Account, as_of: dt.date) -> dict[str, Any]:
    """The account's state for people and scripts: JSON-ready, amounts as minor units.

    Days past due and bucket are the cached figures of the last ageing run (what collection
    works from); balances, minimum due and accrued interest are computed now.
    """
    terms = product_terms(account.product)
    bucket = next(
        (b for b in terms.buckets.buckets if b.code == account.bucket), terms.buckets.buckets[0]
    )
    owed = balances(account)
    due_date = next_due_date(account, as_of)
    return {
        "number": account.number,
        "kind": str(account.kind),
        "product": account.product.code,
        "currency": account.currency,
        "as_of": as_of.isoformat(),
        "status": str(account.status),
        "days_past_due": account.days_past_due,
        "bucket": {"code": bucket.code, "label_en": bucket.label_en, "label_zh": bucket.label_zh},
        "aged_on": account.aged_on.isoformat() if account.aged_on else None,
        "balances": {
            "principal": _money(owed.principal),
            "interest": _money(owed.interest),
            "fees": _money(owed.fees),
            "credit": _money(owed.credit),
            "total": _money(owed.total),
        },
        "minimum_due": _money(minimum_due_now(account, as_of)),
        "next_due_date": due_date.isoformat() if due_date else None,
        "past_due_amount": _money(Money.from_minor(account.past_due_minor, account.currency)),
        "accrued_interest": _money(accrued_interest(account, as_of)),
    }


def check_account(account: Account) -> list[str]:
    """Problems with the account's derived state; an empty list means it is consistent.

    Checks that every journal entry balances, that each obligation's paid amounts equal the
    sum of its payment applications, and that the cached days past due, bucket and past-due
    amount equal a fresh computation as of the date the account was last aged.
    """
    return [
        *_unbalanced_entries(account),
        *_obligation_mismatches(account),
        *_stale_ageing(account),
    ]


def _unbalanced_entries(account: Account) -> list[str]:
    rows = (
        JournalEntry.objects.filter(account=account)
        .annotate(net=Sum("lines__amount_minor"))
        .exclude(net=0)
        .exclude(net=None)
        .values_list("pk", "net")
    )
    return [
        _("entry #%(pk)s does not balance: its lines sum to %(net)s") % {"pk": pk, "net": net}
        for pk, net in rows
    ]


def _obligation_mismatches(account: Account) -> list[str]:
    problems: list[str] = []
    obligations = Obligation.objects.filter(account=account).annotate(
        applied=Sum("applications__amount_minor"),
        applied_principal=Sum("applications__principal_minor"),
        applied_interest=Sum("applications__interest_minor"),
    )
    for o in obligations:
        expected = (o.applied or 0, o.applied_principal or 0, o.applied_interest or 0)
        cached = (o.paid_minor, o.paid_principal_minor, o.paid_interest_minor)
        if cached != expected:
            problems.append(
                _(
                    "obligation %(kind)s #%(number)s (due %(due_on)s): paid (total, principal,"
                    " interest) is %(cached)s but its applications sum to %(expected)s"
                )
                % {
                    "kind": o.kind,
                    "number": o.number,
                    "due_on": o.due_on,
                    "cached": cached,
                    "expected": expected,
                }
            )
    return problems


def _stale_ageing(account: Account) -> list[str]:
    if account.aged_on is None:
        return []
    fresh = delinquency(account, account.aged_on)
    cached = (account.days_past_due, account.bucket, account.past_due_minor)
    expected = (fresh.days_past_due, fresh.bucket.code, fresh.past_due.minor)
    if account.status == AccountStatus.CHARGED_OFF or cached == expected:
        return []
    return [
        _(
            "cached ageing as of %(aged_on)s (days past due, bucket, past due) is %(cached)s"
            " but the obligations give %(expected)s"
        )
        % {"aged_on": account.aged_on, "cached": cached, "expected": expected}
    ]
