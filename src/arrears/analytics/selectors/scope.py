"""Which accounts a KPI report covers, and the period's bounds as instants.

A report covers the accounts of one currency (and, if asked, one product and one strategy
arm) that were open at some point in the period: opened before its end, not closed before its
start. Charged-off accounts stay in: they are still being recovered. Dates are business days;
instants (contacts, decisions, tickets) are cut at midnight in the lender's zone
(`settings.TIME_ZONE`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.collection.models import Case
from arrears.core.errors import ValidationError
from arrears.servicing.models import Account, Product

#: The currency of a report on an empty book.
FALLBACK_CURRENCY = "CNY"


@dataclass(frozen=True)
class Scope:
    """The report's period [start_on, end_on) and the filters that choose its accounts."""

    start_on: dt.date
    end_on: dt.date
    currency: str
    product: str | None = None
    strategy_arm: str | None = None

    @property
    def start_at(self) -> dt.datetime:
        return _midnight(self.start_on)

    @property
    def end_at(self) -> dt.datetime:
        return _midnight(self.end_on)

    def accounts(self) -> QuerySet[Account]:
        """The accounts the report covers (a lazy query, used as a subquery by every KPI)."""
        found = Account.objects.filter(currency=self.currency, opened_on__lt=self.end_on).exclude(
            closed_on__lt=self.start_on
        )
        if self.product:
            found = found.filter(product__code=self.product)
        if self.strategy_arm:
            found = found.filter(Exists(self._arm_cases()))
        return found.order_by()

    def _arm_cases(self) -> QuerySet[Case]:
        """Cases on the arm: `path`, or `strategy code:path` (either side may be left empty)."""
        code, _sep, path = self.strategy_arm.rpartition(":") if self.strategy_arm else ("", "", "")
        cases = Case.objects.filter(account=OuterRef("pk"), opened_on__lt=self.end_on)
        if path:
            cases = cases.filter(path=path)
        if code:
            cases = cases.filter(strategy__code=code)
        return cases


def resolve_scope(
    *,
    start_on: dt.date,
    end_on: dt.date,
    product: str | None,
    strategy_arm: str | None,
    currency: str | None,
) -> Scope:
    """Check the period and filters; the currency is the product's, else the one given, else
    the currency most of the book's accounts are in."""
    if end_on <= start_on:
        raise ValidationError("to", _("must be after the first day (it is the day after the last)"))
    if product:
        product_currency = (
            Product.objects.filter(code=product).values_list("currency", flat=True).first()
        )
        if product_currency is None:
            raise ValidationError("product", _("no product has this code"))
        if currency and currency != product_currency:
            raise ValidationError("currency", _("is not the product's currency"))
        currency = product_currency
    if not currency:
        currency = _main_currency()
    return Scope(start_on, end_on, currency, product or None, strategy_arm or None)


def _main_currency() -> str:
    row = (
        Account.objects.order_by()
        .values("currency")
        .annotate(n=Count("pk"))
        .order_by("-n", "currency")
        .first()
    )
    return str(row["currency"]) if row else FALLBACK_CURRENCY


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_default_timezone())
