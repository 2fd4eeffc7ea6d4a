"""Builders for strategy tests: an account's facts, random facts, random conditions, strategies."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal
from typing import Any

import yaml
from hypothesis import strategies as st

from arrears.core.strategy import AccountFacts, Strategy, parse_strategy
from arrears.core.strategy.expressions.parser import parse_expression
from arrears.core.strategy.expressions.tree import Constant
from arrears.core.strategy.facts import FACTS, FactType

AS_OF = dt.date(2026, 11, 28)

#: A CNY card account 7 days past due that nobody has contacted yet.
_BASE = AccountFacts(
    account_id=1001,
    borrower_id=501,
    product="cn-card-classic",
    product_kind="card",
    currency="CNY",
    days_past_due=7,
    bucket="M1",
    balance=Decimal("6200.00"),
    past_due=Decimal("620.00"),
    risk_score=640,
    case_stage="early",
    days_in_case=7,
    promise_status="none",
    broken_promises=0,
    last_disposition="",
    no_answer_streak=0,
    right_party_contacts_30d=0,
    days_since_last_contact=None,
    engaged_recently=False,
    hardship=False,
    vulnerable=False,
    dispute_open=False,
    on_plan=False,
    language="zh-hans",
    jurisdiction="CN",
    has_valid_phone=True,
    has_valid_email=True,
    last_step="",
    days_since_last_step=None,
)


def facts(**changes: Any) -> AccountFacts:
    """The base account with some facts changed (amounts may be given as strings)."""
    for name in ("balance", "past_due"):
        if isinstance(changes.get(name), str | int):
            changes[name] = Decimal(str(changes[name]))
    return dataclasses.replace(_BASE, **changes)


def strategy(text: str) -> Strategy:
    return parse_strategy(yaml.safe_load(text))


# --- random facts -----------------------------------------------------------------------------

#: Small domains, so that random conditions land on both sides of their thresholds.
STEP_IDS = ["", "s0", "s1", "s2", "s3", "s4", "s5", "elsewhere"]
TEXT_VALUES = {
    "product": ["cn-card-classic", "cn-loan", "x"],
    "currency": ["CNY", "JPY", "USD"],
    "bucket": ["current", "M1", "M2"],
    "last_disposition": ["", "no_answer", "busy"],
    "last_step": STEP_IDS,
}
EXPONENTS = {"CNY": 2, "USD": 2, "JPY": 0}


def _text_values(name: str) -> list[str]:
    fact = FACTS[name]
    return list(fact.choices) if fact.choices else TEXT_VALUES[name]


@st.composite
def account_facts(draw: st.DrawFn, account_id: int | None = None) -> AccountFacts:
    """Any account's facts, with values clustered around the thresholds conditions use."""
    currency = draw(st.sampled_from(["CNY", "JPY", "USD"]))
    exponent = EXPONENTS[currency]
    values: dict[str, Any] = {}
    for name, fact in FACTS.items():
        if name == "currency":
            value: Any = currency
        elif fact.type is FactType.INT:
            value = draw(
                st.integers(-2, 40) if name != "account_id" else st.integers(-(2**63), 2**63 - 1)
            )
        elif fact.type is FactType.MONEY:
            minor = draw(
                st.integers(-1000, 600_000) | st.sampled_from([0, 5, 500, 200_000, 20_000])
            )
            value = Decimal(minor).scaleb(-exponent)
        elif fact.type is FactType.BOOL:
            value = draw(st.booleans())
        else:
            value = draw(st.sampled_from(_text_values(name)))
        if fact.nullable and draw(st.integers(0, 3)) == 0:
            value = None
        values[name] = value
    if account_id is not None:
        values["account_id"] = account_id
    return AccountFacts(**values)


def random_facts(rng: random.Random, account_id: int) -> AccountFacts:
    """`account_facts` for seeded portfolios (plain `random`, thousands of rows quickly)."""
    currency = rng.choice(["CNY", "JPY", "USD"])
    values: dict[str, Any] = {}
    for name, fact in FACTS.items():
        if fact.type is FactType.INT:
            value: Any = rng.randint(-1, 130)
        elif fact.type is FactType.MONEY:
            value = Decimal(rng.randint(-1000, 1_500_000)).scaleb(-EXPONENTS[currency])
        elif fact.type is FactType.BOOL:
            value = rng.random() < 0.3
        else:
            value = rng.choice(_text_values(name))
        if fact.nullable and rng.random() < 0.2:
            value = None
        values[name] = value
    values.update(account_id=account_id, currency=currency)
    return AccountFacts(**values)


# --- random conditions ------------------------------------------------------------------------

_INTS = [name for name, f in FACTS.items() if f.type is FactType.INT and name != "account_id"]
_MONEY = [name for name, f in FACTS.items() if f.type is FactType.MONEY]
_BOOLS = [name for name, f in FACTS.items() if f.type is FactType.BOOL]
_TEXTS = [name for name, f in FACTS.items() if f.type is FactType.STR]
_NULLABLE = [name for name, f in FACTS.items() if f.nullable]
_OPS = ["==", "!=", "<", "<=", ">", ">="]

_whole = st.integers(-2, 42).map(str)
_amount = st.one_of(
    st.integers(-10, 6000).map(str),
    st.decimals(-10, 6000, places=2).map(str),
    st.sampled_from(["0.005", "0.5", "5000", "2000.01", "4.999", "0.0001"]),
)


def _text(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(_text_values(name)).map(lambda v: f'"{v}"')


@st.composite
def _test(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(
        ["int", "int_facts", "money", "money_facts", "text", "in", "between", "null", "bool",
         "constant", "flipped"]
    ))  # fmt: skip
    op = draw(st.sampled_from(_OPS))
    if kind == "int":
        return f"{draw(st.sampled_from(_INTS))} {op} {draw(_whole)}"
    if kind == "int_facts":
        return f"{draw(st.sampled_from(_INTS))} {op} {draw(st.sampled_from(_INTS))}"
    if kind == "money":
        return f"{draw(st.sampled_from(_MONEY))} {op} {draw(_amount)}"
    if kind == "money_facts":
        return f"{draw(st.sampled_from(_MONEY))} {op} {draw(st.sampled_from(_MONEY))}"
    if kind == "flipped":
        return f"{draw(_amount)} {op} {draw(st.sampled_from(_MONEY))}"
    if kind == "text":
        name = draw(st.sampled_from(_TEXTS))
        return f"{name} {draw(st.sampled_from(['==', '!=']))} {draw(_text(name))}"
    negated = draw(st.booleans())
    if kind == "in":
        name = draw(st.sampled_from(_TEXTS + _INTS))
        items = _text(name) if name in _TEXTS else _whole
        values = draw(st.lists(items, min_size=1, max_size=3))
        return f"{name} {'not in' if negated else 'in'} [{', '.join(values)}]"
    if kind == "between":
        name = draw(st.sampled_from(_INTS + _MONEY))
        ends = _amount if name in _MONEY else _whole
        low, high = draw(ends), draw(ends)
        return f"{name} {'not between' if negated else 'between'} {low} and {high}"
    if kind == "null":
        return f"{draw(st.sampled_from(_NULLABLE))} is {'not ' if negated else ''}null"
    if kind == "bool":
        name = draw(st.sampled_from(_BOOLS))
        if draw(st.booleans()):
            return name
        value = draw(st.sampled_from(["true", "false"]))
        return f"{name} {draw(st.sampled_from(['==', '!=']))} {value}"
    return draw(st.sampled_from(["true", "false"]))


conditions: st.SearchStrategy[str] = st.recursive(
    _test(),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(" ".join),
        inner.map(lambda c: f"not ({c})"),
        inner.map(lambda c: f"({c})"),
    ),
    max_leaves=6,
)


# --- random strategies ------------------------------------------------------------------------

#: A segment's condition that does not fold to `true` (only the last segment may catch all).
_narrowing = conditions.filter(lambda source: parse_expression(source).node != Constant(True))


@st.composite
def strategy_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid strategy document that turns every knob: splits, triggers, skips, repeats."""
    path_ids = ["p0", "p1", "p2"][: draw(st.integers(1, 3))]
    paths: dict[str, Any] = {}
    for path_id in path_ids:
        steps: list[dict[str, Any]] = []
        day = 0
        for index in range(draw(st.integers(1, 6))):
            step: dict[str, Any] = {"id": f"s{index}", "action": "call"}
            if draw(st.integers(0, 3)) == 0:
                step["trigger"] = draw(conditions)
            else:
                day += draw(st.integers(0, 12))
                step["on_day"] = day
            if draw(st.booleans()):
                step["repeat_every_days"] = draw(st.integers(1, 4))
                if draw(st.booleans()):
                    step["until_day"] = step.get("on_day", 0) + draw(st.integers(0, 15))
            for name in ("when", "skip_when"):
                if draw(st.integers(0, 2)) == 0:
                    step[name] = draw(conditions)
            if draw(st.booleans()):
                step.update(action="message", channel="sms", template="collection_reminder")
            steps.append(step)
        path: dict[str, Any] = {"steps": steps}
        if draw(st.integers(0, 2)) == 0:
            path["back_off"] = {"when": draw(conditions), "reason": "engaging"}
        paths[path_id] = path
    segments: list[dict[str, Any]] = []
    for index in range(draw(st.integers(1, 4))):
        segment: dict[str, Any] = {"id": f"g{index}", "when": draw(_narrowing)}
        if draw(st.integers(0, 3)) == 0:
            segment["action"] = "none"
        else:
            chosen = draw(st.lists(st.sampled_from(path_ids), min_size=1, max_size=3, unique=True))
            cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=len(chosen) - 1,
                                        max_size=len(chosen) - 1, unique=True)))  # fmt: skip
            shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
            segment["paths"] = [
                {"path": p, "share": s} for p, s in zip(chosen, shares, strict=True)
            ]
        segments.append(segment)
    if draw(st.booleans()):
        segments[-1].pop("when")
    return {
        "code": "random",
        "version": "1",
        "name": {"en": "Random", "zh": "随机"},
        "segments": segments,
        "paths": paths,
        "champion_challenger": {"seed": draw(st.integers(0, 2**63 - 1))},
    }
