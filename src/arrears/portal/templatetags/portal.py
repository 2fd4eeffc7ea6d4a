"""Template tags of the portal: its menu."""

from __future__ import annotations

from django import template

from arrears.portal.navigation import portal_menu as build_menu

register = template.Library()


@register.simple_tag
def portal_menu() -> list[dict[str, str]]:
    return build_menu()
