"""The borrower's financial statement (还款能力评估的财务状况): who they live with, what comes
in, what goes out, what else they owe and why they are in difficulty.

An agent takes it on a call or the borrower fills it in on the portal; the shell stores it and
hands it to `core.hardship.affordability`. All amounts are **monthly** and in one currency, the
currency of the account the statement is taken for. Every field is checked when the statement
is built, and a bad one is reported by its dotted path (``expenses[2].category``), so nothing is
stored from a statement that does not add up.

Spending categories are either **essential** (what a household must pay to live and keep a
roof: housing, utilities, food, transport to work …) or **non-essential** (leisure, eating out,
subscriptions, gifts …). Affordability counts only essential spending; non-essential spending is
shown beside it, because that is money the borrower may choose to redirect.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from arrears.core.errors import ValidationError
from arrears.core.hardship import _read as read
from arrears.core.money import Money, minor_units, total


class IncomeSource(enum.StrEnum):
    WAGES = "wages"  # 工资薪金, after tax
    SELF_EMPLOYMENT = "self_employment"  # 经营所得
    BENEFITS = "benefits"  # 社会保障 / state benefits, unemployment insurance
    PENSION = "pension"  # 养老金
    SUPPORT_RECEIVED = "support_received"  # maintenance or family support received
    HOUSEHOLD_CONTRIBUTION = "household_contribution"  # a partner's or lodger's share
    OTHER = "other"


class ExpenseCategory(enum.StrEnum):
    # essential: a household cannot go without these
    HOUSING = "housing"  # rent, mortgage, property management fee (物业费)
    UTILITIES = "utilities"  # energy, water, heating
    LOCAL_TAXES = "local_taxes"  # council tax and other taxes on the home
    INSURANCE = "insurance"  # health, home, life insurance premiums
    FOOD_HOUSEKEEPING = "food_housekeeping"  # food, cleaning and household supplies
    PERSONAL_CARE = "personal_care"  # clothing, footwear, toiletries, haircuts
    COMMUNICATIONS = "communications"  # phone, broadband
    TRANSPORT = "transport"  # getting to work and school: fares, fuel, car running costs
    CHILDCARE = "childcare"
    EDUCATION = "education"  # school fees and costs
    HEALTHCARE = "healthcare"  # medicine, treatment not covered by insurance
    SUPPORT_PAID = "support_paid"  # maintenance / child support paid, care of parents (赡养)
    OTHER_LIVING = "other_living"  # other necessary living costs
    # non-essential: counted as money the borrower may choose to redirect
    LEISURE = "leisure"
    EATING_OUT = "eating_out"
    SUBSCRIPTIONS = "subscriptions"
    GIFTS_DONATIONS = "gifts_donations"
    OTHER_NON_ESSENTIAL = "other_non_essential"

    @property
    def essential(self) -> bool:
        return self in ESSENTIAL_CATEGORIES


ESSENTIAL_CATEGORIES = frozenset(
    {
        ExpenseCategory.HOUSING,
        ExpenseCategory.UTILITIES,
        ExpenseCategory.LOCAL_TAXES,
        ExpenseCategory.INSURANCE,
        ExpenseCategory.FOOD_HOUSEKEEPING,
        ExpenseCategory.PERSONAL_CARE,
        ExpenseCategory.COMMUNICATIONS,
        ExpenseCategory.TRANSPORT,
        ExpenseCategory.CHILDCARE,
        ExpenseCategory.EDUCATION,
        ExpenseCategory.HEALTHCARE,
        ExpenseCategory.SUPPORT_PAID,
        ExpenseCategory.OTHER_LIVING,
    }
)


class Employment(enum.StrEnum):
    EMPLOYED = "employed"
    SELF_EMPLOYED = "self_employed"
    UNEMPLOYED = "unemployed"
    RETIRED = "retired"
    STUDENT = "student"
    UNABLE_TO_WORK = "unable_to_work"  # illness or disability
    OTHER = "other"


class HardshipReason(enum.StrEnum):
    JOB_LOSS = "job_loss"  # 失业
    ILLNESS = "illness"  # 疾病
    FAMILY_EVENT = "family_event"  # a death, divorce, a new child, caring for someone
    BUSINESS_FAILURE = "business_failure"  # 经营困难
    OTHER = "other"


class Vulnerability(enum.StrEnum):
    """Flags that route the case to trained staff and soften treatment (弱势客户)."""

    HEALTH = "health"  # physical or mental health
    BEREAVEMENT = "bereavement"  # a life event such as a death in the family
    AGE = "age"  # very old or very young
    CAPABILITY = "capability"  # low literacy, language, digital or money-management skills


@dataclass(frozen=True, slots=True)
class Household:
    adults: int = 1  # the borrower included
    dependants: int = 0  # children and others the household supports

    def __post_init__(self) -> None:
        read.whole("adults", self.adults, low=1, high=20)
        read.whole("dependants", self.dependants, low=0, high=20)

    @property
    def size(self) -> int:
        return self.adults + self.dependants


@dataclass(frozen=True, slots=True)
class Income:
    source: IncomeSource
    amount: Money  # a month, after tax

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", read.choice("source", self.source, IncomeSource))
        _check_amount("amount", self.amount)


@dataclass(frozen=True, slots=True)
class Expense:
    category: ExpenseCategory
    amount: Money  # a month

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "category", read.choice("category", self.category, ExpenseCategory)
        )
        _check_amount("amount", self.amount)

    @property
    def essential(self) -> bool:
        return self.category.essential


@dataclass(frozen=True, slots=True)
class OtherDebt:
    creditor: str
    balance: Money
    monthly_payment: Money  # what the borrower pays it each month (a plan with them included)
    priority: bool = False  # rent or tax arrears, energy: losing the home or supply if unpaid

    def __post_init__(self) -> None:
        read.text("creditor", self.creditor)
        _check_amount("balance", self.balance)
        _check_amount("monthly_payment", self.monthly_payment)
        if self.monthly_payment.currency != self.balance.currency:
            raise ValidationError("monthly_payment", "must be in the currency of the balance")


@dataclass(frozen=True, kw_only=True)
class FinancialStatement:
    """What the borrower told us about their money, a month at a time, in one currency.

    `region` picks the spending norms (``CN-T1``, ``GB``, ``US`` …, see
    ``core/data/spending_norms.yaml``). When the difficulty is `temporary`, the borrower may say
    how many months until it passes (`expected_recovery_months`) and what they expect to earn a
    month after that (`income_after_recovery`); plans are then checked against the income of
    each month. `lump_sum_available` is money the borrower can put to a settlement or a first
    payment now (savings, family help).
    """

    currency: str
    region: str
    household: Household = field(default_factory=Household)
    employment: Employment = Employment.EMPLOYED
    incomes: tuple[Income, ...] = ()
    expenses: tuple[Expense, ...] = ()
    other_debts: tuple[OtherDebt, ...] = ()
    reason: HardshipReason = HardshipReason.OTHER
    temporary: bool = False
    expected_recovery_months: int | None = None
    income_after_recovery: Money | None = None
    lump_sum_available: Money | None = None
    vulnerabilities: frozenset[Vulnerability] = frozenset()

    def __post_init__(self) -> None:
        minor_units(self.currency)  # ValidationError("currency") when unknown
        read.text("region", self.region)
        if not isinstance(self.household, Household):
            raise ValidationError("household", "must be a Household")
        _set(self, "employment", read.choice("employment", self.employment, Employment))
        _set(self, "reason", read.choice("reason", self.reason, HardshipReason))
        read.flag("temporary", self.temporary)
        self._check_parts()
        self._check_recovery()
        if self.lump_sum_available is None:
            _set(self, "lump_sum_available", Money.zero(self.currency))
        self._in_currency("lump_sum_available", self.lump_sum_available)
        _set(
            self,
            "vulnerabilities",
            frozenset(
                read.choice(f"vulnerabilities[{i}]", flag, Vulnerability)
                for i, flag in enumerate(self.vulnerabilities)
            ),
        )

    def _check_parts(self) -> None:
        for name, kind in (("incomes", Income), ("expenses", Expense), ("other_debts", OtherDebt)):
            parts = tuple(getattr(self, name))
            _set(self, name, parts)
            for i, part in enumerate(parts):
                if not isinstance(part, kind):
                    raise ValidationError(f"{name}[{i}]", f"must be {kind.__name__}")
        for i, income in enumerate(self.incomes):
            self._in_currency(f"incomes[{i}].amount", income.amount)
        for i, expense in enumerate(self.expenses):
            self._in_currency(f"expenses[{i}].amount", expense.amount)
        for i, debt in enumerate(self.other_debts):
            self._in_currency(f"other_debts[{i}].balance", debt.balance)

    def _check_recovery(self) -> None:
        months, income = self.expected_recovery_months, self.income_after_recovery
        if months is not None:
            read.whole("expected_recovery_months", months, low=1, high=60)
            if not self.temporary:
                raise ValidationError(
                    "expected_recovery_months", "only a temporary difficulty has a recovery date"
                )
        if income is not None:
            if months is None:
                raise ValidationError(
                    "income_after_recovery", "needs expected_recovery_months: when it returns"
                )
            self._in_currency("income_after_recovery", income)
            _check_amount("income_after_recovery", income)

    def _in_currency(self, field_name: str, amount: object) -> None:
        if not isinstance(amount, Money):
            raise ValidationError(field_name, "must be an amount of money")
        if amount.currency != self.currency:
            raise ValidationError(
                field_name, f"is in {amount.currency}, the statement in {self.currency}"
            )

    # --- the figures affordability starts from ------------------------------------------------
    @property
    def total_income(self) -> Money:
        return total((i.amount for i in self.incomes), self.currency)

    def spending_in(self, category: ExpenseCategory) -> Money:
        return total((e.amount for e in self.expenses if e.category is category), self.currency)

    @property
    def essential_spending(self) -> Money:
        return total((e.amount for e in self.expenses if e.essential), self.currency)

    @property
    def non_essential_spending(self) -> Money:
        return total((e.amount for e in self.expenses if not e.essential), self.currency)

    @property
    def other_debt_payments(self) -> Money:
        return total((d.monthly_payment for d in self.other_debts), self.currency)

    @property
    def lump_sum(self) -> Money:
        """`lump_sum_available`, never None once the statement is built."""
        assert self.lump_sum_available is not None  # set in __post_init__
        return self.lump_sum_available

    @property
    def needs_trained_staff(self) -> bool:
        """Any vulnerability routes the case to staff trained for it."""
        return bool(self.vulnerabilities)


def _check_amount(field_name: str, amount: object) -> None:
    if not isinstance(amount, Money):
        raise ValidationError(field_name, "must be an amount of money")
    if amount.is_negative():
        raise ValidationError(field_name, f"cannot be negative, got {amount}")


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


# --- reading a statement from JSON or YAML ----------------------------------------------------

_STATEMENT_FIELDS = (
    "currency",
    "region",
    "household",
    "employment",
    "incomes",
    "expenses",
    "other_debts",
    "reason",
    "temporary",
    "expected_recovery_months",
    "income_after_recovery",
    "lump_sum_available",
    "vulnerabilities",
)


def parse_statement(data: Mapping[str, object]) -> FinancialStatement:
    """Build a statement from a JSON or YAML mapping (what ``--assessment FILE.json`` reads).

    Amounts are decimal strings in major units (``"3500.00"``), a month each. Example::

        {"currency": "CNY", "region": "CN-T2", "household": {"adults": 2, "dependants": 1},
         "employment": "unemployed", "reason": "job_loss", "temporary": true,
         "expected_recovery_months": 3, "income_after_recovery": "9000.00",
         "incomes": [{"source": "benefits", "amount": "1800.00"}],
         "expenses": [{"category": "housing", "amount": "2500.00"}],
         "other_debts": [{"creditor": "Bank B", "balance": "12000.00",
                          "monthly_payment": "600.00"}],
         "vulnerabilities": ["health"]}
    """
    values = read.mapping("", data, _STATEMENT_FIELDS)
    currency = read.text("currency", values.get("currency"))
    minor_units(currency)
    built: dict[str, Any] = {"currency": currency, "region": values.get("region")}
    if "household" in values:
        household = read.mapping("household", values["household"], ("adults", "dependants"))
        with read.within("household"):
            built["household"] = Household(**household)  # type: ignore[arg-type]
    for name in ("employment", "reason", "temporary", "expected_recovery_months"):
        if name in values:
            built[name] = values[name]
    for name in ("income_after_recovery", "lump_sum_available"):
        if values.get(name) is not None:
            built[name] = read.money(name, values[name], currency)
    built["incomes"] = _parse_list(values, "incomes", currency, _parse_income)
    built["expenses"] = _parse_list(values, "expenses", currency, _parse_expense)
    built["other_debts"] = _parse_list(values, "other_debts", currency, _parse_debt)
    flags = read.items("vulnerabilities", values.get("vulnerabilities", []))
    built["vulnerabilities"] = frozenset(
        read.choice(f"vulnerabilities[{i}]", flag, Vulnerability) for i, flag in enumerate(flags)
    )
    return FinancialStatement(**built)


def _parse_list(
    values: Mapping[str, object], name: str, currency: str, parse: Any
) -> tuple[object, ...]:
    rows = read.items(name, values.get(name, []))
    parsed = []
    for i, row in enumerate(rows):
        with read.within(f"{name}[{i}]"):
            parsed.append(parse(row, currency))
    return tuple(parsed)


def _parse_income(row: object, currency: str) -> Income:
    values = read.mapping("", row, ("source", "amount"))
    source = read.choice("source", values.get("source"), IncomeSource)
    return Income(source, read.money("amount", values.get("amount"), currency))


def _parse_expense(row: object, currency: str) -> Expense:
    values = read.mapping("", row, ("category", "amount"))
    category = read.choice("category", values.get("category"), ExpenseCategory)
    return Expense(category, read.money("amount", values.get("amount"), currency))


def _parse_debt(row: object, currency: str) -> OtherDebt:
    values = read.mapping("", row, ("creditor", "balance", "monthly_payment", "priority"))
    return OtherDebt(
        creditor=read.text("creditor", values.get("creditor")),
        balance=read.money("balance", values.get("balance"), currency),
        monthly_payment=read.money("monthly_payment", values.get("monthly_payment"), currency),
        priority=read.flag("priority", values.get("priority", False)),
    )
