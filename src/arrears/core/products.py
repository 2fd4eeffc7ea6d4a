"""Product terms (产品条款) as data: what a card or an instalment loan charges and how it ages.

Products are configuration, not code: they come from YAML (the bundled defaults live in
``core/data/products.yaml``) or the admin, and the Django layer stores them. Every field is
checked when the terms are built, and a bad one is reported by its dotted path, e.g.
``balance_types[1].apr: must be between 0 and 100``.

Day counts and repayment methods are plain strings here (``"act/365"``, ``"annuity"``), checked
against the values of ``core.interest.DayCount`` and ``core.schedule.RepaymentMethod``, so that
product terms do not depend on the interest and schedule modules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import MISSING, dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import yaml

from arrears.core.ageing import DEFAULT_BUCKETS, BucketScheme
from arrears.core.allocation import DEFAULT_ORDER, AllocationMethod, Component, component_order
from arrears.core.errors import ValidationError
from arrears.core.money import Money, Rounding, minor_units

#: Where Arrears has calendars and rules: China, the US, the UK and Ireland.
JURISDICTIONS = ("CN", "US", "GB", "IE")
#: The values of ``core.interest.DayCount``.
DAY_COUNTS = ("act/365", "act/360")
#: The values of ``core.schedule.RepaymentMethod``: 等额本息 and 等额本金.
REPAYMENT_METHODS = ("annuity", "equal_principal")

_CODE = re.compile(r"[a-z][a-z0-9_-]*")
#: Plain decimal notation only: no exponent, no thousands separator, no NaN.
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_Choice = TypeVar("_Choice", Rounding, AllocationMethod)


@dataclass(frozen=True)
class BalanceTypeTerms:
    """One balance type on a card (purchase, cash, promo …) and the rate it bears."""

    code: str
    apr: Decimal
    grace: bool = True  # purchases here enjoy the interest-free period (免息期)
    promo_until: date | None = None  # a promotional rate ends after this day

    def __post_init__(self) -> None:
        _check_code("code", self.code)
        _check_percent("apr", self.apr)
        if self.code == "cash" and self.grace:
            raise ValidationError("grace", "cash advances have no interest-free period")


@dataclass(frozen=True, kw_only=True)
class ProductTerms:
    """What every product has: identity, currency, fees, the waterfall and the ageing rules."""

    kind: ClassVar[str]

    code: str
    name_en: str
    name_zh: str
    currency: str
    rounding: Rounding = Rounding.HALF_UP
    day_count: str = "act/365"
    late_fee: Money
    late_fee_cap: Money | None = None
    allocation_order: tuple[Component, ...] = DEFAULT_ORDER
    dpd_tolerance: Money
    grace_days_after_due: int = 0  # 还款宽限期: days after the due date still counted on time
    buckets: BucketScheme = DEFAULT_BUCKETS
    charge_off_dpd: int
    jurisdiction: str
    calendar_country: str

    def __post_init__(self) -> None:
        _check_code("code", self.code)
        _check_text("name_en", self.name_en)
        _check_text("name_zh", self.name_zh)
        minor_units(self.currency)  # raises ValidationError("currency", …) when unknown
        _set(self, "rounding", _choice("rounding", self.rounding, Rounding))
        _check_one_of("day_count", self.day_count, DAY_COUNTS)
        self._check_amount("late_fee", self.late_fee)
        if self.late_fee_cap is not None:
            self._check_amount("late_fee_cap", self.late_fee_cap)
        self._check_amount("dpd_tolerance", self.dpd_tolerance)
        _set(
            self,
            "allocation_order",
            component_order(self.allocation_order, field="allocation_order"),
        )
        _check_whole("grace_days_after_due", self.grace_days_after_due, low=0, high=30)
        if not isinstance(self.buckets, BucketScheme):
            raise ValidationError("buckets", "must be a BucketScheme")
        _check_whole("charge_off_dpd", self.charge_off_dpd, low=1, high=3650)
        _check_one_of("jurisdiction", self.jurisdiction, JURISDICTIONS)
        _check_one_of("calendar_country", self.calendar_country, JURISDICTIONS)

    def _check_amount(self, field: str, amount: Money) -> None:
        if not isinstance(amount, Money):
            raise ValidationError(field, "must be an amount of money")
        if amount.currency != self.currency:
            raise ValidationError(field, f"is in {amount.currency}, the product in {self.currency}")
        if amount.is_negative():
            raise ValidationError(field, "cannot be negative")


@dataclass(frozen=True, kw_only=True)
class CardTerms(ProductTerms):
    """A credit card: balance types with their APRs, the statement cycle, minimum payment."""

    kind: ClassVar[str] = "card"

    statement_day: int  # 账单日, 1..28 so that every month has it
    due_days_after_statement: int  # 到期还款日 = statement date + this many days
    balance_types: tuple[BalanceTypeTerms, ...]
    min_payment_floor: Money
    min_payment_percent: Decimal  # percent of the principal balance, e.g. Decimal("10")
    annual_fee: Money
    allocation_method: AllocationMethod = AllocationMethod.OLDEST_FIRST
    charge_off_dpd: int = 180

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_whole("statement_day", self.statement_day, low=1, high=28)
        _check_whole("due_days_after_statement", self.due_days_after_statement, low=1, high=60)
        if self.jurisdiction == "US" and self.due_days_after_statement < 21:
            raise ValidationError(
                "due_days_after_statement",
                "US cards must allow at least 21 days (Reg Z 1026.5(b)(2))",
            )
        self._check_balance_types()
        self._check_amount("min_payment_floor", self.min_payment_floor)
        _check_percent("min_payment_percent", self.min_payment_percent)
        self._check_amount("annual_fee", self.annual_fee)
        _set(
            self,
            "allocation_method",
            _choice("allocation_method", self.allocation_method, AllocationMethod),
        )
        if (
            self.jurisdiction == "US"
            and self.allocation_method is not AllocationMethod.US_HIGHEST_APR_ABOVE_MINIMUM
        ):
            raise ValidationError(
                "allocation_method",
                "US cards must pay amounts above the minimum to the highest APR first"
                " (Reg Z 1026.53): use us_reg_z",
            )

    def _check_balance_types(self) -> None:
        _set(self, "balance_types", tuple(self.balance_types))
        codes: set[str] = set()
        for i, balance_type in enumerate(self.balance_types):
            if not isinstance(balance_type, BalanceTypeTerms):
                raise ValidationError(f"balance_types[{i}]", "must be BalanceTypeTerms")
            if balance_type.code in codes:
                raise ValidationError(
                    f"balance_types[{i}].code", f"{balance_type.code!r} is used twice"
                )
            codes.add(balance_type.code)
        if "purchase" not in codes:
            raise ValidationError("balance_types", "must include the 'purchase' balance type")

    def balance_type(self, code: str) -> BalanceTypeTerms:
        """The terms of one balance type, by code."""
        for balance_type in self.balance_types:
            if balance_type.code == code:
                return balance_type
        raise ValidationError("balance_type", f"{self.code} has no balance type {code!r}")


@dataclass(frozen=True, kw_only=True)
class LoanTerms(ProductTerms):
    """An instalment loan (分期贷款): one APR, a repayment method and the terms it may run."""

    kind: ClassVar[str] = "loan"

    apr: Decimal
    method: str  # "annuity" (等额本息) or "equal_principal" (等额本金)
    min_months: int
    max_months: int
    charge_off_dpd: int = 90

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_percent("apr", self.apr)
        _check_one_of("method", self.method, REPAYMENT_METHODS)
        _check_whole("min_months", self.min_months, low=1, high=480)
        _check_whole("max_months", self.max_months, low=self.min_months, high=480)


# --- parsing ----------------------------------------------------------------------------------


def parse_product(data: Mapping[str, object]) -> CardTerms | LoanTerms:
    """Build product terms from configuration data (a YAML or JSON mapping).

    ``kind`` is ``card`` or ``loan``. Amounts are decimal strings in major units (``"25.00"``),
    rates are percent per annum as strings (``"18.25"``): floats are refused because they cannot
    hold money exactly. Optional fields take the documented defaults (``dpd_tolerance`` and
    ``annual_fee`` zero, ``calendar_country`` the jurisdiction). Unknown keys are an error.
    """
    if not isinstance(data, Mapping):
        raise ValidationError("product", "must be a mapping of field names to values")
    terms_class = _terms_class(data.get("kind"))
    names = {f.name for f in fields(terms_class)}
    for key in data:
        if key != "kind" and key not in names:
            raise ValidationError(str(key), "unknown field")
    currency = _read_text("currency", data.get("currency"))
    minor_units(currency)
    values: dict[str, Any] = {
        key: _READERS[key](key, value, currency) for key, value in data.items() if key != "kind"
    }
    _default_optional_values(values, terms_class, currency)
    for f in fields(terms_class):
        if f.default is MISSING and f.name not in values:
            raise ValidationError(f.name, "is required")
    return terms_class(**values)


def load_products(path_or_text: str | Path) -> tuple[CardTerms | LoanTerms, ...]:
    """Read a YAML list of products, checking each and that their codes are unique.

    A `Path` (or a one-line string ending in ``.yaml``/``.yml``) is read as a file; any other
    string is the YAML text itself. Errors name the product: ``products[2].late_fee: …``.
    """
    data = _load_yaml(path_or_text)
    if not isinstance(data, list):
        raise ValidationError("products", "must be a YAML list of products")
    products: list[CardTerms | LoanTerms] = []
    for i, item in enumerate(data):
        with _within(f"products[{i}]"):
            product = parse_product(item)
        if any(p.code == product.code for p in products):
            raise ValidationError(
                f"products[{i}].code", f"{product.code!r} is used by an earlier product"
            )
        products.append(product)
    return tuple(products)


def bundled_products() -> tuple[CardTerms | LoanTerms, ...]:
    """The default products shipped with Arrears (``core/data/products.yaml``)."""
    text = (
        resources.files("arrears.core").joinpath("data/products.yaml").read_text(encoding="utf-8")
    )
    return load_products(text)


def _terms_class(kind: object) -> type[CardTerms] | type[LoanTerms]:
    if kind == "card":
        return CardTerms
    if kind == "loan":
        return LoanTerms
    raise ValidationError("kind", "must be card or loan")


def _default_optional_values(values: dict[str, Any], terms_class: type, currency: str) -> None:
    """Defaults that depend on other fields, so the dataclasses cannot hold them."""
    values.setdefault("dpd_tolerance", Money.zero(currency))
    if "jurisdiction" in values:
        values.setdefault("calendar_country", values["jurisdiction"])
    if terms_class is CardTerms:
        values.setdefault("annual_fee", Money.zero(currency))


def _load_yaml(path_or_text: str | Path) -> object:
    one_line = isinstance(path_or_text, str) and "\n" not in path_or_text
    if one_line and str(path_or_text).endswith((".yaml", ".yml")):
        path_or_text = Path(path_or_text)
    text = (
        path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, Path) else path_or_text
    )
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationError("products", f"is not valid YAML: {error}") from None


@contextmanager
def _within(prefix: str) -> Iterator[None]:
    """Report errors from nested data under their full dotted path."""
    try:
        yield
    except ValidationError as error:
        raise ValidationError(f"{prefix}.{error.field}", error.reason) from None


def _read_text(field: str, value: object, currency: str = "") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "must be text" if value is not None else "is required")
    return value


def _read_whole(field: str, value: object, currency: str = "") -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(field, "must be a whole number")
    return value


def _read_flag(field: str, value: object, currency: str = "") -> bool:
    if not isinstance(value, bool):
        raise ValidationError(field, "must be true or false")
    return value


def _read_decimal(field: str, value: object, currency: str = "") -> Decimal:
    if isinstance(value, float):
        raise ValidationError(field, f'write it as quoted text, e.g. "{value}": a float is inexact')
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationError(field, 'must be a number written as text, e.g. "18.25"')
    text = str(value).strip()
    if not _PLAIN_DECIMAL.fullmatch(text):
        raise ValidationError(field, f"{value!r} is not a plain decimal number, e.g. 18.25")
    return Decimal(text)


def _read_money(field: str, value: object, currency: str) -> Money:
    amount = _read_decimal(field, value)
    try:
        return Money(amount, currency)
    except ValidationError as error:
        raise ValidationError(field, error.reason) from None


def _read_optional_money(field: str, value: object, currency: str) -> Money | None:
    return None if value is None else _read_money(field, value, currency)


def _read_date(field: str, value: object) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str):
        with suppress(ValueError):
            return date.fromisoformat(value)
    raise ValidationError(field, "must be a date in the form YYYY-MM-DD")


def _read_components(field: str, value: object, currency: str = "") -> tuple[Component, ...]:
    if not isinstance(value, list):
        raise ValidationError(field, "must be a list, e.g. [fees, interest, principal]")
    return component_order(value, field=field)


def _read_buckets(field: str, value: object, currency: str = "") -> BucketScheme:
    return BucketScheme.from_list(value)  # type: ignore[arg-type]  # from_list checks the shape


_BALANCE_TYPE_FIELDS = frozenset({"code", "apr", "grace", "promo_until"})


def _read_balance_types(
    field: str, value: object, currency: str = ""
) -> tuple[BalanceTypeTerms, ...]:
    if not isinstance(value, list) or not value:
        raise ValidationError(field, "must be a non-empty list of balance types")
    return tuple(_read_balance_type(f"{field}[{i}]", item) for i, item in enumerate(value))


def _read_balance_type(at: str, item: object) -> BalanceTypeTerms:
    if not isinstance(item, Mapping):
        raise ValidationError(at, "must be a mapping with code and apr")
    for key in item:
        if key not in _BALANCE_TYPE_FIELDS:
            raise ValidationError(f"{at}.{key}", "unknown field")
    with _within(at):
        return BalanceTypeTerms(
            code=_read_text("code", item.get("code")),
            apr=_read_decimal("apr", item.get("apr")),
            grace=_read_flag("grace", item.get("grace", True)),
            promo_until=_read_date("promo_until", item.get("promo_until")),
        )


_Reader = Callable[[str, object, str], object]

_READERS: dict[str, _Reader] = {
    **dict.fromkeys(
        (
            "code",
            "name_en",
            "name_zh",
            "currency",
            "rounding",
            "day_count",
            "jurisdiction",
            "calendar_country",
            "method",
            "allocation_method",
        ),
        _read_text,
    ),
    **dict.fromkeys(
        (
            "statement_day",
            "due_days_after_statement",
            "grace_days_after_due",
            "charge_off_dpd",
            "min_months",
            "max_months",
        ),
        _read_whole,
    ),
    **dict.fromkeys(("late_fee", "annual_fee", "min_payment_floor", "dpd_tolerance"), _read_money),
    "late_fee_cap": _read_optional_money,
    "apr": _read_decimal,
    "min_payment_percent": _read_decimal,
    "allocation_order": _read_components,
    "balance_types": _read_balance_types,
    "buckets": _read_buckets,
}


# --- checks -----------------------------------------------------------------------------------


def _set(terms: object, field: str, value: object) -> None:
    """Store a normalised value on a frozen dataclass while it is being built."""
    object.__setattr__(terms, field, value)


def _check_code(field: str, code: str) -> None:
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValidationError(field, "must be lower-case letters, digits, '_' or '-', e.g. cn_card")


def _check_text(field: str, text: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(field, "must not be empty")


def _check_percent(field: str, rate: Decimal) -> None:
    if not isinstance(rate, Decimal) or not rate.is_finite():
        raise ValidationError(field, "must be a Decimal percentage")
    if not Decimal(0) <= rate <= Decimal(100):
        raise ValidationError(field, "must be between 0 and 100")


def _check_whole(field: str, value: int, *, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationError(field, f"must be a whole number from {low} to {high}")


def _check_one_of(field: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValidationError(field, f"must be one of {', '.join(allowed)}")


def _choice(field: str, value: str, enum_class: type[_Choice]) -> _Choice:
    try:
        return enum_class(value)
    except ValueError:
        names = ", ".join(member.value for member in enum_class)
        raise ValidationError(field, f"must be one of {names}") from None
