"""Structured, translatable lines: how a figure was reached and why an option was chosen.

The core never writes a sentence: it returns a stable key (``"disposable_income"``) with its
amount and parameters, and the UI renders it in the reader's language with
``core.hardship.labels``. The same lines go into the decision log, so what the agent saw can
be shown again word for word in either language.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from arrears.core.money import Money

#: A parameter of a line: text, a count, a rate or percent, or an amount of money.
Param = str | int | Decimal | Money


class LineRole(enum.StrEnum):
    """What a line does in the sum, so the UI can show + / − / = and indent details."""

    ADD = "add"  # added to the running figure (an income)
    SUBTRACT = "subtract"  # taken off it (spending, other debts)
    DETAIL = "detail"  # a part shown for information under the line that counts it
    SUBTOTAL = "subtotal"
    RESULT = "result"  # a figure the decision uses (disposable income, affordable payment)
    NOTE = "note"  # shown, not counted (non-essential spending)


@dataclass(frozen=True, slots=True)
class ExplanationLine:
    """One line of the affordability working: a label key, an amount and its parameters."""

    key: str
    amount: Money
    role: LineRole
    params: Mapping[str, Param] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason for a recommendation, or a note on an option: a label key and parameters."""

    key: str
    params: Mapping[str, Param] = field(default_factory=dict)
