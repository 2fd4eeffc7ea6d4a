"""Versioned product terms with an effective date: scheduled with notice, applied on the day.

A change is refused unless it takes effect at least the jurisdiction's notice period after it
is announced (`core.notice_periods`; the lender may lengthen or set figures in settings). The
cycle's first step applies the changes whose effective date has come: the product's terms are
replaced and its version goes up, the old terms kept on the change so that any earlier day can
still be read with the terms then in force (`services.products.product_terms(on=...)`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from arrears.core import products as core_products
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import Conflict, ValidationError
from arrears.core.notice_periods import earliest_effective_date, notice_days_for
from arrears.servicing.choices import TermsChangeStatus
from arrears.servicing.models import Product, ProductTermsChange
from arrears.servicing.services.products import product_terms, terms_to_data


def notice_days_required(jurisdiction: str) -> int:
    """The notice period for a terms change in a jurisdiction, with the lender's overrides."""
    overrides = getattr(settings, "ARREARS_TERMS_CHANGE_NOTICE_DAYS", None) or {}
    return notice_days_for(jurisdiction, overrides)


@transaction.atomic
def schedule_terms_change(
    *,
    product: Product,
    terms: dict[str, Any],
    effective_on: dt.date,
    announced_on: dt.date,
    summary: str = "",
    clock: Clock | None = None,
) -> ProductTermsChange:
    """Schedule new terms for a product, effective on a date, announced on another.

    `terms` are the terms to change (keys left out keep their current value), validated as a
    whole by `parse_product`; the product's code, kind and currency cannot change. The
    effective date must be at least the jurisdiction's notice period after `announced_on`
    (ValidationError naming `effective_on` otherwise), and a product takes at most one change
    per effective date.
    """
    clock = clock or SystemClock()
    if not isinstance(terms, dict):
        raise ValidationError("terms", _("must be an object of product terms"))
    current = product_terms(product)
    merged = {**product.terms, **terms}
    for fixed in ("code", "currency"):
        if fixed in terms and terms[fixed] != getattr(current, fixed):
            raise ValidationError(f"terms.{fixed}", _("cannot change in a terms change"))
    try:
        parsed = core_products.parse_product({"kind": product.kind, **merged})
    except ValidationError as error:
        raise ValidationError(f"terms.{error.field}", error.reason) from None
    jurisdiction = parsed.jurisdiction
    notice_days = notice_days_required(jurisdiction)
    earliest = earliest_effective_date(announced_on, max(notice_days, 1))
    if effective_on < earliest:
        raise ValidationError(
            "effective_on",
            _(
                "must be on or after %(earliest)s: %(jurisdiction)s requires %(days)d days' "
                "notice of a terms change announced on %(announced)s"
            )
            % {
                "earliest": earliest,
                "jurisdiction": jurisdiction,
                "days": notice_days,
                "announced": announced_on,
            },
        )
    taken = ProductTermsChange.objects.filter(product=product, effective_on=effective_on).exclude(
        status=TermsChangeStatus.CANCELLED
    )
    if taken.exists():
        raise ValidationError(
            "effective_on", _("another terms change of this product takes effect that day")
        )
    return ProductTermsChange.objects.create(
        product=product,
        terms=terms_to_data(parsed),
        jurisdiction=jurisdiction,
        notice_days=notice_days,
        announced_on=announced_on,
        effective_on=effective_on,
        summary=summary.strip()[:300],
        created_at=clock.now(),
    )


@transaction.atomic
def cancel_terms_change(
    *, change: ProductTermsChange, clock: Clock | None = None
) -> ProductTermsChange:
    """Withdraw a scheduled change; one already applied is undone only by a new change."""
    clock = clock or SystemClock()
    locked = ProductTermsChange.objects.select_for_update().get(pk=change.pk)
    if locked.status == TermsChangeStatus.CANCELLED:
        return locked
    if locked.status != TermsChangeStatus.SCHEDULED:
        raise Conflict(_("a terms change already applied cannot be cancelled"))
    locked.status, locked.cancelled_at = TermsChangeStatus.CANCELLED, clock.now()
    locked.save(update_fields=["status", "cancelled_at"])
    return locked


def apply_terms_changes(*, day: dt.date, clock: Clock | None = None) -> dict[str, int]:
    """Apply every scheduled change effective on or before `day`, oldest first (a cycle step).

    Never before its effective date. Each change is applied once (its status says so); the
    product's version goes up by one per change, and the terms it replaced are kept on it.
    """
    clock = clock or SystemClock()
    due = ProductTermsChange.objects.filter(
        status=TermsChangeStatus.SCHEDULED, effective_on__lte=day
    ).order_by("effective_on", "pk")
    applied = 0
    for change_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            change = ProductTermsChange.objects.select_for_update().get(pk=change_id)
            if change.status != TermsChangeStatus.SCHEDULED:
                continue
            product = Product.objects.select_for_update().get(pk=change.product_id)
            change.previous_terms, change.from_version = product.terms, product.version
            product.terms, product.version = change.terms, product.version + 1
            product.save(update_fields=["terms", "version", "updated_at"])
            change.status, change.to_version = TermsChangeStatus.APPLIED, product.version
            change.applied_at = clock.now()
            change.save(
                update_fields=[
                    "previous_terms",
                    "from_version",
                    "to_version",
                    "status",
                    "applied_at",
                ]
            )
            applied += 1
    return {"terms_changes_applied": applied}
