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

from babel.dates import format_date
from babel.numbers import format_currency
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
    return str(format_currency(amount, code, locale=babel_locale(language)))


def format_day(value: dt.date, language: str) -> str:
    """'2026年12月5日' in Chinese, '5 December 2026' in English."""
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
    except TemplateSyntaxError as error:
        raise ValidationError(field, f"line {error.lineno}: {error.message}") from None
    except TemplateError as error:  # SecurityError, UndefinedError …
        raise ValidationError(field, str(error.message or error)) from None
    except (TypeError, ValueError, ArithmeticError) as error:
        raise ValidationError(field, str(error)) from None
