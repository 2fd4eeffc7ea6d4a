"""Every read of the servicing app: balances, dues, accrued interest, summaries and checks.

Reads never write. Money comes back as `Money` (or minor units in JSON-ready summaries).
"""

from arrears.servicing.selectors.autopay import (
    UpcomingDebit,
    accounts_with_autopay,
    active_mandate,
    autopay_amount,
    autopay_debits,
    autopay_debits_due,
    autopay_failures_on,
)
from arrears.servicing.selectors.balances import (
    Balances,
    balance_segments,
    balances,
    book_balances,
)
from arrears.servicing.selectors.contacts import borrower_for_user, borrowers_reached_at
from arrears.servicing.selectors.dues import (
    Delinquency,
    allocation_dues,
    current_instalment,
    delinquency,
    delinquency_of,
    minimum_due_now,
    next_due_date,
    unpaid_obligations,
)
from arrears.servicing.selectors.interest import accrued_interest, last_statement
from arrears.servicing.selectors.payments import posted_payments_in_bulk
from arrears.servicing.selectors.summary import account_summary, check_account
from arrears.servicing.selectors.terms_changes import (
    accounts_affected_by,
    terms_changes_of,
    terms_changes_to_announce,
)

__all__ = [
    "Balances",
    "Delinquency",
    "UpcomingDebit",
    "account_summary",
    "accounts_affected_by",
    "accounts_with_autopay",
    "accrued_interest",
    "active_mandate",
    "allocation_dues",
    "autopay_amount",
    "autopay_debits",
    "autopay_debits_due",
    "autopay_failures_on",
    "balance_segments",
    "balances",
    "book_balances",
    "borrower_for_user",
    "borrowers_reached_at",
    "check_account",
    "current_instalment",
    "delinquency",
    "delinquency_of",
    "last_statement",
    "minimum_due_now",
    "next_due_date",
    "posted_payments_in_bulk",
    "terms_changes_of",
    "terms_changes_to_announce",
    "unpaid_obligations",
]
