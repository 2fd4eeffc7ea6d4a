"""Evaluating a condition for one account.

Null rule (the same in the frame form): any test that reads an unknown (null) fact is false —
`==`, `!=`, `<` …, `in`, `not in`, `between` and `not between` alike; only `is null` and
`is not null` look at the unknown itself. `not`, `and` and `or` then combine plain true/false,
so `not (risk_score > 600)` is true for an account with no score.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from arrears.core.strategy.expressions.tree import (
    And,
    Between,
    Compare,
    Constant,
    Expression,
    FactRef,
    IsNull,
    Literal,
    Member,
    Node,
    Not,
    Operand,
    Or,
    Truth,
)
from arrears.core.strategy.facts import AccountFacts, FactValue

Facts = AccountFacts | Mapping[str, FactValue]

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def evaluate(expression: Expression, facts: Facts) -> bool:
    """Does the condition hold for these facts?"""
    return holds(expression.node, facts)


def fact_value(facts: Facts, name: str) -> FactValue:
    if isinstance(facts, AccountFacts):
        return facts.value(name)
    return facts.get(name)


def holds(node: Node, facts: Facts) -> bool:
    match node:
        case Compare(op, left, right):
            return _compare(op, fact_value(facts, left.name), _operand(right, facts))
        case Member(fact, values, negated):
            value = fact_value(facts, fact.name)
            return value is not None and ((value in values) != negated)
        case Between(fact, low, high, negated):
            value = fact_value(facts, fact.name)
            bottom, top = _operand(low, facts), _operand(high, facts)
            if value is None or bottom is None or top is None:
                return False
            inside = _compare("<=", bottom, value) and _compare("<=", value, top)
            return inside != negated
        case IsNull(fact, negated):
            return (fact_value(facts, fact.name) is None) != negated
        case Truth(fact):
            return fact_value(facts, fact.name) is True
        case Constant(value):
            return value
        case Not(operand):
            return not holds(operand, facts)
        case And(operands):
            return all(holds(o, facts) for o in operands)
        case Or(operands):
            return any(holds(o, facts) for o in operands)
    raise TypeError(f"not a condition node: {node!r}")  # pragma: no cover


def _operand(operand: Operand, facts: Facts) -> FactValue:
    if isinstance(operand, FactRef):
        return fact_value(facts, operand.name)
    assert isinstance(operand, Literal)
    return operand.value


def _compare(op: str, left: FactValue, right: FactValue) -> bool:
    if left is None or right is None:
        return False
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        return OPERATORS[op](Decimal(left), Decimal(right))  # type: ignore[arg-type]
    return OPERATORS[op](left, right)
