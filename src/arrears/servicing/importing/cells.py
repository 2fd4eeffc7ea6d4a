"""Checking one row's cells: each check records a (row, column, reason) error instead of raising,
so a row with three bad cells reports all three."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from arrears.core import parsing
from arrears.core.errors import ValidationError
from arrears.core.money import Money


@dataclass(frozen=True)
class RowError:
    """What is wrong, where: `row` 1 is the first row under the header (None: the whole file)."""

    row: int | None
    column: str | None
    reason: str

    def as_json(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class Cells:
    """The text cells of one row, read into typed values; errors accumulate in `errors`."""

    def __init__(self, row: int, values: dict[str, str | None], errors: list[RowError]) -> None:
        self.row = row
        self.values = values
        self.errors = errors
        self._failed_before = len(errors)

    @property
    def ok(self) -> bool:
        return len(self.errors) == self._failed_before

    def fail(self, column: str | None, reason: str) -> None:
        self.errors.append(RowError(self.row, column, reason))

    def text(self, column: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.values.get(column)
        if value is None:
            if required:
                self.fail(column, _("a value is required"))
            return ""
        if max_length is not None and len(value) > max_length:
            self.fail(column, _("is longer than %(n)d characters") % {"n": max_length})
        return value

    def _parse(self, column: str, parse: object, *args: object, **kwargs: object) -> object:
        assert callable(parse)
        try:
            return parse(column, *args, **kwargs)
        except ValidationError as error:
            self.fail(column, error.reason)
            return None

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        text = self.text(column, required=required)
        if not text:
            return None
        value = self._parse(column, parsing.parse_date, text)
        return value if isinstance(value, dt.date) else None

    def amount(
        self,
        column: str,
        currency: str | None,
        *,
        required: bool = False,
        allow_zero: bool = False,
    ) -> Money | None:
        """An amount in major units; not checked when the currency is unknown (another error)."""
        text = self.text(column, required=required)
        if not text or currency is None:
            return None
        value = self._parse(column, parsing.parse_amount, text, currency, allow_zero=allow_zero)
        return value if isinstance(value, Money) else None

    def decimal(self, column: str, *, required: bool = False) -> Decimal | None:
        text = self.text(column, required=required)
        if not text:
            return None
        value = self._parse(column, parsing.parse_decimal, text)
        return value if isinstance(value, Decimal) else None

    def whole(self, column: str, *, low: int, high: int, required: bool = False) -> int | None:
        text = self.text(column, required=required)
        if not text:
            return None
        value = self._parse(column, parsing.parse_whole, text, low=low, high=high)
        return value if isinstance(value, int) else None

    def choice(self, column: str, allowed: Iterable[str], *, required: bool = False) -> str:
        text = self.text(column, required=required)
        options = list(allowed)
        if text and text not in options:
            self.fail(column, _("must be one of %(options)s") % {"options": ", ".join(options)})
            return ""
        return text

    def must_be_empty(self, column: str, reason: str) -> None:
        if self.values.get(column) is not None:
            self.fail(column, reason)
