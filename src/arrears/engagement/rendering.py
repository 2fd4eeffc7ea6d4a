"""Rendering message templates in a sandbox, with amounts and dates formatted per language.

Templates are Jinja, rendered by `jinja2.sandbox.SandboxedEnvironment` with `StrictUndefined`:
a template can read the variables it is given and call the filters below, nothing else —
Python's internals (`''.__class__`, `__globals__` …) are refused, and an unknown variable is an
error, not an empty string. Text (SMS, letter, in-app, e-mail text part) is rendered without
escaping; the HTML e-mail body with autoescape on.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from babel.core import Locale
from babel.dates import format_date
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_quantum,
    get_decimal_symbol,
    get_group_symbol,
)
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, Undefined
from jinja2.sandbox import SandboxedEnvironment

from arrears.core.errors import ValidationError
from arrears.core.money import Money

#: The Babel locale of each template language.
LOCALES = {"zh-hans": "zh_Hans_CN", "en": "en_GB"}


def _defined(value: Any) -> Any:
    """A filter given an unknown variable says which one, as a plain `{{ name }}` would."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    return value


def babel_locale(language: str) -> str:
    return LOCALES.get(language, LOCALES["zh-hans"])


def format_money(value: Money | Decimal | int, language: str, currency: str | None = None) -> str:
    """'¥1,234.56' in Chinese, 'CN¥1,234.56' in English (Babel's standard currency format)."""
    if isinstance(value, Money):
        amount, code = value.amount, value.currency
    else:
        if currency is None:
            raise ValueError("an amount without a currency needs `currency`")
        amount = Money.from_minor(value, currency).amount if isinstance(value, int) else value
        code = currency
    if not isinstance(amount, Decimal):
        amount = Decimal(str(amount))  # as Babel takes it
    layout = _money_layout(language, code) if type(code) is str and amount.is_finite() else None
    if layout is None:
        return str(format_currency(amount, code, locale=babel_locale(language)))
    return layout.format(amount)


class _MoneyLayout:
    """Babel's standard currency format for one language and currency, taken apart once: the
    affixes with the symbol in place, the group and decimal symbols, the currency's digits.

    `format` does what `babel.numbers.format_currency` does for the patterns our locales use
    (a plain `¤#,##0.00`-like pattern grouped by threes): the same Decimal steps, without
    looking up the locale, the symbol and the currency's name on every amount. A nightly
    notice run formats hundreds of thousands of amounts; tests/engagement/test_notices_bulk.py
    checks it against Babel on random amounts.
    """

    __slots__ = ("affixes", "decimal", "digits", "group", "quantum")

    def __init__(
        self, affixes: tuple[tuple[str, str], ...], group: str, decimal: str, digits: int
    ) -> None:
        self.affixes, self.group, self.decimal, self.digits = affixes, group, decimal, digits
        self.quantum = get_decimal_quantum(digits)

    def format(self, value: Decimal) -> str:
        value = value.scaleb(0)
        negative = int(value.is_signed())
        value = abs(value).normalize()
        whole, _point, fraction = f"{value.quantize(self.quantum):f}".partition(".")
        number = f"{int(whole):,}".replace(",", self.group)
        if self.digits:
            number += self.decimal + fraction.ljust(self.digits, "0")
        prefix, suffix = self.affixes[negative]
        return prefix + number + suffix


@functools.cache
def _money_layout(language: str, currency: str) -> _MoneyLayout | None:
    """The layout of amounts in `currency` for `language`, or None when the locale's pattern
    is not one `_MoneyLayout` reproduces (then Babel formats each amount itself)."""
    locale = Locale.parse(babel_locale(language))
    pattern = locale.currency_formats["standard"]
    group = get_group_symbol(locale, numbering_system="latn")
    decimal = get_decimal_symbol(locale, numbering_system="latn")
    symbol = get_currency_symbol(currency, locale)
    texts = (*pattern.prefix, *pattern.suffix, symbol, group, decimal)
    plain = (
        not pattern.exp_prec
        and "@" not in pattern.pattern
        and pattern.scale == 0
        and pattern.grouping == (3, 3)
        and pattern.int_prec[0] == 1
        and not any("'" in text or "¤¤" in text for text in texts)
        and "¤" not in symbol + group + decimal
    )
    if not plain:
        return None
    return _MoneyLayout(
        tuple(
            (pattern.prefix[sign].replace("¤", symbol), pattern.suffix[sign].replace("¤", symbol))
            for sign in (0, 1)
        ),
        group,
        decimal,
        get_currency_precision(currency),
    )


def format_day(value: dt.date, language: str) -> str:
    """'2026年12月5日' in Chinese, '5 December 2026' in English."""
    if type(value) is dt.date:  # a run's notices share a handful of dates
        return _format_date(value, language)
    return str(format_date(value, format="long", locale=babel_locale(language)))


@functools.lru_cache(maxsize=4096)
def _format_date(value: dt.date, language: str) -> str:
    return str(format_date(value, format="long", locale=babel_locale(language)))


@functools.cache
def environment(language: str, *, html: bool) -> SandboxedEnvironment:
    """The sandbox for one language; `html` turns autoescape on (HTML e-mail)."""
    env = SandboxedEnvironment(
        autoescape=html, undefined=StrictUndefined, keep_trailing_newline=False
    )
    env.filters["money"] = lambda value, currency=None: format_money(
        _defined(value), language, currency
    )
    env.filters["date"] = lambda value: format_day(_defined(value), language)
    return env


@functools.lru_cache(maxsize=1024)
def _compiled(source: str, language: str, html: bool) -> Any:
    return environment(language, html=html).from_string(source)


def render_text(
    source: str, variables: Mapping[str, Any], *, language: str, html: bool = False, field: str
) -> str:
    """Render one template text; any error is a `ValidationError` naming `field`."""
    if not source:
        return ""
    try:
        return str(_compiled(source, language, html).render(**variables)).strip()
    except Exception as error:
        if (refused := _validation_error(error, field)) is None:
            raise
        raise refused from None


class CompiledText:
    """One template text, compiled on first use and kept, to render many times (the nightly
    notices): the same result and errors as `render_text`, without looking the text up in the
    cache on every message."""

    __slots__ = ("_render", "field", "html", "language", "source")

    def __init__(self, source: str, *, language: str, html: bool = False, field: str) -> None:
        self.source, self.language, self.html, self.field = source, language, html, field
        self._render: Any = None

    def render(self, variables: Mapping[str, Any]) -> str:
        if not self.source:
            return ""
        try:
            if self._render is None:
                self._render = _compiled(self.source, self.language, self.html).render
            return str(self._render(**variables)).strip()
        except Exception as error:
            if (refused := _validation_error(error, self.field)) is None:
                raise
            raise refused from None


def _validation_error(error: Exception, field: str) -> ValidationError | None:
    """The `ValidationError` naming `field` for a template's error (None: not the template's)."""
    if isinstance(error, TemplateSyntaxError):
        return ValidationError(field, f"line {error.lineno}: {error.message}")
    if isinstance(error, TemplateError):  # SecurityError, UndefinedError …
        return ValidationError(field, str(error.message or error))
    if isinstance(error, TypeError | ValueError | ArithmeticError):
        return ValidationError(field, str(error))
    return None
