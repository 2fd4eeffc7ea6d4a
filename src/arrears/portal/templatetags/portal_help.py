"""Template filters of the portal's help pages: pick the reader's language from bilingual data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


def _zh() -> bool:
    return (get_language() or "").startswith("zh")


@register.filter
def in_reader_language(texts: Mapping[str, str] | None) -> str:
    """`{"en": …, "zh": …}` (the hardship app's labels) in the reader's language."""
    if not texts:
        return ""
    return texts.get("zh" if _zh() else "en") or texts.get("en") or ""


@register.filter
def localised(record: Any, field: str) -> str:
    """`record.<field>_zh` or `record.<field>_en` for the reader, the other when empty."""
    first, other = ("zh", "en") if _zh() else ("en", "zh")
    return str(getattr(record, f"{field}_{first}", "") or getattr(record, f"{field}_{other}", ""))
