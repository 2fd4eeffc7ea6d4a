"""The three import files: their columns, how a row is checked, and how it is written.

Each kind checks a row against the database as it was before the import (looked up once for
the whole file) and against the rows above it, so that two rows cannot claim the same
reference, account number or idempotency key.
"""

from __future__ import annotations

import abc
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import phonenumbers
from babel.core import get_global
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.core.money import MINOR_UNITS, Money
from arrears.core.products import LoanTerms
from arrears.core.schedule import RepaymentMethod
from arrears.servicing.choices import Language, PaymentChannel, ProductKind
from arrears.servicing.importing.cells import Cells
from arrears.servicing.models import Account, Borrower, Payment, Product
from arrears.servicing.services.payments import MAX_KEY_LENGTH
from arrears.servicing.services.products import product_terms

#: The currency of an income when the file does not say, by country.
HOME_CURRENCY = {"CN": "CNY", "US": "USD", "GB": "GBP", "IE": "EUR", "HK": "HKD", "JP": "JPY"}


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    money: bool = False  # an amount: refused when a Parquet file stores it as a float


@dataclass
class Record:
    """A checked row: the keyword arguments of the service that writes it."""

    row: int
    arguments: dict[str, Any]
    skip: bool = False  # already imported (a payment whose idempotency key is known)


@dataclass
class ImportKind(abc.ABC):
    name: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    #: service argument → file column, to put a service's error on the right column
    argument_columns: ClassVar[dict[str, str]] = {}
    seen: dict[str, int] = field(default_factory=dict)

    def look_up(self, rows: Sequence[dict[str, str | None]]) -> None:
        """Fetch, in a few queries, whatever the rows refer to (nothing, by default)."""
        return None

    @abc.abstractmethod
    def check(self, cells: Cells) -> Record | None:
        """The row's record, or None when a cell failed (the failure is on `cells`)."""

    @abc.abstractmethod
    def write(self, record: Record) -> None:
        """Write one checked record through the services."""

    def once(self, cells: Cells, column: str, value: str) -> None:
        """Refuse a value a row above already used (references, numbers, keys)."""
        if not value:
            return
        first = self.seen.setdefault(value, cells.row)
        if first != cells.row:
            cells.fail(column, _("repeats row %(row)d") % {"row": first})

    def column_for(self, field_path: str) -> str:
        base = field_path.split("[", 1)[0].split(".", 1)[0]
        return self.argument_columns.get(base, base)


# --- borrowers ----------------------------------------------------------------------------------


class BorrowerImport(ImportKind):
    name = "borrowers"
    columns = (
        Column("reference", required=True),
        Column("full_name", required=True),
        Column("country", required=True),
        Column("preferred_language"),
        Column("mobile"),
        Column("email"),
        Column("date_of_birth"),
        Column("address_line"),
        Column("city"),
        Column("region"),
        Column("postal_code"),
        Column("time_zone"),
        Column("monthly_income", money=True),
        Column("income_currency"),
    )
    argument_columns = {"phones": "mobile", "monthly_income": "monthly_income"}

    def look_up(self, rows: Sequence[dict[str, str | None]]) -> None:
        references = {row.get("reference") for row in rows} - {None}
        self.existing = set(
            Borrower.objects.filter(reference__in=references).values_list("reference", flat=True)
        )
        self.countries = set(get_global("territory_zones"))

    def check(self, cells: Cells) -> Record | None:
        reference = cells.text("reference", required=True, max_length=40)
        self.once(cells, "reference", reference)
        if reference in self.existing:
            cells.fail("reference", _("borrower %(ref)s already exists") % {"ref": reference})
        full_name = cells.text("full_name", required=True, max_length=200)
        country = cells.text("country", required=True).upper()
        if country and country not in self.countries:
            cells.fail("country", _("must be an ISO 3166 code, e.g. CN"))
        language = cells.choice("preferred_language", Language.values) or (
            Language.ZH_HANS if country == "CN" else Language.EN
        )
        mobile = cells.text("mobile")
        if mobile and country in self.countries:
            _check_phone(cells, mobile, country)
        email = cells.text("email", max_length=254)
        if email:
            try:
                validate_email(email)
            except DjangoValidationError:
                cells.fail("email", _("is not an e-mail address"))
        born = cells.date("date_of_birth")
        if born is not None and born >= timezone.localdate():
            cells.fail("date_of_birth", _("must be in the past"))
        time_zone = cells.text("time_zone")
        if time_zone:
            try:
                zoneinfo.ZoneInfo(time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                cells.fail("time_zone", _("is not an IANA time zone, e.g. Asia/Shanghai"))
        income_currency = cells.text("income_currency").upper() or HOME_CURRENCY.get(country)
        if cells.values.get("monthly_income") is not None and income_currency is None:
            cells.fail("income_currency", _("is required for an income in this country"))
        income = _income(cells, income_currency)
        if not cells.ok:
            return None
        return Record(
            cells.row,
            {
                "reference": reference,
                "full_name": full_name,
                "country": country,
                "preferred_language": language,
                "phones": [mobile] if mobile else [],
                "email": email,
                "date_of_birth": born,
                "address_line": cells.text("address_line", max_length=300),
                "city": cells.text("city", max_length=100),
                "region": cells.text("region", max_length=100),
                "postal_code": cells.text("postal_code", max_length=20),
                "time_zone": time_zone or None,
                "monthly_income": income,
            },
        )

    def write(self, record: Record) -> None:
        from arrears.servicing.services.borrowers import register_borrower

        register_borrower(**record.arguments)


def _check_phone(cells: Cells, raw: str, country: str) -> None:
    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        cells.fail("mobile", _("is not a phone number"))
        return
    if not phonenumbers.is_valid_number(number):
        cells.fail(
            "mobile", _("is not a valid phone number for %(country)s") % {"country": country}
        )


def _income(cells: Cells, currency: str | None) -> Money | None:
    if currency is not None and currency not in MINOR_UNITS:
        cells.fail("income_currency", _("unknown currency %(code)s") % {"code": currency})
        return None
    return cells.amount("monthly_income", currency, allow_zero=True)


# --- accounts -----------------------------------------------------------------------------------


class AccountImport(ImportKind):
    name = "accounts"
    columns = (
        Column("number"),
        Column("borrower_reference", required=True),
        Column("product_code", required=True),
        Column("opened_on", required=True),
        Column("credit_limit", money=True),
        Column("opening_balance", money=True),
        Column("principal", money=True),
        Column("months"),
        Column("apr"),
        Column("repayment_method"),
        Column("repayment_day"),
    )
    argument_columns = {
        "start_on": "opened_on",
        "method": "repayment_method",
        "borrower": "borrower_reference",
        "product": "product_code",
    }
    _CARD_ONLY = ("credit_limit", "opening_balance")
    _LOAN_ONLY = ("principal", "months", "apr", "repayment_method", "repayment_day")

    def look_up(self, rows: Sequence[dict[str, str | None]]) -> None:
        references = {row.get("borrower_reference") for row in rows} - {None}
        self.borrowers = {b.reference: b for b in Borrower.objects.filter(reference__in=references)}
        self.products = {p.code: p for p in Product.objects.all()}
        numbers = {row.get("number") for row in rows} - {None}
        self.existing = set(
            Account.objects.filter(number__in=numbers).values_list("number", flat=True)
        )

    def check(self, cells: Cells) -> Record | None:
        number = cells.text("number", max_length=40)
        self.once(cells, "number", number)
        if number in self.existing:
            cells.fail("number", _("account %(number)s already exists") % {"number": number})
        reference = cells.text("borrower_reference", required=True)
        borrower = self.borrowers.get(reference)
        if reference and borrower is None:
            cells.fail(
                "borrower_reference",
                _("no borrower %(ref)s; import borrowers first") % {"ref": reference},
            )
        code = cells.text("product_code", required=True)
        product = self.products.get(code)
        if code and product is None:
            cells.fail(
                "product_code",
                _("no product %(code)s; known: %(codes)s")
                % {"code": code, "codes": ", ".join(sorted(self.products))},
            )
        opened_on = cells.date("opened_on", required=True)
        if opened_on is not None and opened_on > timezone.localdate():
            cells.fail("opened_on", _("cannot be in the future"))
        if product is None:
            return None
        currency = product.currency
        arguments: dict[str, Any] = {"borrower": borrower, "product": product}
        if number:
            arguments["number"] = number
        if product.kind == ProductKind.CARD:
            for column in self._LOAN_ONLY:
                cells.must_be_empty(column, _("is for loans; %(code)s is a card") % {"code": code})
            arguments["opened_on"] = opened_on
            arguments["credit_limit"] = cells.amount("credit_limit", currency, required=True)
            arguments["opening_balance"] = cells.amount("opening_balance", currency)
            limit, opening = arguments["credit_limit"], arguments["opening_balance"]
            if limit is not None and opening is not None and opening > limit:
                cells.fail("opening_balance", _("is above the credit limit"))
        else:
            for column in self._CARD_ONLY:
                cells.must_be_empty(column, _("is for cards; %(code)s is a loan") % {"code": code})
            terms = product_terms(product)
            assert isinstance(terms, LoanTerms)
            arguments["start_on"] = opened_on
            arguments["principal"] = cells.amount("principal", currency, required=True)
            arguments["months"] = cells.whole(
                "months", low=terms.min_months, high=terms.max_months, required=True
            )
            arguments["apr"] = cells.decimal("apr")
            if arguments["apr"] is not None and not 0 <= arguments["apr"] <= 100:
                cells.fail("apr", _("must be a percent between 0 and 100"))
            method = cells.choice("repayment_method", [m.value for m in RepaymentMethod])
            arguments["method"] = method or None
            arguments["repayment_day"] = cells.whole("repayment_day", low=1, high=31)
        return Record(cells.row, arguments) if cells.ok else None

    def write(self, record: Record) -> None:
        from arrears.servicing.services.accounts import open_card_account, open_loan_account

        arguments = dict(record.arguments)
        if arguments["product"].kind == ProductKind.CARD:
            open_card_account(**arguments)
        else:
            open_loan_account(**arguments)


# --- payments -----------------------------------------------------------------------------------


class PaymentImport(ImportKind):
    name = "payments"
    columns = (
        Column("idempotency_key", required=True),
        Column("account", required=True),
        Column("amount", required=True, money=True),
        Column("received_on", required=True),
        Column("currency"),
        Column("channel"),
        Column("external_reference"),
    )
    argument_columns = {"received_on": "received_on", "amount": "amount"}

    def look_up(self, rows: Sequence[dict[str, str | None]]) -> None:
        numbers = {row.get("account") for row in rows} - {None}
        self.accounts = {a.number: a for a in Account.objects.filter(number__in=numbers)}
        keys = {row.get("idempotency_key") for row in rows} - {None}
        self.known = {
            p.idempotency_key: p
            for p in Payment.objects.filter(idempotency_key__in=keys).select_related("account")
        }

    def check(self, cells: Cells) -> Record | None:
        key = cells.text("idempotency_key", required=True, max_length=MAX_KEY_LENGTH)
        self.once(cells, "idempotency_key", key)
        number = cells.text("account", required=True)
        account = self.accounts.get(number)
        if number and account is None:
            cells.fail("account", _("no account %(number)s") % {"number": number})
        currency = cells.text("currency").upper()
        if account is not None and currency and currency != account.currency:
            cells.fail(
                "currency", _("the account is in %(currency)s") % {"currency": account.currency}
            )
        amount = cells.amount("amount", account.currency if account else None, required=True)
        received_on = cells.date("received_on", required=True)
        if received_on is not None:
            if received_on > timezone.localdate():
                cells.fail("received_on", _("cannot be in the future"))
            elif account is not None and received_on < account.opened_on:
                cells.fail(
                    "received_on",
                    _("is before the account was opened (%(day)s)")
                    % {"day": account.opened_on.isoformat()},
                )
        channel = cells.choice("channel", PaymentChannel.values) or PaymentChannel.OTHER
        reference = cells.text("external_reference", max_length=120)
        known = self.known.get(key)
        if known is not None and account is not None and amount is not None:
            if known.account_id != account.pk or known.amount_minor != amount.minor:
                cells.fail("idempotency_key", _("was already used for a different payment"))
            elif cells.ok:
                return Record(cells.row, {}, skip=True)
        if not cells.ok:
            return None
        return Record(
            cells.row,
            {
                "account": account,
                "amount": amount,
                "received_on": received_on,
                "idempotency_key": key,
                "channel": channel,
                "external_reference": reference,
            },
        )

    def write(self, record: Record) -> None:
        from arrears.servicing.services.payments import post_payment

        post_payment(**record.arguments)


KINDS: dict[str, Callable[[], ImportKind]] = {
    BorrowerImport.name: BorrowerImport,
    AccountImport.name: AccountImport,
    PaymentImport.name: PaymentImport,
}
