"""Template filters of the portal's money pages: names in the reader's language, masked numbers."""

from __future__ import annotations

from django import template
from django.utils import translation

register = template.Library()


@register.filter
def product_name(product: object) -> str:
    """The product's name in the reader's language (name_zh / name_en)."""
    chinese = (translation.get_language() or "").lower().startswith("zh")
    name = getattr(product, "name_zh" if chinese else "name_en", "") or getattr(product, "code", "")
    return str(name)


@register.filter
def last_four(number: str) -> str:
    """An account number shown by its last four characters: •••• 1234."""
    text = str(number or "")
    return f"•••• {text[-4:]}" if len(text) > 4 else text
