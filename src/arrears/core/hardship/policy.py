"""The lender's hardship policy as data: which options it offers and how it prices them.

The bundled defaults live in ``core/data/hardship_policy.yaml``: a `defaults` block and, per
jurisdiction, the parts that differ (China offers 个性化分期 on cards up to 60 months, say). A
jurisdiction's block is laid over the defaults — mappings merged key by key, lists and values
replaced — and the result is checked and frozen into one `HardshipPolicy` per jurisdiction.
Every error names the field by its dotted path
(``jurisdictions.CN.options.term_extension.terms[2]``).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from arrears.core.errors import ValidationError
from arrears.core.hardship import _read as read
from arrears.core.products import JURISDICTIONS
from arrears.core.schedule import MAX_MONTHS, RepaymentMethod

PRODUCT_KINDS = ("card", "loan")


class OptionKind(enum.StrEnum):
    """The kinds of help a lender can offer (还款困难帮扶方案)."""

    PAYMENT_HOLIDAY = "payment_holiday"  # 延期还款, then back to the contract
    HOLIDAY_THEN_REAMORTISE = "holiday_then_reamortise"  # 延期还款 + 延长期限
    REDUCED_PAYMENTS = "reduced_payments"  # 降低月供 for N months, then back to the contract
    TERM_EXTENSION = "term_extension"  # 延长期限 / re-amortisation
    PERSONALISED_INSTALMENT = "personalised_instalment"  # 个性化分期 (CN cards, ≤ 60 months)
    INTEREST_FREEZE = "interest_freeze"  # 停息挂账: no further interest, repaid in equal parts
    RATE_REDUCTION = "rate_reduction"  # a lower APR for the rest of the debt
    SETTLEMENT_LUMP_SUM = "settlement_lump_sum"  # 一次性结清（折扣结清）
    SETTLEMENT_PLAN = "settlement_plan"  # a discounted balance paid over a few months


class InterestTreatment(enum.StrEnum):
    """What happens to interest during a payment holiday."""

    CAPITALISE = "capitalise"  # accrues and is added to the principal (then bears interest)
    DUE_AT_END = "due_at_end"  # accrues, bears no interest, and is due with the last instalment
    FROZEN = "frozen"  # does not accrue: the lender forgoes it


class EssentialSpendingRule(enum.StrEnum):
    """Which essential spending affordability counts."""

    STATED = "stated"  # what the borrower says
    NORM_FLOOR = "norm_floor"  # what they say, but living costs never below the region's norm


@dataclass(frozen=True, kw_only=True)
class AffordabilityPolicy:
    essential_spending: EssentialSpendingRule = EssentialSpendingRule.NORM_FLOOR
    #: The part of disposable income offered to this debt; the rest is a buffer for the
    #: unexpected (and for other creditors the statement did not list).
    share_percent: Decimal = Decimal(100)


@dataclass(frozen=True, kw_only=True)
class OptionRule:
    """How one kind of option is offered and priced. Unused fields are ignored for a kind."""

    monthly_failure_percent: Decimal  # chance, each month, that the borrower stops paying
    months: tuple[int, ...] = ()  # holiday / reduced-payment / settlement-plan lengths to quote
    terms: tuple[int, ...] = ()  # repayment terms (months) to quote when re-amortising
    max_months: int = 60  # the longest plan of this kind, holiday included
    methods: tuple[RepaymentMethod, ...] = (RepaymentMethod.ANNUITY,)
    interest: InterestTreatment = InterestTreatment.CAPITALISE  # during a holiday
    waive_fees: bool = False  # fees owed today are forgiven when the plan is set up
    #: A card's annual fee (年费) charged while the plan is kept is waived; when false it is
    #: owed on top of the plan, as the card's contract says. The plan's terms say which.
    waive_annual_fee: bool = True
    apr_percent: Decimal | None = None  # rate reduction: the reduced APR (never above the contract)
    discount_percents: tuple[Decimal, ...] = ()  # settlement discounts to quote
    max_discount_percent: Decimal = Decimal(0)  # settlement: the most the lender forgives
    fit_shortest_term: bool = True  # also quote the shortest term the borrower can afford


@dataclass(frozen=True, kw_only=True)
class HardshipPolicy:
    """One jurisdiction's hardship policy, checked and frozen."""

    jurisdiction: str
    discount_rate_percent: Decimal  # the lender's annual rate for discounting plan cash flows
    recovery_rate_percent: Decimal  # share of a failed plan's unpaid instalments recovered later
    recovery_lag_months: int  # how long after a missed instalment that recovery comes in
    re_age_after_payments: int  # consecutive on-time plan payments before re-ageing (账龄重置)
    affordability: AffordabilityPolicy
    options: Mapping[OptionKind, OptionRule]
    allowed: Mapping[str, frozenset[OptionKind]]  # product kind → the kinds offered

    def __post_init__(self) -> None:
        for product_kind, kinds in self.allowed.items():
            for kind in kinds:
                if kind not in self.options:
                    raise ValidationError(
                        f"allowed.{product_kind}", f"{kind} is allowed but has no options entry"
                    )
        for kind, rule in self.options.items():
            with read.within(f"options.{kind}"):
                _check_rule(kind, rule)

    def offers(self, product_kind: str) -> tuple[OptionKind, ...]:
        """The option kinds offered on a product kind, in the order options are quoted."""
        kinds = self.allowed.get(product_kind, frozenset())
        return tuple(kind for kind in OptionKind if kind in kinds)

    def rule(self, kind: OptionKind) -> OptionRule:
        return self.options[kind]

    def with_rule(self, kind: OptionKind, **changes: Any) -> HardshipPolicy:
        """A copy with one option's rule changed (for what-if pricing and tests)."""
        options = dict(self.options)
        options[kind] = dataclasses.replace(options[kind], **changes)
        return dataclasses.replace(self, options=MappingProxyType(options))


_NEEDS_MONTHS = {
    OptionKind.PAYMENT_HOLIDAY,
    OptionKind.HOLIDAY_THEN_REAMORTISE,
    OptionKind.REDUCED_PAYMENTS,
    OptionKind.SETTLEMENT_PLAN,
}
_REAMORTISING = {
    OptionKind.HOLIDAY_THEN_REAMORTISE,
    OptionKind.TERM_EXTENSION,
    OptionKind.PERSONALISED_INSTALMENT,
    OptionKind.INTEREST_FREEZE,
    OptionKind.RATE_REDUCTION,
}
_SETTLING = {OptionKind.SETTLEMENT_LUMP_SUM, OptionKind.SETTLEMENT_PLAN}


def _check_rule(kind: OptionKind, rule: OptionRule) -> None:
    if kind in _NEEDS_MONTHS and not rule.months:
        raise ValidationError("months", f"{kind} needs the lengths (months) to quote")
    if kind in _REAMORTISING and not rule.terms and not rule.fit_shortest_term:
        raise ValidationError("terms", f"{kind} needs terms to quote or fit_shortest_term: true")
    for name in ("months", "terms"):
        for i, months in enumerate(getattr(rule, name)):
            if months > rule.max_months:
                raise ValidationError(
                    f"{name}[{i}]", f"{months} is longer than max_months ({rule.max_months})"
                )
    if kind is OptionKind.RATE_REDUCTION and rule.apr_percent is None:
        raise ValidationError("apr_percent", "a rate reduction needs the reduced APR")
    if kind in _SETTLING and not rule.discount_percents:
        raise ValidationError("discount_percents", "a settlement needs the discounts to quote")
    for i, discount in enumerate(rule.discount_percents):
        if discount > rule.max_discount_percent:
            raise ValidationError(
                f"discount_percents[{i}]",
                f"{discount} is above max_discount_percent ({rule.max_discount_percent})",
            )
    if not rule.methods:
        raise ValidationError("methods", "must name at least one repayment method")


# --- reading ----------------------------------------------------------------------------------


def _months_list(field: str, value: object) -> tuple[int, ...]:
    return tuple(
        read.whole(f"{field}[{i}]", v, low=1, high=MAX_MONTHS)
        for i, v in enumerate(read.items(field, value))
    )


def _methods(field: str, value: object) -> tuple[RepaymentMethod, ...]:
    return tuple(
        read.choice(f"{field}[{i}]", v, RepaymentMethod)
        for i, v in enumerate(read.items(field, value))
    )


def _percents(field: str, value: object) -> tuple[Decimal, ...]:
    return tuple(read.percent(f"{field}[{i}]", v) for i, v in enumerate(read.items(field, value)))


_RULE_READERS: dict[str, Callable[[str, object], object]] = {
    "monthly_failure_percent": read.percent,
    "months": _months_list,
    "terms": _months_list,
    "max_months": lambda f, v: read.whole(f, v, low=1, high=MAX_MONTHS),
    "methods": _methods,
    "interest": lambda f, v: read.choice(f, v, InterestTreatment),
    "waive_fees": read.flag,
    "waive_annual_fee": read.flag,
    "apr_percent": read.percent,
    "discount_percents": _percents,
    "max_discount_percent": read.percent,
    "fit_shortest_term": read.flag,
}
_TOP_FIELDS = (
    "discount_rate_percent",
    "recovery_rate_percent",
    "recovery_lag_months",
    "re_age_after_payments",
    "affordability",
    "options",
    "allowed",
)


def parse_policy(jurisdiction: str, data: object) -> HardshipPolicy:
    """Build one jurisdiction's policy from its (merged) mapping."""
    values = read.mapping("", data, _TOP_FIELDS)
    for name in _TOP_FIELDS:
        if name not in values:
            raise ValidationError(name, "is required")
    return HardshipPolicy(
        jurisdiction=jurisdiction,
        discount_rate_percent=read.percent(
            "discount_rate_percent", values["discount_rate_percent"]
        ),
        recovery_rate_percent=read.percent(
            "recovery_rate_percent", values["recovery_rate_percent"]
        ),
        recovery_lag_months=read.whole(
            "recovery_lag_months", values["recovery_lag_months"], low=0, high=120
        ),
        re_age_after_payments=read.whole(
            "re_age_after_payments", values["re_age_after_payments"], low=1, high=24
        ),
        affordability=_parse_affordability(values["affordability"]),
        options=MappingProxyType(_parse_options(values["options"])),
        allowed=MappingProxyType(_parse_allowed(values["allowed"])),
    )


def _parse_affordability(data: object) -> AffordabilityPolicy:
    values = read.mapping("affordability", data, ("essential_spending", "share_percent"))
    return AffordabilityPolicy(
        essential_spending=read.choice(
            "affordability.essential_spending",
            values.get("essential_spending", "norm_floor"),
            EssentialSpendingRule,
        ),
        share_percent=read.percent(
            "affordability.share_percent", values.get("share_percent", "100")
        ),
    )


def _parse_options(data: object) -> dict[OptionKind, OptionRule]:
    options: dict[OptionKind, OptionRule] = {}
    for name, body in read.mapping("options", data).items():
        kind = read.choice(f"options.{name}", name, OptionKind)
        values = read.mapping(f"options.{name}", body, tuple(_RULE_READERS))
        with read.within(f"options.{name}"):
            if "monthly_failure_percent" not in values:
                raise ValidationError("monthly_failure_percent", "is required")
            parsed = {key: _RULE_READERS[key](key, value) for key, value in values.items()}
        options[kind] = OptionRule(**parsed)  # type: ignore[arg-type]  # readers check types
    return options


def _parse_allowed(data: object) -> dict[str, frozenset[OptionKind]]:
    allowed: dict[str, frozenset[OptionKind]] = {}
    for product_kind, kinds in read.mapping("allowed", data, PRODUCT_KINDS).items():
        where = f"allowed.{product_kind}"
        allowed[product_kind] = frozenset(
            read.choice(f"{where}[{i}]", kind, OptionKind)
            for i, kind in enumerate(read.items(where, kinds))
        )
    return allowed


def _merged(base: Mapping[str, object], override: Mapping[str, object]) -> dict[str, object]:
    """`override` laid over `base`: mappings merged key by key, anything else replaced."""
    result = dict(base)
    for key, value in override.items():
        below = result.get(key)
        if isinstance(below, Mapping) and isinstance(value, Mapping):
            result[key] = _merged(below, value)
        else:
            result[key] = value
    return result


def load_hardship_policies(path_or_text: str | Path) -> Mapping[str, HardshipPolicy]:
    """Every jurisdiction's policy from a YAML file or text: `defaults` + `jurisdictions`."""
    data = read.mapping(
        "policy", read.load_yaml(path_or_text, "policy"), ("defaults", "jurisdictions")
    )
    defaults = read.mapping("defaults", data.get("defaults"))
    blocks = read.mapping("jurisdictions", data.get("jurisdictions"), JURISDICTIONS)
    policies = {}
    for jurisdiction, block in blocks.items():
        where = f"jurisdictions.{jurisdiction}"
        override = read.mapping(where, {} if block is None else block)
        with read.within(where):
            policies[jurisdiction] = parse_policy(jurisdiction, _merged(defaults, override))
    return MappingProxyType(policies)


@functools.cache
def _bundled() -> Mapping[str, HardshipPolicy]:
    text = (
        resources.files("arrears.core")
        .joinpath("data/hardship_policy.yaml")
        .read_text(encoding="utf-8")
    )
    return load_hardship_policies(text)


def bundled_hardship_policy(jurisdiction: str) -> HardshipPolicy:
    """The default policy shipped in ``core/data/hardship_policy.yaml`` for a jurisdiction."""
    try:
        return _bundled()[jurisdiction]
    except KeyError:
        known = ", ".join(sorted(_bundled()))
        raise ValidationError(
            "jurisdiction", f"no hardship policy for {jurisdiction!r}; known: {known}"
        ) from None
