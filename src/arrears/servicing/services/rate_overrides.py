"""Rate overrides: another interest rate for an account over a range of days.

An interest freeze (停息, 0 %), a rate reduction agreed in a repayment plan, or a legal rate cap.
The ledger's interest rules honour the rate in force each day (`services.interest_rates`):
card statements and accrued interest per balance type, loan instalment interest per day of its
period. Overrides are append-only: one is ended by setting its last day, never deleted.

Two rules keep the journal true to the rates:

- an override never changes a day whose interest is already charged (`interest_posted_through`):
  it starts after that day, and is not ended before it;
- a loan's instalments not yet charged are re-priced at once when an override is set or ended
  (`Obligation.interest_minor`, with the contract's kept in `contract_interest_minor`), so the
  waterfall, ageing and reminders see what will be charged.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money, minor_units
from arrears.core.products import LoanTerms
from arrears.servicing.choices import AccountStatus, ObligationKind, ProductKind
from arrears.servicing.models import Account, Obligation, RateOverride
from arrears.servicing.selectors.rates import interest_posted_through, windows_of
from arrears.servicing.services.interest_rates import instalment_interest
from arrears.servicing.services.products import product_terms

ONE_DAY = dt.timedelta(days=1)
MAX_APR = Decimal(100)


def _checked_apr(apr: Decimal) -> Decimal:
    if isinstance(apr, bool | float) or not isinstance(apr, Decimal | int):
        raise ValidationError("apr", _("must be a Decimal percent, e.g. Decimal('0')"))
    value = Decimal(apr)
    if not value.is_finite() or not Decimal(0) <= value <= MAX_APR:
        raise ValidationError("apr", _("must be a percent from 0 to 100"))
    return value


def _checked_reason(field: str, reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(field, _("say why"))
    return reason[:200]


@transaction.atomic
def set_rate_override(
    *,
    account: Account,
    from_on: dt.date,
    apr: Decimal,
    reason: str,
    until_on: dt.date | None = None,
    source: str = "",
    clock: Clock | None = None,
) -> RateOverride:
    """Charge `apr` instead of the contract's rate on every day from `from_on` through
    `until_on` (open-ended when None).

    Refused when the account is not open, when the days overlap another override (one rate a
    day), or when `from_on` is not after the last day already charged (the rate of a charged
    day is history). A loan's instalments not yet charged are re-priced at once.
    """
    apr = _checked_apr(apr)
    reason = _checked_reason("reason", reason)
    if len(source) > 60:
        raise ValidationError("source", _("must be at most 60 characters"))
    locked = Account.objects.select_for_update().select_related("product").get(pk=account.pk)
    if locked.status != AccountStatus.OPEN:
        raise ValidationError(
            "account", _("is %(status)s") % {"status": locked.get_status_display()}
        )
    if from_on < locked.opened_on:
        raise ValidationError("from_on", _("is before the account was opened"))
    if until_on is not None and until_on < from_on:
        raise ValidationError("until_on", _("is before from_on"))
    charged = interest_posted_through(locked)
    if charged is not None and from_on <= charged:
        raise ValidationError(
            "from_on",
            _("interest is already charged through %(day)s: start on %(next)s or later")
            % {"day": charged, "next": charged + ONE_DAY},
        )
    clash = _overlapping(locked, from_on, until_on).first()
    if clash is not None:
        raise Conflict(
            _("another rate override (%(apr)s%% from %(from)s) covers some of these days")
            % {"apr": clash.apr, "from": clash.from_on}
        )
    override = RateOverride.objects.create(
        account=locked,
        from_on=from_on,
        until_on=until_on,
        apr=apr,
        reason=reason,
        source=source,
        created_at=(clock or SystemClock()).now(),
    )
    reprice_instalments(locked)
    return override


def _overlapping(
    account: Account, from_on: dt.date, until_on: dt.date | None
) -> QuerySet[RateOverride]:
    """Overrides of the account sharing a day with [from_on, until_on]."""
    rows = RateOverride.objects.filter(account=account).filter(
        Q(until_on__isnull=True) | Q(until_on__gte=from_on)
    )
    if until_on is not None:
        rows = rows.filter(from_on__lte=until_on)
    # an override withdrawn before it began covers no day
    return rows.exclude(until_on__lt=F("from_on"))


@transaction.atomic
def end_rate_override(
    *,
    override: RateOverride,
    until_on: dt.date,
    reason: str,
    clock: Clock | None = None,
) -> RateOverride:
    """End an override after `until_on`: the contract's rate is back from the next day.

    `until_on` the day before it starts withdraws it (it never applied). An override can be
    shortened, not lengthened, and not ended before a day already charged at its rate. Ending it
    again on the same day changes nothing. A loan's instalments not yet charged are re-priced.
    """
    reason = _checked_reason("reason", reason)
    locked_account = (
        Account.objects.select_for_update().select_related("product").get(pk=override.account_id)
    )
    locked = RateOverride.objects.select_for_update().get(pk=override.pk)
    if locked.until_on is not None and locked.until_on == until_on:
        return locked
    if locked.until_on is not None and until_on > locked.until_on:
        raise Conflict(
            _("the override already ends on %(day)s: it can be shortened, not lengthened")
            % {"day": locked.until_on}
        )
    if until_on < locked.from_on - ONE_DAY:
        raise ValidationError(
            "until_on",
            _("is more than a day before the override starts on %(day)s") % {"day": locked.from_on},
        )
    charged = interest_posted_through(locked_account)
    first_freed = max(until_on + ONE_DAY, locked.from_on)
    if charged is not None and first_freed <= charged:
        raise ValidationError(
            "until_on",
            _("interest is already charged at this rate through %(day)s: end it then or later")
            % {"day": charged},
        )
    locked.until_on = until_on
    locked.ended_at = (clock or SystemClock()).now()
    locked.end_reason = reason
    locked.save(update_fields=["until_on", "ended_at", "end_reason"])
    override.until_on, override.ended_at, override.end_reason = (
        locked.until_on,
        locked.ended_at,
        locked.end_reason,
    )
    reprice_instalments(locked_account)
    return locked


def reprice_instalments(account: Account) -> int:
    """Set each loan instalment not yet charged to its interest at the rates in force; returns
    how many changed. Cards have nothing to re-price (their interest is worked out at the
    statement). Interest the borrower already prepaid for an instalment is never taken back:
    the instalment keeps at least that much."""
    if account.kind != ProductKind.LOAN:
        return 0
    windows = windows_of(account)
    terms = product_terms(account.product)
    assert isinstance(terms, LoanTerms)
    contract_apr = account.apr if account.apr is not None else terms.apr
    exponent = minor_units(account.currency)
    instalments = list(
        Obligation.objects.filter(account=account, kind=ObligationKind.INSTALMENT).order_by(
            "due_on", "number"
        )
    )
    changed: list[Obligation] = []
    period_start = account.opened_on
    for obligation in instalments:
        start, period_start = period_start, obligation.due_on
        if obligation.is_posted:
            continue
        contract = obligation.contract_interest_minor
        if contract is None:
            contract = obligation.interest_minor
        exact = instalment_interest(
            contract_interest_minor=contract,
            contract_apr=contract_apr,
            period_start=start,
            due_on=obligation.due_on,
            windows=windows,
        )
        rounded = Money.of(exact.scaleb(-exponent), account.currency, terms.rounding).minor
        interest = max(rounded, obligation.paid_interest_minor)
        if interest == obligation.interest_minor:
            continue
        obligation.contract_interest_minor = contract
        obligation.amount_minor += interest - obligation.interest_minor
        obligation.interest_minor = interest
        changed.append(obligation)
    if changed:
        Obligation.objects.bulk_update(
            changed, ["contract_interest_minor", "amount_minor", "interest_minor"]
        )
    return len(changed)
