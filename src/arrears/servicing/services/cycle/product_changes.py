"""Cycle steps beside the ledger's: product terms changes taking effect, and autopay debits."""

from __future__ import annotations

from arrears.servicing.services.autopay import run_autopay
from arrears.servicing.services.cycle.context import CycleContext
from arrears.servicing.services.terms_changes import apply_terms_changes


def apply_product_terms_changes(ctx: CycleContext) -> dict[str, int]:
    """Step 0: the terms changes whose effective date is today (never earlier) take effect."""
    return apply_terms_changes(day=ctx.day, clock=ctx.clock)


def collect_autopay(ctx: CycleContext) -> dict[str, int]:
    """After instalment interest and before late fees: debit the mandates due today."""
    return run_autopay(day=ctx.day, clock=ctx.clock)
