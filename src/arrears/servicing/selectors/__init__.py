"""Every read of the servicing app: balances, dues, accrued interest, summaries and checks.

Reads never write. Money comes back as `Money` (or minor units in JSON-ready summaries).
"""

from arrears.servicing.selectors.balances import (
    Balances,
    balance_segments,
    balances,
    book_balances,
)
from arrears.servicing.selectors.dues import (
    Delinquency,
    allocation_dues,
    current_instalment,
    delinquency,
    minimum_due_now,
    next_due_date,
    unpaid_obligations,
)
from arrears.servicing.selectors.interest import accrued_interest, last_statement
from arrears.servicing.selectors.summary import account_summary, check_account

__all__ = [
    "Balances",
    "Delinquency",
    "account_summary",
    "accrued_interest",
    "allocation_dues",
    "balance_segments",
    "balances",
    "book_balances",
    "check_account",
    "current_instalment",
    "delinquency",
    "last_statement",
    "minimum_due_now",
    "next_due_date",
    "unpaid_obligations",
]
