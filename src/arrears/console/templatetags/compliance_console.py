"""Template filters of the compliance pages: a logged rule answer in the reader's language."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import template
from django.utils import translation

register = template.Library()


def _chinese() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


@register.filter
def rule_reason(rule: dict[str, Any]) -> str:
    """The reason a logged rule answer gives, in the reader's language."""
    if _chinese():
        return str(rule.get("reason_zh") or rule.get("reason_en") or "")
    return str(rule.get("reason_en") or rule.get("reason_zh") or "")


@register.filter
def refusals(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rule answers that refused the contact (or flagged it for a person to look)."""
    return [rule for rule in rules or [] if rule.get("outcome") in ("deny", "flag")]


@register.filter
def hit_reason(hit: Any) -> str:
    """A content-validator hit's reason in the reader's language."""
    return str(hit.reason(translation.get_language() or "en"))


@register.filter
def iso_instant(value: str | None) -> dt.datetime | None:
    """An ISO 8601 instant as logged (e.g. a rule's next permitted time), for `|instant`."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


@register.filter
def pretty_json(value: Any) -> str:
    """A logged document, indented, Chinese kept as written."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
