"""Schema pieces every app's API shares: money, problem details, safe text, ids."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

from arrears.core.money import Money

#: The largest id a database row can have (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def _plain_text(value: str) -> str:
    """Refuse control characters (NUL cannot even be stored by PostgreSQL) and lone surrogates
    (they cannot be encoded): neither belongs in a name, a reference or an address."""
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise ValueError(_("must not contain control characters"))
    return value


#: A single line of text that every database can store; use it for every string an API accepts.
Text = Annotated[str, AfterValidator(_plain_text)]


class InputSchema(Schema):
    """A request body: unknown fields are an error (a misspelt field is not silently lost)."""

    model_config = ConfigDict(extra="forbid")


class MoneyOut(Schema):
    """An amount of money: exact integer minor units, the currency, and the decimal amount."""

    minor: int = Field(description="integer minor units (fen, cents)", examples=[12050])
    currency: str = Field(description="ISO 4217 code", examples=["CNY"])
    amount: str = Field(
        description="the amount in major units as a decimal string, never a float",
        examples=["120.50"],
    )

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(minor=money.minor, currency=money.currency, amount=str(money.amount))

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> MoneyOut:
        return cls.of(Money.from_minor(int(minor), currency))


class FieldProblem(Schema):
    """One thing wrong with the input."""

    field: str = Field(description="dotted path of the field, e.g. `phones[0]`")
    source: str = Field(description="where the field was: body, query, path or header")
    message: str


class Problem(Schema):
    """An RFC 9457 problem detail (`application/problem+json`)."""

    type: str = Field(description="a URI naming the kind of problem")
    title: str
    status: int
    detail: str
    field: str | None = Field(default=None, description="the field at fault, when one is")
    errors: list[FieldProblem] | None = Field(
        default=None, description="every field at fault, for input validation problems"
    )
