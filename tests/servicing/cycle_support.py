"""Helpers for the cycle tests: product variants, running the cycle, counting what it wrote."""

from __future__ import annotations

import datetime as dt
from typing import Any

from arrears.core.clock import Clock
from arrears.core.money import Money
from arrears.core.products import parse_product
from arrears.servicing.choices import EntryKind
from arrears.servicing.models import (
    Account,
    BucketChange,
    CycleRun,
    JournalEntry,
    JournalLine,
    Obligation,
    Product,
    Statement,
)
from arrears.servicing.services.cycle import DayResult, run_cycle
from arrears.servicing.services.products import terms_to_data
from tests.factories import ensure_product


def product_like(base_code: str, code: str, **changes: Any) -> Product:
    """A product with the terms of a bundled one, some of them changed (validated as on load)."""
    base = ensure_product(base_code)
    terms = parse_product({"kind": base.kind, **base.terms, "code": code, **changes})
    return Product.objects.create(
        code=code,
        kind=base.kind,
        name_en=f"{base.name_en} ({code})",
        name_zh=f"{base.name_zh}（{code}）",
        currency=base.currency,
        terms=terms_to_data(terms),
    )


def run_through(day: dt.date, clock: Clock) -> list[DayResult]:
    return run_cycle(through=day, clock=clock)


def entries(account: Account, kind: EntryKind) -> list[JournalEntry]:
    return list(
        JournalEntry.objects.filter(account=account, kind=kind).order_by("effective_on", "pk")
    )


def book(account: Account, name: str) -> int:
    """A book's balance in minor units."""
    return sum(
        JournalLine.objects.filter(account=account, book=name).values_list(
            "amount_minor", flat=True
        )
    )


def money(account: Account, minor: int) -> Money:
    return Money.from_minor(minor, account.currency)


def what_the_cycle_wrote() -> dict[str, Any]:
    """Everything the cycle can write, counted and summed, to compare two moments."""
    return {
        "entries": JournalEntry.objects.count(),
        "lines": JournalLine.objects.count(),
        "line_total": sum(JournalLine.objects.values_list("amount_minor", flat=True)),
        "statements": Statement.objects.count(),
        "obligations": list(
            Obligation.objects.order_by("pk").values_list("amount_minor", "paid_minor", "is_posted")
        ),
        "bucket_changes": BucketChange.objects.count(),
        "accounts": list(
            Account.objects.order_by("pk").values_list(
                "status", "days_past_due", "bucket", "past_due_minor", "charged_off_on", "closed_on"
            )
        ),
        "cycle_runs": CycleRun.objects.count(),
    }
