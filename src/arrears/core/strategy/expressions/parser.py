"""The condition language's grammar: tokens and a parser that checks types against `FACTS`.

Grammar (keywords in any case; facts and text values are case-sensitive)::

    condition  := either
    either     := both ("or" both)*
    both       := negation ("and" negation)*
    negation   := "not" negation | test
    test       := "(" condition ")"
                | operand [ ("==" | "!=" | "<" | "<=" | ">" | ">=") operand
                          | ["not"] "in" "[" literal ("," literal)* "]"
                          | ["not"] "between" operand "and" operand
                          | "is" ["not"] "null" ]
    operand    := fact | literal
    literal    := whole number | decimal number | "text" | 'text' | true | false

A bare operand is a test only when it is a true/false fact (`hardship`) or `true`/`false`.
Every name is checked against `FACTS` and every test against the facts' types while parsing, so
a condition that parses cannot fail when it runs. Never `eval`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal

from arrears.core.errors import ValidationError
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
from arrears.core.strategy.facts import FACTS, Fact, FactType

_INT64 = 2**63 - 1
_MAX_LENGTH = 2000
_MAX_DEPTH = 40

#: Short names people type for facts, pointed at the fact they mean.
ALIASES = {
    "dpd": "days_past_due",
    "overdue_days": "days_past_due",
    "score": "risk_score",
    "ptp": "promise_status",
    "promise": "promise_status",
    "rpc": "right_party_contacts_30d",
    "lang": "language",
    "stage": "case_stage",
    "outstanding": "balance",
    "amount_due": "past_due",
    "disputed": "dispute_open",
    "dispute": "dispute_open",
}

ORDERING = ("<", "<=", ">", ">=")
EQUALITY = ("==", "!=")
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
KEYWORDS = frozenset({"and", "or", "not", "in", "between", "is", "null", "true", "false"})


# --- tokens -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # name, keyword, number, text, op, punct, end
    text: str
    column: int
    value: int | Decimal | str | None = None


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?\d+(?:\.\d+)?(?![\w.]))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<text>"[^"]*"|'[^']*')
  | (?P<op>==|!=|<=|>=|<|>|=)
  | (?P<punct>[()\[\],])
    """,
    re.VERBOSE,
)


def tokenize(source: str, field: str) -> list[Token]:
    """Split a condition into tokens, each with its 1-based column."""
    tokens: list[Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        column = position + 1
        if match is None:
            char = source[position]
            if char in "\"'":
                raise ValidationError(
                    field, f"text starting at column {column} has no closing {char}"
                )
            raise ValidationError(field, f"unexpected {char!r} at column {column}")
        kind = match.lastgroup or ""
        text = match.group()
        position = match.end()
        if kind == "space":
            continue
        if kind == "number":
            number = Decimal(text)
            value: int | Decimal = int(text) if "." not in text else number
            tokens.append(Token("number", text, column, value))
        elif kind == "name" and text.lower() in KEYWORDS:
            tokens.append(Token("keyword", text.lower(), column))
        elif kind == "text":
            tokens.append(Token("text", text, column, text[1:-1]))
        elif kind == "op" and text == "=":
            raise ValidationError(field, f'"=" at column {column}: write "==" to compare')
        else:
            tokens.append(Token(kind, text, column))
    tokens.append(Token("end", "", len(source) + 1))
    return tokens


# --- parsing ----------------------------------------------------------------------------------


def parse_expression(source: object, *, field: str = "condition") -> Expression:
    """Parse and type-check a condition; errors name `field` and the column."""
    if isinstance(source, bool):
        return Expression("true" if source else "false", Constant(source), ())
    if not isinstance(source, str) or not source.strip():
        raise ValidationError(field, "must be a condition, e.g. days_past_due >= 30")
    text = source.strip()
    if len(text) > _MAX_LENGTH:
        raise ValidationError(field, f"is longer than {_MAX_LENGTH} characters")
    parser = _Parser(text, field)
    node = parser.condition()
    parser.expect_end()
    return Expression(text, node, tuple(dict.fromkeys(parser.facts_read)))


def suggestion(name: str) -> str | None:
    """The fact someone most likely meant by an unknown name."""
    if name.lower() in ALIASES:
        return ALIASES[name.lower()]
    close = difflib.get_close_matches(name.lower(), list(FACTS), n=1, cutoff=0.6)
    return close[0] if close else None


class _Parser:
    def __init__(self, source: str, field: str) -> None:
        self.field = field
        self.tokens = tokenize(source, field)
        self.index = 0
        self.depth = 0
        self.facts_read: list[str] = []

    # helpers
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.token
        return token.kind == kind and (text is None or token.text == text)

    def at_keyword(self, *words: str) -> bool:
        return self.token.kind == "keyword" and self.token.text in words

    def fail(self, message: str, column: int | None = None, *, hint: str = "") -> ValidationError:
        where = self.token.column if column is None else column
        tail = f"; {hint}" if hint else ""
        return ValidationError(self.field, f"{message} at column {where}{tail}")

    def unexpected(self, wanted: str) -> ValidationError:
        token = self.token
        if token.kind == "end":
            return self.fail(f"expected {wanted}, but the condition ends")
        return self.fail(f'expected {wanted}, found "{token.text}"')

    def expect(self, kind: str, text: str, wanted: str) -> Token:
        if not self.at(kind, text):
            raise self.unexpected(wanted)
        return self.advance()

    def expect_end(self) -> None:
        if not self.at("end"):
            raise self.unexpected('"and", "or" or the end of the condition')

    # grammar
    def condition(self) -> Node:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise self.fail(f"nested more than {_MAX_DEPTH} deep")
        operands = [self.both()]
        while self.at_keyword("or"):
            self.advance()
            operands.append(self.both())
        self.depth -= 1
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def both(self) -> Node:
        operands = [self.negation()]
        while self.at_keyword("and"):
            self.advance()
            operands.append(self.negation())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def negation(self) -> Node:
        if self.at_keyword("not"):
            self.advance()
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise self.fail(f"nested more than {_MAX_DEPTH} deep")
            node = Not(self.negation())
            self.depth -= 1
            return node
        return self.test()

    def test(self) -> Node:
        if self.at("punct", "("):
            self.advance()
            node = self.condition()
            self.expect("punct", ")", '")"')
            return node
        left = self.operand()
        if self.at("op"):
            op = self.advance().text
            return self.comparison(op, left, self.operand())
        if self.at_keyword("not"):
            self.advance()
            if self.at_keyword("in"):
                return self.member(left, negated=True)
            if self.at_keyword("between"):
                return self.between(left, negated=True)
            raise self.unexpected('"in" or "between" after "not"')
        if self.at_keyword("in"):
            return self.member(left, negated=False)
        if self.at_keyword("between"):
            return self.between(left, negated=False)
        if self.at_keyword("is"):
            return self.is_null(left)
        return self.alone(left)

    def operand(self) -> Operand:
        token = self.token
        if token.kind == "name":
            self.advance()
            if token.text not in FACTS:
                hint = suggestion(token.text)
                tail = f'; did you mean "{hint}"?' if hint else ""
                raise ValidationError(
                    self.field, f'unknown fact "{token.text}" at column {token.column}{tail}'
                )
            self.facts_read.append(token.text)
            return FactRef(token.text, token.column)
        if token.kind == "number":
            self.advance()
            assert token.value is not None and not isinstance(token.value, str)
            return Literal(self._checked_number(token), token.column)
        if token.kind == "text":
            self.advance()
            return Literal(str(token.value), token.column)
        if self.at_keyword("true", "false"):
            self.advance()
            return Literal(token.text == "true", token.column)
        if self.at_keyword("null"):
            raise self.fail('"null" only goes after "is" or "is not"')
        raise self.unexpected("a fact or a value")

    def _checked_number(self, token: Token) -> int | Decimal:
        value = token.value
        assert isinstance(value, int | Decimal)
        if abs(Decimal(value)).scaleb(MAX_EXPONENT) > _INT64:
            raise self.fail(f"{token.text} is too large")
        return value

    # tests
    def comparison(self, op: str, left: Operand, right: Operand) -> Compare:
        column = left.column
        if isinstance(left, Literal):
            if isinstance(right, Literal):
                raise self.fail("a comparison needs a fact on one side", column)
            left, right, op = right, left, FLIPPED[op]
        _check_comparison(self, op, left, right)
        return Compare(op, left, right)

    def member(self, left: Operand, *, negated: bool) -> Member:
        self.advance()  # in
        fact = self.subject(left, "in")
        kind = fact.fact.type
        if kind not in (FactType.INT, FactType.STR):
            raise self.fail(
                f'{fact.name} is {kind.described}: "in" takes whole numbers or text', fact.column
            )
        self.expect("punct", "[", '"[" to open the list')
        values: list[int | str] = []
        while True:
            item = self.operand()
            if not isinstance(item, Literal):
                raise self.fail("a list holds values, not facts", item.column)
            _check_literal(self, fact, item)
            assert isinstance(item.value, int | str)
            values.append(item.value)
            if self.at("punct", ","):
                self.advance()
                continue
            self.expect("punct", "]", '"," or "]"')
            break
        return Member(fact, tuple(values), negated)

    def between(self, left: Operand, *, negated: bool) -> Between:
        self.advance()  # between
        fact = self.subject(left, "between")
        low = self.operand()
        self.expect("keyword", "and", '"and" between the two ends')
        high = self.operand()
        for end in (low, high):
            _check_comparison(self, "<=", fact, end)
        return Between(fact, low, high, negated)

    def is_null(self, left: Operand) -> IsNull:
        self.advance()  # is
        negated = self.at_keyword("not")
        if negated:
            self.advance()
        self.expect("keyword", "null", '"null"')
        fact = self.subject(left, "is null")
        if not fact.fact.nullable:
            raise self.fail(f"{fact.name} is never unknown, so it is never null", fact.column)
        return IsNull(fact, negated)

    def alone(self, left: Operand) -> Node:
        if isinstance(left, Literal):
            if isinstance(left.value, bool):
                return Constant(left.value)
            raise self.fail(f"{left.value} is a value, not a condition", left.column)
        kind = left.fact.type
        if kind is not FactType.BOOL:
            raise self.fail(
                f"{left.name} is {kind.described}, not a condition",
                left.column,
                hint=f"compare it, e.g. {_example(left.fact)}",
            )
        return Truth(left)

    def subject(self, left: Operand, word: str) -> FactRef:
        if not isinstance(left, FactRef):
            raise self.fail(f'"{word}" needs a fact before it', left.column)
        return left


def _example(fact: Fact) -> str:
    if fact.type is FactType.STR:
        value = fact.choices[0] if fact.choices else "…"
        return f'{fact.name} == "{value}"'
    return f"{fact.name} >= 1"


def _check_comparison(parser: _Parser, op: str, left: FactRef, right: Operand) -> None:
    fact = left.fact
    if op in ORDERING and fact.type not in (FactType.INT, FactType.MONEY):
        raise parser.fail(
            f'{fact.name} is {fact.type.described}: "{op}" needs a number or an amount',
            left.column,
        )
    if isinstance(right, FactRef):
        other = right.fact
        if other.type is not fact.type:
            raise parser.fail(
                f"{fact.name} is {fact.type.described} but {other.name} is "
                f"{other.type.described}: they cannot be compared",
                right.column,
            )
        return
    _check_literal(parser, left, right)


def _check_literal(parser: _Parser, left: FactRef, literal: Literal) -> None:
    fact, value = left.fact, literal.value
    shown = f'"{value}"' if isinstance(value, str) else str(value).lower()
    fits = {
        FactType.INT: isinstance(value, int) and not isinstance(value, bool),
        FactType.MONEY: isinstance(value, int | Decimal) and not isinstance(value, bool),
        FactType.BOOL: isinstance(value, bool),
        FactType.STR: isinstance(value, str),
    }[fact.type]
    if not fits:
        raise parser.fail(
            f"{fact.name} is {fact.type.described}, so it cannot be compared with {shown}",
            literal.column,
        )
    if fact.type is FactType.MONEY and isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > MAX_EXPONENT:
            raise parser.fail(
                f"{value} has more than {MAX_EXPONENT} decimal places", literal.column
            )
    if fact.choices and value not in fact.choices:
        close = [c for c in fact.choices if c.lower().startswith(str(value).lower())]
        close = close or difflib.get_close_matches(str(value), fact.choices, n=1, cutoff=0.5)
        raise parser.fail(
            f"{fact.name} is never {shown}",
            literal.column,
            hint=f'did you mean "{close[0]}"?'
            if close
            else f"it is one of {', '.join(fact.choices)}",
        )
