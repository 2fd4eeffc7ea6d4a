"""What every command shares: Django start-up, the user's language, output, and error handling.

stdout carries the command's result only (a table, or JSON with `--json`); progress bars,
messages and errors go to stderr, so `arrears ... --json | jq` always sees clean JSON.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as stdlib_gettext
import json
import os
import sys
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from arrears.core.clock import SystemClock
from arrears.core.errors import ArrearsError, ValidationError

DEFAULT_SETTINGS = "arrears.config.settings.dev"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

#: Exit codes: 0 done, 1 the environment is not ready (no database …), 2 bad input.
EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 1

stdout = Console(soft_wrap=True)
stderr = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def setup_django() -> Callable[[], None]:
    """Configure settings (default: dev), load the apps and speak the user's language.

    Cheap when already done. Returns what puts the previous language back (for a command run
    in-process, e.g. by tests, so the language does not leak past the command).
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()
    from django.utils import translation

    previous = translation.get_language()
    translation.activate(user_language())

    def restore() -> None:
        if previous:
            translation.activate(previous)
        else:
            translation.deactivate()

    return restore


def business_today() -> dt.date:
    """Today's date where the lender keeps its books (settings.TIME_ZONE, default Asia/Shanghai)."""
    from zoneinfo import ZoneInfo

    from django.apps import apps

    if apps.ready:
        from django.utils import timezone

        return timezone.localdate()
    zone = ZoneInfo(os.environ.get("ARREARS_TIME_ZONE", "Asia/Shanghai"))
    return SystemClock().now().astimezone(zone).date()


def user_language() -> str:
    """The language the CLI speaks: zh-hans or en.

    `ARREARS_LANGUAGE` first, else the terminal's locale (zh* → Chinese, en* → English), else
    the project's default, Chinese.
    """
    explicit = os.environ.get("ARREARS_LANGUAGE", "").strip().lower()
    if explicit:
        return "zh-hans" if explicit.startswith("zh") else "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip().lower()
        if value.startswith("zh"):
            return "zh-hans"
        if value.startswith("en"):
            return "en"
    return "zh-hans"


@functools.cache
def _stdlib_catalogue(language: str) -> stdlib_gettext.NullTranslations:
    code = {"zh-hans": "zh_Hans", "en": "en"}.get(language, language)
    return stdlib_gettext.translation(
        "django", localedir=str(LOCALE_DIR), languages=[code], fallback=True
    )


def _(message: str) -> str:
    """gettext for the CLI: Django's catalogue once the apps are loaded, else the same .mo file.

    Commands that need no database (`quote`) never start Django, yet still speak the user's
    language from the project's compiled catalogue.
    """
    from django.apps import apps

    if apps.ready:
        from django.utils.translation import gettext

        return gettext(message)
    return _stdlib_catalogue(user_language()).gettext(message)


def pgettext(context: str, message: str) -> str:
    """`_` with a context, for a word that means different things in different places."""
    from django.apps import apps

    if apps.ready:
        from django.utils.translation import pgettext as django_pgettext

        return django_pgettext(context, message)
    return _stdlib_catalogue(user_language()).pgettext(context, message)


def to_jsonable(value: Any) -> Any:
    """Plain JSON types: Decimals as exact strings, dates as ISO, mappings and sequences walked."""
    import enum

    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def print_json(data: Any) -> None:
    """The one place a command writes JSON to stdout."""
    sys.stdout.write(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def fail(message: str, *, code: int, as_json: bool, field: str | None = None) -> typer.Exit:
    """Report an error on stderr (and as JSON on stdout with --json); returns the Exit to raise."""
    if as_json:
        print_json({"ok": False, "error": {"field": field, "message": message}})
    label = _("Error")
    stderr.print(f"[bold red]{label}:[/] {message}", highlight=False, markup=True)
    return typer.Exit(code)


def handles_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn domain errors into a clear message and exit 2, and a missing database into exit 1.

    No traceback reaches the user for bad input: a `ValidationError` names its field.
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        as_json = bool(kwargs.get("as_json", False))
        try:
            return command(*args, **kwargs)
        except ValidationError as error:
            raise fail(
                f"{error.field}: {error.reason}",
                code=EXIT_BAD_INPUT,
                as_json=as_json,
                field=error.field,
            ) from None
        except ArrearsError as error:
            raise fail(error.message, code=EXIT_BAD_INPUT, as_json=as_json) from None
        except _database_errors() as error:
            message = _("the database is not ready (%(error)s); run `arrears init` first") % {
                "error": str(error).strip().splitlines()[0] if str(error).strip() else error
            }
            raise fail(message, code=EXIT_ENVIRONMENT, as_json=as_json) from None

    return wrapper


def _database_errors() -> tuple[type[BaseException], ...]:
    from django.apps import apps

    if not apps.ready:
        return ()
    from django.db import OperationalError, ProgrammingError

    return (OperationalError, ProgrammingError)
