"""The tree a condition parses into: tests on facts combined with not, and, or.

Nodes are frozen dataclasses; the parser (`parser`) builds them already type-checked, and the two
back ends (`scalar`, `frame`) walk them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from arrears.core.strategy.facts import FACTS, Fact

#: The most decimal places a currency has (amounts are compared exactly up to this).
MAX_EXPONENT = 4


@dataclass(frozen=True)
class FactRef:
    name: str
    column: int  # 1-based position in the source, for messages

    @property
    def fact(self) -> Fact:
        return FACTS[self.name]


@dataclass(frozen=True)
class Literal:
    value: int | Decimal | str | bool
    column: int


Operand = FactRef | Literal


@dataclass(frozen=True)
class Compare:
    """`fact op operand`: the fact is always on the left (the parser flips `5000 <= balance`)."""

    op: str
    left: FactRef
    right: Operand


@dataclass(frozen=True)
class Member:
    """`fact [not] in [a, b, …]`."""

    fact: FactRef
    values: tuple[int | str, ...]
    negated: bool


@dataclass(frozen=True)
class Between:
    """`fact [not] between low and high`, both ends included."""

    fact: FactRef
    low: Operand
    high: Operand
    negated: bool


@dataclass(frozen=True)
class IsNull:
    fact: FactRef
    negated: bool


@dataclass(frozen=True)
class Truth:
    """A true/false fact used alone: `hardship`."""

    fact: FactRef


@dataclass(frozen=True)
class Constant:
    value: bool


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node = Compare | Member | Between | IsNull | Truth | Constant | Not | And | Or


@dataclass(frozen=True)
class Expression:
    """A parsed, type-checked condition with its source text and the facts it reads."""

    source: str
    node: Node
    facts: tuple[str, ...]  # in order of first appearance

    def __str__(self) -> str:
        return self.source
