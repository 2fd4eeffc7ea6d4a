"""The servicing REST API: borrowers, accounts (summary, ledger, statements, schedule), payments
and autopay mandates.

Handlers parse, check the caller's permission, call one service or selector, and render.
Every error is a problem detail (see `arrears.common.problems`).
"""

import datetime as dt
from typing import Annotated

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router, Status
from ninja.pagination import paginate

from arrears.common.pagination import LimitOffset
from arrears.common.permissions import require_permissions
from arrears.common.problems import error_responses
from arrears.common.schemas import MAX_ID
from arrears.core.errors import NotFound
from arrears.core.money import Money
from arrears.servicing.choices import MandateStatus
from arrears.servicing.models import Account, AutopayDebit, AutopayMandate, Borrower, Obligation
from arrears.servicing.schemas import (
    RECENT_DEBITS,
    AccountDetail,
    AccountFilters,
    AccountListItem,
    AutopayOut,
    BorrowerIn,
    BorrowerOut,
    JournalEntryOut,
    MandateChangeIn,
    MandateIn,
    MandateOut,
    ObligationOut,
    PaymentIn,
    PaymentOut,
    ReversalIn,
    StatementOut,
)
from arrears.servicing.selectors import account_summary
from arrears.servicing.selectors.listings import (
    account_by_id,
    account_entries,
    account_list,
    account_schedule,
    account_statements,
    borrower_by_id,
    borrower_list,
    payment_by_id,
)
from arrears.servicing.services.autopay import cancel_autopay, change_autopay, set_up_autopay_once
from arrears.servicing.services.borrowers import register_borrower
from arrears.servicing.services.payments import MAX_KEY_LENGTH, post_payment, reverse_payment

router = Router()

BorrowerId = Annotated[int, Path(ge=1, le=MAX_ID, description="the borrower's id")]
AccountId = Annotated[int, Path(ge=1, le=MAX_ID, description="the account's id")]
PaymentId = Annotated[int, Path(ge=1, le=MAX_ID, description="the payment's id")]
MandateId = Annotated[int, Path(ge=1, le=MAX_ID, description="the autopay mandate's id")]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=r"^[\x21-\x7e]+$",
        description="a unique key per payment, chosen by the caller (e.g. a UUID); "
        "re-sending the same request with the same key posts nothing new",
    ),
]

READ = error_responses(401, 403, 404, 422)
#: 400 is a body that is not JSON at all; 422 a JSON body that is not a valid request
WRITE = error_responses(400, 401, 403, 404, 409, 422)
VIEW_ACCOUNT = "servicing.view_account"
VIEW_AUTOPAY = (VIEW_ACCOUNT, "servicing.view_autopaymandate", "servicing.view_autopaydebit")
SET_UP_AUTOPAY = "servicing.add_autopaymandate"
CHANGE_AUTOPAY = "servicing.change_autopaymandate"


# --- borrowers ----------------------------------------------------------------------------------
@router.get("/borrowers", response={200: list[BorrowerOut], **READ}, tags=["borrowers"])
@paginate(LimitOffset)
def list_borrowers(request: HttpRequest) -> object:
    """Borrowers, oldest first, with their contact points."""
    require_permissions(request, "servicing.view_borrower")
    return borrower_list()


@router.get("/borrowers/{borrower_id}", response={200: BorrowerOut, **READ}, tags=["borrowers"])
def get_borrower(request: HttpRequest, borrower_id: BorrowerId) -> Borrower:
    require_permissions(request, "servicing.view_borrower")
    return borrower_by_id(borrower_id)


@router.post(
    "/borrowers",
    response={201: BorrowerOut, **error_responses(400, 401, 403, 409, 422)},
    tags=["borrowers"],
)
def create_borrower(request: HttpRequest, payload: BorrowerIn) -> Status[Borrower]:
    """Register a borrower; phone numbers are checked and stored in E.164."""
    require_permissions(request, "servicing.add_borrower")
    borrower = register_borrower(**payload.model_dump())
    return Status(201, borrower_by_id(borrower.pk))


# --- accounts -----------------------------------------------------------------------------------
@router.get("/accounts", response={200: list[AccountListItem], **READ}, tags=["accounts"])
@paginate(LimitOffset)
def list_accounts(request: HttpRequest, filters: Query[AccountFilters]) -> object:
    """Accounts, filtered by status, bucket and days past due (at least `min_dpd`)."""
    require_permissions(request, VIEW_ACCOUNT)
    return account_list(status=filters.status, bucket=filters.bucket, min_dpd=filters.min_dpd)


@router.get("/accounts/{account_id}", response={200: AccountDetail, **READ}, tags=["accounts"])
def get_account(
    request: HttpRequest, account_id: AccountId, as_of: dt.date | None = None
) -> AccountDetail:
    """The account summary: status, delinquency, balances and what is due (as of today)."""
    require_permissions(request, VIEW_ACCOUNT)
    account = account_by_id(account_id)
    summary = account_summary(account, as_of or timezone.localdate())
    return AccountDetail.from_summary(account, summary)


@router.get(
    "/accounts/{account_id}/ledger",
    response={200: list[JournalEntryOut], **READ},
    tags=["accounts"],
)
@paginate(LimitOffset)
def get_account_ledger(request: HttpRequest, account_id: AccountId) -> object:
    """The account's journal entries, oldest first, each with its balanced lines."""
    require_permissions(request, VIEW_ACCOUNT, "servicing.view_journalentry")
    return account_entries(account_by_id(account_id))


@router.get(
    "/accounts/{account_id}/statements",
    response={200: list[StatementOut], **READ},
    tags=["accounts"],
)
@paginate(LimitOffset)
def get_account_statements(request: HttpRequest, account_id: AccountId) -> object:
    """A card account's statements, oldest first."""
    require_permissions(request, VIEW_ACCOUNT, "servicing.view_statement")
    return account_statements(account_by_id(account_id))


@router.get(
    "/accounts/{account_id}/schedule",
    response={200: list[ObligationOut], **READ},
    tags=["accounts"],
)
def get_account_schedule(request: HttpRequest, account_id: AccountId) -> list[Obligation]:
    """What the borrower must pay by when: a loan's instalments, a card's minimum payments."""
    require_permissions(request, VIEW_ACCOUNT, "servicing.view_obligation")
    return account_schedule(account_by_id(account_id))


# --- payments -----------------------------------------------------------------------------------
@router.post(
    "/accounts/{account_id}/payments",
    response={200: PaymentOut, 201: PaymentOut, **WRITE},
    tags=["payments"],
)
def create_payment(
    request: HttpRequest,
    account_id: AccountId,
    payload: PaymentIn,
    idempotency_key: IdempotencyKey,
) -> Status[object]:
    """Post a payment received from the borrower and apply it through the waterfall.

    201 when posted; 200 with the same body when the same request is sent again with the same
    `Idempotency-Key`; 409 when the key was used for a different payment.
    """
    require_permissions(request, "servicing.add_payment")
    account = account_by_id(account_id)
    payment, created = post_payment(
        account=account,
        amount=Money(payload.amount, payload.currency),
        received_on=payload.received_on,
        idempotency_key=idempotency_key,
        channel=payload.channel,
        external_reference=payload.external_reference,
    )
    if not created:
        payload.require_same_as(payment)
    return Status(201 if created else 200, payment)


@router.post(
    "/payments/{payment_id}/reversal",
    response={200: PaymentOut, **WRITE},
    tags=["payments"],
)
def create_payment_reversal(
    request: HttpRequest, payment_id: PaymentId, payload: ReversalIn
) -> object:
    """Reverse a payment (e.g. a returned cheque): its journal entry is negated and the
    account re-aged. A payment is reversed once; a second attempt is 409."""
    require_permissions(request, "servicing.change_payment")
    payment = payment_by_id(payment_id)
    return reverse_payment(payment=payment, reversed_on=payload.reversed_on, reason=payload.reason)


# --- autopay ------------------------------------------------------------------------------------
@router.get("/accounts/{account_id}/autopay", response={200: AutopayOut, **READ}, tags=["autopay"])
def get_account_autopay(request: HttpRequest, account_id: AccountId) -> dict[str, object]:
    """The account's autopay mandates (newest first) and its most recent debits."""
    require_permissions(request, *VIEW_AUTOPAY)
    account = account_by_id(account_id)
    mandates = list(_account_mandates(account))
    return {
        "account_id": account.pk,
        "active_mandate_id": next(
            (m.pk for m in mandates if m.status == MandateStatus.ACTIVE), None
        ),
        "mandates": mandates,
        "recent_debits": list(_recent_debits(account)),
    }


@router.post(
    "/accounts/{account_id}/autopay",
    response={200: MandateOut, 201: MandateOut, **WRITE},
    tags=["autopay"],
)
def create_autopay(
    request: HttpRequest, account_id: AccountId, payload: MandateIn
) -> Status[AutopayMandate]:
    """Set up autopay on an open account. 201 when set up; 200 with the same mandate when the
    same request is sent again while it is active; 409 when another mandate is active."""
    require_permissions(request, SET_UP_AUTOPAY)
    account = account_by_id(account_id)
    mandate, created = set_up_autopay_once(
        account=account,
        amount_rule=payload.amount_rule,
        fixed_amount=payload.fixed_money(account.currency),
        debit_days_before_due=payload.debit_days_before_due,
        funding_account=payload.funding_account,
        consent_reference=payload.consent_reference,
        starts_on=payload.starts_on,
    )
    return Status(201 if created else 200, mandate)


@router.patch("/autopay/{mandate_id}", response={200: MandateOut, **WRITE}, tags=["autopay"])
def change_autopay_mandate(
    request: HttpRequest, mandate_id: MandateId, payload: MandateChangeIn
) -> AutopayMandate:
    """Change the amount rule, the day, or the funding account and consent of a mandate."""
    require_permissions(request, CHANGE_AUTOPAY)
    mandate = _mandate_by_id(mandate_id)
    changes = payload.changes(mandate.currency)
    if not changes:
        return mandate
    return change_autopay(mandate=mandate, **changes)


@router.post("/autopay/{mandate_id}/cancel", response={200: MandateOut, **WRITE}, tags=["autopay"])
def cancel_autopay_mandate(request: HttpRequest, mandate_id: MandateId) -> AutopayMandate:
    """Cancel a mandate: nothing more is debited under it. Cancelling again changes nothing."""
    require_permissions(request, CHANGE_AUTOPAY)
    return cancel_autopay(mandate=_mandate_by_id(mandate_id))


# reads of the autopay operations (candidates for servicing.selectors.autopay)
def _account_mandates(account: Account) -> QuerySet[AutopayMandate]:
    return AutopayMandate.objects.filter(account=account).order_by("-created_at", "-pk")


def _recent_debits(account: Account) -> QuerySet[AutopayDebit]:
    return AutopayDebit.objects.filter(account=account).order_by("-attempted_on", "-pk")[
        :RECENT_DEBITS
    ]


def _mandate_by_id(mandate_id: int) -> AutopayMandate:
    mandate = AutopayMandate.objects.filter(pk=mandate_id).first()
    if mandate is None:
        raise NotFound(_("There is no autopay mandate with id %(id)s.") % {"id": mandate_id})
    return mandate
