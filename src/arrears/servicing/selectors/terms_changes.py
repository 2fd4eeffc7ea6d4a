"""Reads of scheduled product terms changes, for the terms-change notice."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from arrears.servicing.choices import AccountStatus, TermsChangeStatus
from arrears.servicing.models import Account, ProductTermsChange


def terms_changes_to_announce(day: dt.date) -> list[ProductTermsChange]:
    """Scheduled changes that should be announced on `day`.

    Those whose announcement date has come and that can still be announced lawfully: at least
    their notice period before the effective date. A change announced late (after that) is not
    returned — it must be rescheduled with a later effective date rather than sent short.
    Sending each notice once is the outbox's job (key it by change and account).
    """
    rows = ProductTermsChange.objects.filter(
        status=TermsChangeStatus.SCHEDULED, announced_on__lte=day, effective_on__gt=day
    ).select_related("product")
    return [
        change
        for change in rows.order_by("effective_on", "pk")
        if (change.effective_on - day).days >= change.notice_days
    ]


def accounts_affected_by(change: ProductTermsChange) -> QuerySet[Account]:
    """The open accounts of the change's product: who must be told."""
    return Account.objects.filter(product_id=change.product_id, status=AccountStatus.OPEN).order_by(
        "pk"
    )


def terms_changes_of(product_id: int) -> QuerySet[ProductTermsChange]:
    """Every change of a product, by effective date."""
    return ProductTermsChange.objects.filter(product_id=product_id).order_by("effective_on", "pk")
