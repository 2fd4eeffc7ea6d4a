"""Template tags of the console: the menu for the signed-in person."""

from __future__ import annotations

from typing import Any

from django import template

from arrears.console.navigation import menu_for

register = template.Library()


@register.simple_tag(takes_context=True)
def console_menu(context: Any) -> list[dict[str, str]]:
    return menu_for(context["request"].user)
