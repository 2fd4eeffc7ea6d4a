"""Loading the bundled education articles and debt-advice services (data/*.yaml).

Idempotent: a row is created when missing and refreshed from the file while it is still as
shipped (`is_bundled`); a row a lender edited in the admin is left alone. Every entry is checked
first, and an error names it (``articles[2].body_zh``), so a bad file loads nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from arrears.core.errors import ValidationError
from arrears.hardship.choices import ArticleTopic, ContactCheck, Jurisdiction
from arrears.hardship.models import Article, DebtAdviceService

_ARTICLE_TEXT = ("title_en", "title_zh", "body_en", "body_zh")
_ARTICLE_OPTIONAL = ("summary_en", "summary_zh")
_SERVICE_TEXT = ("name_en", "name_zh", "description_en", "description_zh")
_SERVICE_OPTIONAL = ("phone", "url", "check_note")


def _entries(name: str, path: Path | None) -> list[Any]:
    text = (
        path.read_text(encoding="utf-8")
        if path is not None
        else resources.files("arrears.hardship").joinpath(f"data/{name}.yaml").read_text("utf-8")
    )
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValidationError(name, _("is not valid YAML: %(error)s") % {"error": error}) from None
    if not isinstance(data, list):
        raise ValidationError(name, _("must be a list of entries"))
    return data


def _checked(
    where: str,
    entry: object,
    *,
    key: str,
    text: Sequence[str],
    optional: Sequence[str],
    choice: tuple[str, Sequence[str]],
) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise ValidationError(where, _("must be a mapping of fields"))
    known = {key, choice[0], "position", *text, *optional}
    for name in entry:
        if name not in known:
            raise ValidationError(f"{where}.{name}", _("unknown field"))
    value = str(entry.get(key) or "")
    if not value or slugify(value) != value:
        raise ValidationError(f"{where}.{key}", _("must be a slug: lower-case letters, digits, -"))
    if entry.get(choice[0]) not in choice[1]:
        raise ValidationError(
            f"{where}.{choice[0]}", _("must be one of %(names)s") % {"names": ", ".join(choice[1])}
        )
    fields: dict[str, Any] = {choice[0]: entry[choice[0]]}
    for name in text:
        found = entry.get(name)
        if not isinstance(found, str) or not found.strip():
            raise ValidationError(f"{where}.{name}", _("is required, in both languages"))
        fields[name] = found.strip()
    for name in optional:
        fields[name] = str(entry.get(name) or "").strip()
    position = entry.get("position", 0)
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise ValidationError(f"{where}.position", _("must be a whole number"))
    fields["position"] = position
    return {key: value, **fields}


@transaction.atomic
def load_articles(*, path: Path | None = None) -> dict[str, int]:
    """Load the education articles (bundled, or from `path`); returns counts."""
    entries = [
        _checked(
            f"articles[{i}]",
            entry,
            key="slug",
            text=_ARTICLE_TEXT,
            optional=_ARTICLE_OPTIONAL,
            choice=("topic", ArticleTopic.values),
        )
        for i, entry in enumerate(_entries("articles", path))
    ]
    return _upsert(Article, "slug", entries, extra={"is_published": True})


@transaction.atomic
def load_debt_advice(*, path: Path | None = None) -> dict[str, int]:
    """Load the free debt-advice services (bundled, or from `path`); returns counts."""
    entries = []
    for i, entry in enumerate(_entries("debt_advice", path)):
        where = f"debt_advice[{i}]"
        check = _contact_check(where, entry)
        fields = _checked(
            where,
            {k: v for k, v in entry.items() if k != "contact_check"},
            key="code",
            text=_SERVICE_TEXT,
            optional=_SERVICE_OPTIONAL,
            choice=("jurisdiction", Jurisdiction.values),
        )
        entries.append({**fields, "contact_check": check})
    return _upsert(DebtAdviceService, "code", entries, extra={"is_active": True})


def _contact_check(where: str, entry: object) -> str:
    """How far the entry's phone and address were checked; unverified unless the file says."""
    if not isinstance(entry, Mapping):
        raise ValidationError(where, _("must be a mapping of fields"))
    check = entry.get("contact_check", ContactCheck.UNVERIFIED)
    if check not in ContactCheck.values:
        raise ValidationError(
            f"{where}.contact_check",
            _("must be one of %(names)s") % {"names": ", ".join(ContactCheck.values)},
        )
    return str(check)


def _upsert(
    model: Any, key: str, entries: list[dict[str, Any]], *, extra: Mapping[str, Any]
) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "kept": 0}
    existing = {getattr(row, key): row for row in model.objects.all()}
    for entry in entries:
        row = existing.get(entry[key])
        if row is None:
            model.objects.create(**entry, **extra, is_bundled=True)
            counts["created"] += 1
        elif row.is_bundled:
            for name, value in entry.items():
                setattr(row, name, value)
            row.save()
            counts["updated"] += 1
        else:
            counts["kept"] += 1
    return counts
