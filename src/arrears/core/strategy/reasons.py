"""Reasons: why an account got its segment, path and step, in words built from the strategy.

A reason is a `Template` — fixed text with slots for fact values — made once from the strategy
(the source text of its conditions, step ids and days). The scalar evaluator renders a
template with one account's facts; the frame evaluator turns the same template into one Polars
string expression. Both format values the same way (below), so the two reasons are equal
character for character, which the differential tests check.

Values: whole numbers as digits, amounts with exactly the currency's decimals (6200.00; 5000
for JPY), text in double quotes, true/false, and null for an unknown value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from arrears.core.strategy.expressions import Expression
from arrears.core.strategy.expressions.tree import MAX_EXPONENT
from arrears.core.strategy.facts import (
    FACTS,
    MINOR_EXPONENT,
    AccountFacts,
    FactType,
    FactValue,
    minor_of,
)


@dataclass(frozen=True)
class Slot:
    """Where a fact's value goes in a reason."""

    fact: str


Part = str | Slot
Template = tuple[Part, ...]


def template(*parts: Part | Template) -> Template:
    """Concatenate parts and templates, merging neighbouring text."""
    flat: list[Part] = []
    for part in parts:
        for piece in part if isinstance(part, tuple) else (part,):
            if isinstance(piece, str) and flat and isinstance(flat[-1], str):
                flat[-1] += piece
            elif piece != "":
                flat.append(piece)
    return tuple(flat)


def joined(parts: Sequence[Template], separator: str = "; ") -> Template:
    pieces: list[Part | Template] = []
    for index, part in enumerate(parts):
        if index:
            pieces.append(separator)
        pieces.append(part)
    return template(*pieces)


def condition(expression: Expression) -> Template:
    """The condition's source, then the values of the facts it read: ``a >= 1 (a=3)``."""
    if not expression.facts:
        return (expression.source,)
    values: list[Part | Template] = []
    for index, name in enumerate(expression.facts):
        values.append(f"{', ' if index else ''}{name}=")
        values.append(Slot(name))
    return template(expression.source, " (", *values, ")")


# --- rendering one account --------------------------------------------------------------------


def render(parts: Template, facts: AccountFacts) -> str:
    return "".join(p if isinstance(p, str) else show(facts, p.fact) for p in parts)


def show(facts: AccountFacts, name: str) -> str:
    """A fact's value as reasons write it."""
    value = facts.value(name)
    fact = FACTS[name]
    if fact.type is FactType.MONEY and isinstance(value, Decimal):
        exponent = facts.minor_exponent
        return money_text(minor_of(value, exponent, field=name), exponent)
    return plain_text(value)


def plain_text(value: FactValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def money_text(minor: int, exponent: int) -> str:
    """Minor units as a plain decimal with the currency's places: 620000, 2 → 6200.00."""
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**exponent)
    if exponent == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{str(fraction + 10**exponent)[1:]}"


# --- rendering a frame ------------------------------------------------------------------------


def to_polars(parts: Template) -> pl.Expr:
    """The template as one string expression over a facts frame."""
    if all(isinstance(p, str) for p in parts):
        return pl.lit("".join(p for p in parts if isinstance(p, str)), dtype=pl.String)
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else fact_text(p.fact) for p in parts])


def fact_text(name: str) -> pl.Expr:
    """`show` as a Polars expression (never null: an unknown value reads "null")."""
    fact = FACTS[name]
    column = pl.col(fact.column)
    if fact.type is FactType.BOOL:
        text = pl.when(column).then(pl.lit("true")).otherwise(pl.lit("false"))
    elif fact.type is FactType.STR:
        text = pl.concat_str([pl.lit('"'), column, pl.lit('"')])
    elif fact.type is FactType.MONEY:
        text = _money_text(column)
    else:
        text = column.cast(pl.String)
    return pl.when(column.is_null()).then(pl.lit("null")).otherwise(text)


def _money_text(minor: pl.Expr) -> pl.Expr:
    exponent = pl.col(MINOR_EXPONENT)
    scale = exponent.replace_strict(
        list(range(MAX_EXPONENT + 1)),
        [10**e for e in range(MAX_EXPONENT + 1)],
        default=None,
        return_dtype=pl.Int64,
    )
    size = minor.abs()
    sign = pl.when(minor < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    places = ((size % scale) + scale).cast(pl.String).str.slice(1)
    with_places = pl.concat_str([sign, (size // scale).cast(pl.String), pl.lit("."), places])
    return (
        pl.when(exponent == 0)
        .then(pl.concat_str([sign, size.cast(pl.String)]))
        .otherwise(with_places)
    )
