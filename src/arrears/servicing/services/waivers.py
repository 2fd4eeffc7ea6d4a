"""Forgiving part of a debt, and moving interest into principal, as journal entries.

- `waive_amount` (减免): the lender forgives fees, interest or principal; the amount leaves the
  borrower's books against `expense:waivers`.
- `grant_settlement_discount` (折扣结清): what a settlement forgives, fees first, then interest,
  then principal, against `expense:settlement_discounts`.
- `reverse_waiver`: the usual reversal entry, and the dues the waiver lowered are owed again.
- `capitalise_interest`: interest added to the principal (a payment holiday's interest).

A waiver lowers the borrower's dues as a payment of the same amount to those books would: the
obligations it reaches (oldest first) ask that much less, recorded as `ObligationAdjustment`s
linked to the entry, so the waterfall and ageing see the reduced amounts and a reversal puts
back exactly what it took. A loan that then owes nothing is paid off, and the account is aged
again (a cure is recorded with reason `waiver`). Every entry is keyed: the same key again
posts nothing and returns the first entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from arrears.core.clock import Clock
from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.servicing.choices import (
    AccountStatus,
    BucketChangeReason,
    EntryKind,
    ObligationKind,
    ProductKind,
)
from arrears.servicing.models import Account, JournalEntry, Obligation, ObligationAdjustment
from arrears.servicing.selectors import balances, book_balances
from arrears.servicing.selectors.rates import interest_posted_through
from arrears.servicing.services.accounts import post_instalment_interest
from arrears.servicing.services.ageing import age_account
from arrears.servicing.services.allocation import settle_status
from arrears.servicing.services.ledger import (
    SETTLEMENT_DISCOUNTS,
    WAIVERS,
    post_entry,
    reverse_entry,
)
from arrears.servicing.services.scheduled_interest import balance_type_of

#: The parts of a debt, in the order a settlement forgives them.
COMPONENTS = ("fees", "interest", "principal")
MAX_KEY_LENGTH = 100
_FORGIVING = (EntryKind.WAIVER, EntryKind.SETTLEMENT_DISCOUNT)
_CACHED = ("status", "closed_on", "days_past_due", "bucket", "past_due_minor", "aged_on")


@transaction.atomic
def waive_amount(
    *,
    account: Account,
    amount: Money,
    on: dt.date,
    reason: str,
    idempotency_key: str,
    components: Sequence[str] = ("fees",),
    clock: Clock | None = None,
) -> tuple[JournalEntry, bool]:
    """Forgive `amount` of the borrower's `components` ("fees", "interest", "principal"), taken
    from them in the order given; returns (entry, created).

    Refused when more is asked than is owed in those components, when the account is not open,
    or (cards) on or before the last statement date, which has billed those balances.
    """
    return _forgive(
        account=account,
        amount=amount,
        on=on,
        reason=reason,
        idempotency_key=idempotency_key,
        components=components,
        kind=EntryKind.WAIVER,
        expense=WAIVERS,
        clock=clock,
    )


@transaction.atomic
def grant_settlement_discount(
    *,
    account: Account,
    amount: Money,
    on: dt.date,
    reason: str,
    idempotency_key: str,
    clock: Clock | None = None,
) -> tuple[JournalEntry, bool]:
    """Forgive what a settlement agreed not to collect: fees first, then interest, then
    principal (the order `core.hardship.plans` prices it in); returns (entry, created)."""
    return _forgive(
        account=account,
        amount=amount,
        on=on,
        reason=reason,
        idempotency_key=idempotency_key,
        components=COMPONENTS,
        kind=EntryKind.SETTLEMENT_DISCOUNT,
        expense=SETTLEMENT_DISCOUNTS,
        clock=clock,
    )


def _forgive(
    *,
    account: Account,
    amount: Money,
    on: dt.date,
    reason: str,
    idempotency_key: str,
    components: Sequence[str],
    kind: EntryKind,
    expense: str,
    clock: Clock | None,
) -> tuple[JournalEntry, bool]:
    reason = _check_input(account, amount, reason, idempotency_key, components)
    key = f"{kind}:{idempotency_key}"
    replay = _replay(key, account, kind, expense, amount)
    if replay is not None:
        return replay, False
    locked = Account.objects.select_for_update().select_related("product").get(pk=account.pk)
    replay = _replay(key, locked, kind, expense, amount)  # a concurrent twin may have committed
    if replay is not None:
        return replay, False
    _check_account(locked, on)
    cut = _cut_by_book(locked, components, amount)
    lines = {book: -minor for book, minor in cut.items()}
    lines[expense] = amount.minor
    entry, _created = post_entry(
        account=locked,
        kind=kind,
        effective_on=on,
        lines=lines,
        idempotency_key=key,
        memo=reason,
        clock=clock,
    )
    _lower_obligations(locked, entry, cut)
    _after_change(locked, on, clock)
    _copy_state(locked, account)
    return entry, True


def _check_input(
    account: Account, amount: Money, reason: str, key: str, components: Sequence[str]
) -> str:
    if not key or not key.strip():
        raise ValidationError("idempotency_key", _("is required"))
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError(
            "idempotency_key", _("must be at most %(n)d characters") % {"n": MAX_KEY_LENGTH}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", _("say why the amount is forgiven"))
    if not isinstance(amount, Money):
        raise ValidationError("amount", _("must be an amount of money"))
    if amount.currency != account.currency:
        raise ValidationError(
            "amount",
            _("is in %(given)s but the account is in %(currency)s")
            % {"given": amount.currency, "currency": account.currency},
        )
    if amount.amount <= 0:
        raise ValidationError("amount", _("must be more than zero"))
    if isinstance(components, str) or not components:
        raise ValidationError("components", _("name at least one of fees, interest, principal"))
    for part in components:
        if part not in COMPONENTS:
            raise ValidationError(
                "components",
                _("%(part)s is not one of fees, interest, principal") % {"part": part},
            )
    if len(set(components)) != len(components):
        raise ValidationError("components", _("name each part once"))
    return reason[:200]


def _replay(
    key: str, account: Account, kind: EntryKind, expense: str, amount: Money
) -> JournalEntry | None:
    """The entry already posted under this key, if it is the same forgiveness; else Conflict."""
    entry = JournalEntry.objects.filter(idempotency_key=key).first()
    if entry is None:
        return None
    forgiven = entry.lines.filter(book=expense).aggregate(total=Sum("amount_minor"))["total"]
    if entry.account_id != account.pk or entry.kind != kind or forgiven != amount.minor:
        raise Conflict(
            _("idempotency_key: %(key)s was already used for a different posting") % {"key": key}
        )
    return entry


def _check_account(account: Account, on: dt.date) -> None:
    if account.status != AccountStatus.OPEN:
        raise ValidationError(
            "account",
            _("is %(status)s: only an open account's debt can be forgiven")
            % {"status": account.get_status_display()},
        )
    if on < account.opened_on:
        raise ValidationError("on", _("is before the account was opened"))
    if account.kind == ProductKind.CARD:
        billed = interest_posted_through(account)
        if billed is not None and on <= billed:
            raise ValidationError(
                "on",
                _("a statement was closed on %(day)s: forgive from the next day") % {"day": billed},
            )


def _cut_by_book(account: Account, components: Sequence[str], amount: Money) -> dict[str, int]:
    """How much each receivable book gives up: the components in order, each book of a
    component in name order, as far as it goes."""
    books = book_balances(account)
    left = amount.minor
    cut: dict[str, int] = {}
    owed = 0
    for part in components:
        for book in sorted(b for b, v in books.items() if b.startswith(f"{part}:") and v > 0):
            owed += books[book]
            take = min(left, books[book])
            if take:
                cut[book] = take
                left -= take
    if left:
        raise ValidationError(
            "amount",
            _("is more than the %(owed)s owed in %(parts)s")
            % {
                "owed": Money.from_minor(owed, account.currency),
                "parts": ", ".join(components),
            },
        )
    return cut


def _lower_obligations(account: Account, entry: JournalEntry, cut: dict[str, int]) -> None:
    """Lower the obligations the forgiven amount reaches, oldest first, as a payment would.

    A card's minimum payments take the whole amount. A loan's instalments take the interest
    forgiven on their charged interest parts and the principal on their principal parts; fees
    are not part of a loan's instalments.
    """
    by_part = {part: 0 for part in COMPONENTS}
    for book, minor in cut.items():
        by_part[book.split(":", 1)[0]] += minor
    obligations = list(
        Obligation.objects.select_for_update().filter(account=account).order_by("due_on", "number")
    )
    if account.kind == ProductKind.CARD:
        left = sum(by_part.values())
        for o in obligations:
            if o.kind != ObligationKind.MINIMUM_PAYMENT or left <= 0:
                continue
            take = min(left, o.unpaid_minor)
            left -= take
            _adjust(o, entry, principal=0, interest=0, other=-take)
        return
    interest, principal = by_part["interest"], by_part["principal"]
    for o in obligations:
        take_interest = take_principal = 0
        if o.is_posted and interest > 0:
            take_interest = min(interest, max(o.interest_minor - o.paid_interest_minor, 0))
            interest -= take_interest
        if principal > 0:
            take_principal = min(principal, max(o.principal_minor - o.paid_principal_minor, 0))
            principal -= take_principal
        _adjust(o, entry, principal=-take_principal, interest=-take_interest, other=0)


def _adjust(
    obligation: Obligation, entry: JournalEntry, *, principal: int, interest: int, other: int
) -> None:
    """Change what an obligation asks by (principal, interest, other), recorded with the entry."""
    amount = principal + interest + other
    if amount == 0:
        return
    ObligationAdjustment.objects.create(
        obligation=obligation,
        entry=entry,
        amount_minor=amount,
        principal_minor=principal,
        interest_minor=interest,
    )
    obligation.amount_minor += amount
    obligation.principal_minor += principal
    obligation.interest_minor += interest
    obligation.save(update_fields=["amount_minor", "principal_minor", "interest_minor"])


def _after_change(account: Account, on: dt.date, clock: Clock | None) -> None:
    """A loan that owes nothing is paid off (one that owes again reopens); the account is aged
    as of the later of `on` and its last ageing.

    A loan paid off is charged the interest its borrower prepaid for the current period (as at
    any payoff); when forgiveness, not payment, brought it to nothing, that charge can leave
    something owed, so it is made first and the loan stays open if it does.
    """
    paid_off = (
        account.kind == ProductKind.LOAN
        and account.status == AccountStatus.OPEN
        and balances(account).total.amount <= 0
    )
    if paid_off:
        prepaid = account.obligations.filter(
            is_posted=False, due_on__gt=on, paid_interest_minor__gt=0
        )
        for obligation in prepaid:
            post_instalment_interest(obligation=obligation, on=on, clock=clock)
    settle_status(account, on, clock)
    if account.status == AccountStatus.CHARGED_OFF:
        return
    as_of = max(on, account.aged_on) if account.aged_on else on
    age_account(account=account, as_of=as_of, reason=BucketChangeReason.WAIVER, clock=clock)


def _copy_state(source: Account, target: Account) -> None:
    for field in _CACHED:
        setattr(target, field, getattr(source, field))


@transaction.atomic
def reverse_waiver(
    *,
    entry: JournalEntry,
    reversed_on: dt.date,
    reason: str,
    idempotency_key: str | None = None,
    clock: Clock | None = None,
) -> JournalEntry:
    """Undo a waiver or settlement discount: the reversal entry negates it, and the dues it
    lowered are owed again (a paid-off loan reopens). A charged-off account is left as it is."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", _("say why the waiver is reversed"))
    if entry.kind not in _FORGIVING:
        raise ValidationError("entry", _("is not a waiver or settlement discount"))
    account = Account.objects.select_for_update().select_related("product").get(pk=entry.account_id)
    if account.status == AccountStatus.CHARGED_OFF:
        raise ValidationError("entry", _("the account has been charged off since"))
    if reversed_on < entry.effective_on:
        raise ValidationError("reversed_on", _("is before the waiver"))
    reversal = reverse_entry(
        entry=entry,
        effective_on=reversed_on,
        idempotency_key=idempotency_key or f"{entry.idempotency_key}:reversal",
        memo=reason[:200],
        clock=clock,
    )
    for adjustment in entry.obligation_adjustments.select_related("obligation"):
        _adjust(
            adjustment.obligation,
            reversal,
            principal=-adjustment.principal_minor,
            interest=-adjustment.interest_minor,
            other=-(
                adjustment.amount_minor - adjustment.principal_minor - adjustment.interest_minor
            ),
        )
    _after_change(account, reversed_on, clock)
    return reversal


@transaction.atomic
def capitalise_interest(
    *,
    account: Account,
    amount: Money,
    on: dt.date,
    idempotency_key: str,
    memo: str = "",
    clock: Clock | None = None,
) -> tuple[JournalEntry, bool]:
    """Add `amount` of interest owed to the principal (interest −, principal +), so it bears
    interest from then on: a card's purchase balance, a loan's principal.

    Only interest no instalment is asking for can be capitalised (the interest of a loan's
    instalments stays theirs); the total owed does not change.
    """
    if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
        raise ValidationError("idempotency_key", _("is required (at most 100 characters)"))
    if not isinstance(amount, Money) or amount.currency != account.currency:
        raise ValidationError("amount", _("must be an amount in the account's currency"))
    if amount.amount <= 0:
        raise ValidationError("amount", _("must be more than zero"))
    balance_type = balance_type_of(account)
    interest_book, principal_book = f"interest:{balance_type}", f"principal:{balance_type}"
    key = f"capitalisation:{idempotency_key}"
    existing = JournalEntry.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.account_id != account.pk or existing.kind != EntryKind.CAPITALISATION:
            raise Conflict(
                _("idempotency_key: %(key)s was already used for a different posting")
                % {"key": key}
            )
        return existing, False
    free = book_balances(account).get(interest_book, 0) - _interest_held_by_instalments(account)
    if amount.minor > free:
        raise ValidationError(
            "amount",
            _("is more than the %(free)s of interest that can be capitalised")
            % {"free": Money.from_minor(max(free, 0), account.currency)},
        )
    return post_entry(
        account=account,
        kind=EntryKind.CAPITALISATION,
        effective_on=on,
        lines={principal_book: amount.minor, interest_book: -amount.minor},
        idempotency_key=key,
        memo=memo or _("Interest capitalised"),
        clock=clock,
    )


def _interest_held_by_instalments(account: Account) -> int:
    if account.kind != ProductKind.LOAN:
        return 0
    held = 0
    for o in Obligation.objects.filter(account=account, is_posted=True):
        held += max(o.interest_minor - o.paid_interest_minor, 0)
    return held
