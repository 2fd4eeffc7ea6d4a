"""Borrowers and their accounts: registering, opening cards and loans, card spending.

Every function validates all of its input before it writes anything, so bad input raises a
`ValidationError` naming the field and leaves the database untouched.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from arrears.core.clock import Clock
from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.core.products import CardTerms, LoanTerms
from arrears.core.schedule import RepaymentMethod, instalment_schedule
from arrears.servicing.choices import (
    AccountStatus,
    EntryKind,
    ObligationKind,
    ProductKind,
)
from arrears.servicing.models import Account, Borrower, JournalEntry, Obligation, Product
from arrears.servicing.selectors import balances
from arrears.servicing.services.borrowers import register_borrower
from arrears.servicing.services.ledger import FUNDING, INCOME_INTEREST, post_entry
from arrears.servicing.services.products import product_terms

__all__ = [
    "open_card_account",
    "open_loan_account",
    "post_cash_advance",
    "post_instalment_interest",
    "post_purchase",
    "register_borrower",
]


def _require_positive(field: str, amount: Money, currency: str) -> None:
    if not isinstance(amount, Money):
        raise ValidationError(field, _("must be an amount of money"))
    if amount.currency != currency:
        raise ValidationError(
            field,
            _("is in %(given)s but the account is in %(currency)s")
            % {"given": amount.currency, "currency": currency},
        )
    if amount.amount <= 0:
        raise ValidationError(field, _("must be more than zero"))


def _product_of_kind(product: Product, kind: ProductKind) -> None:
    if product.kind != kind:
        raise ValidationError(
            "product",
            _("%(code)s is not a %(kind)s product") % {"code": product.code, "kind": kind},
        )
    if not product.is_active:
        raise ValidationError("product", _("%(code)s is withdrawn") % {"code": product.code})


def _create_account(number: str | None, **fields: object) -> Account:
    """Create the account with the given number, or one made from the product code and its id."""
    if number is not None:
        if not number.strip():
            raise ValidationError("number", _("must not be empty"))
        if Account.objects.filter(number=number).exists():
            raise Conflict(_("number: account %(number)s already exists") % {"number": number})
        return Account.objects.create(number=number, **fields)
    account = Account.objects.create(number=f"tmp-{uuid.uuid4().hex}", **fields)
    product = fields["product"]
    assert isinstance(product, Product)
    account.number = f"{product.code.upper()}-{account.pk:08d}"
    account.save(update_fields=["number"])
    return account


@transaction.atomic
def open_card_account(
    *,
    borrower: Borrower,
    product: Product,
    opened_on: dt.date,
    credit_limit: Money,
    opening_balance: Money | None = None,
    number: str | None = None,
    clock: Clock | None = None,
) -> Account:
    """Open a credit card with a limit; an opening balance (a migrated card) is posted as
    purchase principal."""
    _product_of_kind(product, ProductKind.CARD)
    terms = product_terms(product)
    assert isinstance(terms, CardTerms)
    _require_positive("credit_limit", credit_limit, product.currency)
    if opening_balance is not None and not opening_balance.is_zero():
        _require_positive("opening_balance", opening_balance, product.currency)
        if opening_balance > credit_limit:
            raise ValidationError("opening_balance", _("is above the credit limit"))
    account = _create_account(
        number,
        borrower=borrower,
        product=product,
        kind=ProductKind.CARD,
        currency=product.currency,
        opened_on=opened_on,
        credit_limit_minor=credit_limit.minor,
        statement_day=terms.statement_day,
    )
    if opening_balance is not None and not opening_balance.is_zero():
        post_entry(
            account=account,
            kind=EntryKind.OPENING_BALANCE,
            effective_on=opened_on,
            lines={"principal:purchase": opening_balance.minor, FUNDING: -opening_balance.minor},
            idempotency_key=f"opening-balance:{account.number}",
            clock=clock,
        )
    return account


def _loan_shape(
    terms: LoanTerms, months: int, apr: Decimal | None, method: str | None
) -> tuple[Decimal, RepaymentMethod]:
    if not isinstance(months, int) or not terms.min_months <= months <= terms.max_months:
        raise ValidationError(
            "months",
            _("must be from %(low)d to %(high)d for this product")
            % {"low": terms.min_months, "high": terms.max_months},
        )
    chosen_apr = terms.apr if apr is None else apr
    if not isinstance(chosen_apr, Decimal) or not Decimal(0) <= chosen_apr <= Decimal(100):
        raise ValidationError("apr", _("must be a Decimal percent between 0 and 100"))
    try:
        chosen_method = RepaymentMethod(method or terms.method)
    except ValueError:
        raise ValidationError(
            "method", _("must be one of %(names)s") % {"names": ", ".join(RepaymentMethod)}
        ) from None
    return chosen_apr, chosen_method


@transaction.atomic
def open_loan_account(
    *,
    borrower: Borrower,
    product: Product,
    principal: Money,
    months: int,
    start_on: dt.date,
    apr: Decimal | None = None,
    method: RepaymentMethod | str | None = None,
    repayment_day: int | None = None,
    number: str | None = None,
    clock: Clock | None = None,
) -> Account:
    """Open an instalment loan: its schedule becomes one obligation per instalment, and the
    principal is disbursed (principal:loan +P / funding −P).

    APR and repayment method default to the product's; each instalment's interest is charged
    on its due date (`post_instalment_interest`).
    """
    _product_of_kind(product, ProductKind.LOAN)
    terms = product_terms(product)
    assert isinstance(terms, LoanTerms)
    _require_positive("principal", principal, product.currency)
    chosen_apr, chosen_method = _loan_shape(terms, months, apr, method)
    schedule = instalment_schedule(
        principal=principal,
        apr=chosen_apr,
        months=months,
        method=chosen_method,
        start_on=start_on,
        repayment_day=repayment_day,
        rounding=terms.rounding,
    )
    account = _create_account(
        number,
        borrower=borrower,
        product=product,
        kind=ProductKind.LOAN,
        currency=product.currency,
        opened_on=start_on,
        principal_minor=principal.minor,
        apr=chosen_apr,
        term_months=months,
        repayment_method=chosen_method.value,
        repayment_day=repayment_day or start_on.day,
    )
    Obligation.objects.bulk_create(
        Obligation(
            account=account,
            kind=ObligationKind.INSTALMENT,
            number=instalment.number,
            due_on=instalment.due_on,
            amount_minor=instalment.payment.minor,
            principal_minor=instalment.principal.minor,
            interest_minor=instalment.interest.minor,
        )
        for instalment in schedule.instalments
    )
    post_entry(
        account=account,
        kind=EntryKind.DISBURSEMENT,
        effective_on=start_on,
        lines={"principal:loan": principal.minor, FUNDING: -principal.minor},
        idempotency_key=f"disbursement:{account.number}",
        clock=clock,
    )
    return account


def instalment_interest_key(obligation: Obligation) -> str:
    """The idempotency key of an instalment's interest charge: one live charge per instalment.

    A charge withdrawn by reversal (a reopened early payoff) frees the next key, `#1`, `#2` …
    """
    base = f"instalment-interest:{obligation.account_id}:{obligation.number}"
    withdrawn = (
        JournalEntry.objects.filter(account_id=obligation.account_id, reversed_by__isnull=False)
        .filter(Q(idempotency_key=base) | Q(idempotency_key__startswith=f"{base}#"))
        .count()
    )
    return f"{base}#{withdrawn}" if withdrawn else base


@transaction.atomic
def post_instalment_interest(
    *, obligation: Obligation, on: dt.date | None = None, clock: Clock | None = None
) -> JournalEntry | None:
    """Charge an instalment's scheduled interest (interest:loan +I / income:interest −I) once.

    The daily cycle calls this on the due date; `post_payment` calls it for instalments already
    due that the cycle has not reached yet. The full scheduled interest is charged even when
    part was prepaid (the prepayment sits as a credit on interest:loan). Marks the obligation
    posted; a second call does nothing and returns None. `on` defaults to the due date.
    """
    locked = Obligation.objects.select_for_update().get(pk=obligation.pk)
    if locked.is_posted:
        return None
    entry, _created = post_entry(
        account=locked.account,
        kind=EntryKind.INTEREST,
        effective_on=on or locked.due_on,
        lines={"interest:loan": locked.interest_minor, INCOME_INTEREST: -locked.interest_minor},
        idempotency_key=instalment_interest_key(locked),
        memo=_("Interest of instalment %(number)d") % {"number": locked.number},
        clock=clock,
    )
    Obligation.objects.filter(pk=locked.pk).update(is_posted=True)
    obligation.is_posted = True
    return entry


def post_purchase(
    *,
    account: Account,
    amount: Money,
    on: dt.date,
    idempotency_key: str,
    balance_type: str = "purchase",
    memo: str = "",
    clock: Clock | None = None,
) -> tuple[JournalEntry, bool]:
    """Post card spending to a balance type (principal:<type> +X / funding −X).

    Refused when it would take the balance above the credit limit. Returns (entry, created):
    a repeated idempotency key returns the first entry and posts nothing.
    """
    return _post_spend(
        account=account,
        amount=amount,
        on=on,
        idempotency_key=idempotency_key,
        balance_type=balance_type,
        kind=EntryKind.PURCHASE,
        memo=memo,
        clock=clock,
    )


def post_cash_advance(
    *,
    account: Account,
    amount: Money,
    on: dt.date,
    idempotency_key: str,
    memo: str = "",
    clock: Clock | None = None,
) -> tuple[JournalEntry, bool]:
    """Post a cash advance (取现) to the card's `cash` balance type, which has no grace period."""
    return _post_spend(
        account=account,
        amount=amount,
        on=on,
        idempotency_key=idempotency_key,
        balance_type="cash",
        kind=EntryKind.CASH_ADVANCE,
        memo=memo,
        clock=clock,
    )


@transaction.atomic
def _post_spend(
    *,
    account: Account,
    amount: Money,
    on: dt.date,
    idempotency_key: str,
    balance_type: str,
    kind: EntryKind,
    memo: str,
    clock: Clock | None,
) -> tuple[JournalEntry, bool]:
    if not idempotency_key:
        raise ValidationError("idempotency_key", _("is required"))
    book = f"principal:{balance_type}"
    # lock first: a concurrent spend on the card must see this one's effect on the credit
    locked = Account.objects.select_for_update().select_related("product").get(pk=account.pk)
    existing = JournalEntry.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        _same_spend(existing, account, book, amount)
        return existing, False
    _check_spend(locked, amount, balance_type)
    available = (
        Money.from_minor(locked.credit_limit_minor or 0, locked.currency) - balances(locked).total
    )
    if amount > available:
        raise ValidationError(
            "amount",
            _("%(amount)s is more than the available credit of %(available)s")
            % {"amount": amount, "available": available},
        )
    return post_entry(
        account=locked,
        kind=kind,
        effective_on=on,
        lines={book: amount.minor, FUNDING: -amount.minor},
        idempotency_key=idempotency_key,
        memo=memo,
        clock=clock,
    )


def _check_spend(account: Account, amount: Money, balance_type: str) -> None:
    if account.kind != ProductKind.CARD:
        raise ValidationError("account", _("only a card account can be spent on"))
    if account.status != AccountStatus.OPEN:
        raise ValidationError(
            "account", _("the account is %(status)s") % {"status": account.get_status_display()}
        )
    _require_positive("amount", amount, account.currency)
    terms = product_terms(account.product)
    assert isinstance(terms, CardTerms)
    if balance_type not in {bt.code for bt in terms.balance_types}:
        raise ValidationError(
            "balance_type",
            _("%(code)s has no balance type %(type)s") % {"code": terms.code, "type": balance_type},
        )


def _same_spend(entry: JournalEntry, account: Account, book: str, amount: Money) -> None:
    """A replayed key must describe the same spend; anything else is a conflicting reuse."""
    lines = {line.book: line.amount_minor for line in entry.lines.all()}
    if entry.account_id != account.pk or lines.get(book) != amount.minor:
        raise Conflict(
            _("idempotency_key: %(key)s was already used for a different posting")
            % {"key": entry.idempotency_key}
        )
