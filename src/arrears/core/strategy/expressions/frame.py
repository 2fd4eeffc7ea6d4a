"""Compiling a condition to a Polars expression over a facts frame (`facts_schema()`).

The result is a Boolean column with no nulls, true exactly where `scalar.evaluate` is true for
the same row (the differential tests hold it to that). Amounts live in ``<name>_minor`` columns
as integer minor units, so a literal such as ``balance >= 5000`` is scaled by each row's
``minor_exponent`` — exactly, without float: for whole minor units x and a threshold v,
``x >= v`` ⇔ ``x >= ceil(v)`` and ``x > v`` ⇔ ``x > floor(v)``, and ``x == v`` needs v whole.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import polars as pl

from arrears.core.strategy.expressions.tree import (
    MAX_EXPONENT,
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
from arrears.core.strategy.facts import MINOR_EXPONENT, FactType

_OPS: dict[str, Callable[[pl.Expr, Any], pl.Expr]] = {
    "==": pl.Expr.eq,
    "!=": pl.Expr.ne,
    "<": pl.Expr.lt,
    "<=": pl.Expr.le,
    ">": pl.Expr.gt,
    ">=": pl.Expr.ge,
}


def to_polars(expression: Expression) -> pl.Expr:
    """The condition as a non-null Boolean Polars expression.

    Use it in `with_columns`, `filter` or `when`: a condition that reads no fact (``true``) is a
    literal, which `select` alone would not stretch to the frame's height.
    """
    return _compile(expression.node)


def _compile(node: Node) -> pl.Expr:
    match node:
        case Compare(op, left, right):
            return _compare(op, left, right)
        case Member(fact, values, negated):
            column = pl.col(fact.fact.column)
            found = column.is_in(list(values))
            return column.is_not_null() & (~found if negated else found).fill_null(False)
        case Between(fact, low, high, negated):
            inside = _compare(">=", fact, low) & _compare("<=", fact, high)
            nulls = [pl.col(fact.fact.column).is_not_null()] + [
                pl.col(end.fact.column).is_not_null()
                for end in (low, high)
                if isinstance(end, FactRef)
            ]
            known = functools.reduce(operator.and_, nulls)
            return known & (~inside if negated else inside)
        case IsNull(fact, negated):
            column = pl.col(fact.fact.column)
            return column.is_not_null() if negated else column.is_null()
        case Truth(fact):
            return pl.col(fact.fact.column).fill_null(False)
        case Constant(value):
            return pl.lit(value, dtype=pl.Boolean)
        case Not(operand):
            return ~_compile(operand)
        case And(operands):
            return functools.reduce(operator.and_, (_compile(o) for o in operands))
        case Or(operands):
            return functools.reduce(operator.or_, (_compile(o) for o in operands))
    raise TypeError(f"not a condition node: {node!r}")  # pragma: no cover


def _compare(op: str, left: FactRef, right: Operand) -> pl.Expr:
    column = pl.col(left.fact.column)
    if isinstance(right, FactRef):
        return _OPS[op](column, pl.col(right.fact.column)).fill_null(False)
    assert isinstance(right, Literal)
    if left.fact.type is FactType.MONEY:
        assert isinstance(right.value, int | Decimal)
        return _money_compare(op, column, Decimal(right.value))
    return _OPS[op](column, pl.lit(right.value)).fill_null(False)


def _money_compare(op: str, minor: pl.Expr, amount: Decimal) -> pl.Expr:
    """`minor op amount × 10**minor_exponent`, exact for every exponent 0 … MAX_EXPONENT."""
    thresholds = [_threshold(op, amount.scaleb(e)) for e in range(MAX_EXPONENT + 1)]
    if len(set(thresholds)) == 1 and thresholds[0] is not None:
        limit: pl.Expr = pl.lit(thresholds[0], dtype=pl.Int64)
    else:
        limit = pl.col(MINOR_EXPONENT).replace_strict(
            list(range(MAX_EXPONENT + 1)), thresholds, default=None, return_dtype=pl.Int64
        )
    compared = _OPS[op](minor, limit)
    if op == "!=":  # no whole number of minor units equals a finer amount: always different
        return (
            pl.when(limit.is_null()).then(minor.is_not_null()).otherwise(compared.fill_null(False))
        )
    return compared.fill_null(False)


def _threshold(op: str, scaled: Decimal) -> int | None:
    """The whole number of minor units that `op` can be compared with exactly."""
    if op in (">=", "<"):
        return math.ceil(scaled)
    if op in (">", "<="):
        return math.floor(scaled)
    return int(scaled) if scaled == scaled.to_integral_value() else None
