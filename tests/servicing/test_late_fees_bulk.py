"""The late fees of a night posted together are the fees charged one obligation at a time.

`cycle.late_fees.assess_late_fees` posts a chunk's fees in one go (`ledger.post_entry_rows`);
the reference here is the rule it replaced, `post_entry` for each obligation in turn. On random
cards and loans — fees capped, limited to the unpaid minimum, within the tolerance, charged
already by an earlier run — the journal they write is the same, entry for entry and line for
line, in the same order, and so are the counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arrears.core.clock import Clock
from arrears.core.money import Money
from arrears.servicing.choices import EntryKind, ObligationKind
from arrears.servicing.models import Account, JournalEntry, JournalLine, Obligation, Product
from arrears.servicing.services.cycle.context import CycleContext
from arrears.servicing.services.cycle.late_fees import (
    LATE_FEE_BOOK,
    _obligations_late_from,
    assess_late_fees,
    late_fee_for,
)
from arrears.servicing.services.ledger import INCOME_FEES, post_entry
from arrears.servicing.services.products import product_terms
from tests.conftest import rolled_back
from tests.factories import make_borrower, make_card_account, make_loan_account
from tests.servicing.cycle_support import product_like

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 10)

OBLIGATION = st.fixed_dictionaries(
    {
        "product": st.integers(min_value=0, max_value=3),
        "amount": st.integers(min_value=1, max_value=900_000),
        # what is left unpaid: all of it, a share, or a shortfall at the tolerance's edge
        "left": st.sampled_from(["all", "share", "edge-1", "edge", "edge+1"]),
        "charged_before": st.booleans(),
    }
)


def fee_products() -> list[Product]:
    return [
        # a 50.00 fee capped at 30.00, no grace, no tolerance
        product_like(
            "cn_card_classic",
            "card_capped_fee",
            late_fee="50.00",
            late_fee_cap="30.00",
            grace_days_after_due=0,
            dpd_tolerance="0.00",
        ),
        Product.objects.get(code="cn_card_classic"),  # 3 grace days, 10.00 tolerance
        Product.objects.get(code="us_card_rewards"),  # no grace, no tolerance, in dollars
        Product.objects.get(code="cn_consumer_loan"),
    ]


def owe(specs: list[dict], clock: Clock) -> None:
    """An obligation per spec whose grace days ran out yesterday, some already charged."""
    products = fee_products()
    borrower = make_borrower()
    for number, spec in enumerate(specs, start=1000):
        product = products[spec["product"]]
        terms = product_terms(product)
        if product.kind == "loan":
            account = make_loan_account(product=product, borrower=borrower)
            kind = ObligationKind.INSTALMENT
        else:
            account = make_card_account(product=product, borrower=borrower)
            kind = ObligationKind.MINIMUM_PAYMENT
        tolerance = terms.dpd_tolerance.minor
        unpaid = {
            "all": spec["amount"],
            "share": max(1, spec["amount"] // 3),
            "edge-1": max(1, tolerance - 1),
            "edge": max(1, tolerance),
            "edge+1": tolerance + 1,
        }[spec["left"]]
        amount = max(spec["amount"], unpaid)
        obligation = Obligation.objects.create(
            account=account,
            kind=kind,
            number=number,
            due_on=DAY - dt.timedelta(days=terms.grace_days_after_due + 1),
            amount_minor=amount,
            paid_minor=amount - unpaid,
        )
        if spec["charged_before"]:  # an earlier run, killed after this fee was posted
            post_entry(
                account=account,
                kind=EntryKind.LATE_FEE,
                effective_on=DAY,
                lines={LATE_FEE_BOOK: 100, INCOME_FEES: -100},
                idempotency_key=f"latefee:{obligation.pk}",
                memo="charged before",
                clock=clock,
            )


def charged_one_by_one(ctx: CycleContext) -> dict[str, int]:
    """The reference: each obligation that became late today, charged on its own."""
    counts: Counter[str] = Counter(late_fees=0, within_tolerance=0)
    became_late = _obligations_late_from(ctx)
    for obligation in became_late or ():
        account = obligation.account
        terms = ctx.terms[account.product_id]
        unpaid = Money.from_minor(obligation.unpaid_minor, account.currency)
        if unpaid <= terms.dpd_tolerance:
            counts["within_tolerance"] += 1
            continue
        fee = late_fee_for(terms, unpaid).minor
        if fee <= 0:
            counts["no_fee"] += 1
            continue
        _entry, created = post_entry(
            account=account,
            kind=EntryKind.LATE_FEE,
            effective_on=ctx.day,
            lines={LATE_FEE_BOOK: fee, INCOME_FEES: -fee},
            idempotency_key=f"latefee:{obligation.pk}",
            memo=f"late fee: {obligation.kind} {obligation.number} due {obligation.due_on}",
            clock=ctx.clock,
        )
        counts["late_fees" if created else "already_charged"] += 1
    return dict(counts)


def journal() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every entry and line, in the order they were written (ids left out: a rolled-back
    sequence is not reset on PostgreSQL)."""
    entries = list(
        JournalEntry.objects.order_by("pk").values_list(
            "account_id",
            "kind",
            "effective_on",
            "posted_at",
            "currency",
            "idempotency_key",
            "memo",
            "reverses_id",
        )
    )
    lines = list(
        JournalLine.objects.order_by("pk").values_list(
            "entry__idempotency_key", "account_id", "book", "amount_minor", "effective_on"
        )
    )
    return entries, lines


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(OBLIGATION, min_size=1, max_size=6), chunk=st.sampled_from([1, 2, 200]))
def test_late_fees_charged_together_are_the_fees_charged_one_obligation_at_a_time(
    products, clock, monkeypatch, specs, chunk
):
    monkeypatch.setattr("arrears.servicing.services.cycle.context.CHUNK_SIZE", chunk)
    with rolled_back():
        # given obligations whose grace ran out yesterday, on cards and loans of four products
        owe(specs, clock)
        ctx = CycleContext.load(day=DAY, clock=clock)

        # when the night charges the late fees, and (from the same state) one by one
        with rolled_back():
            each_counts = charged_one_by_one(ctx)
            each = journal()
        with rolled_back():
            counts = assess_late_fees(ctx)
            together = journal()

        # then the same entries and lines are written, in the same order, with the same counts
        assert together == each
        assert list(counts.items()) == list(each_counts.items())
        assert Account.objects.count() == len(specs)
