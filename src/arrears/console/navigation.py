"""The console's menu: each entry shows only to those whose role may open it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str | Promise
    permissions: tuple[str, ...]


MENU: tuple[MenuEntry, ...] = (
    MenuEntry("console:my-work", _("My work"), ("collection.work_queue",)),
    MenuEntry("console:tickets", _("Tickets"), ("care.view_ticket",)),
    MenuEntry("console:dashboard", _("Dashboard"), ("collection.change_strategy",)),
    MenuEntry("console:strategies", _("Strategies"), ("collection.view_strategy",)),
    MenuEntry("console:compliance", _("Compliance"), ("compliance.review_contacts",)),
)


def menu_for(user: Any) -> list[dict[str, str]]:
    """The entries this person may open, as {url, label}, in menu order."""
    entries = []
    for entry in MENU:
        if not user.has_perms(entry.permissions):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # a screen not built yet stays out of the menu
            continue
        entries.append({"url": url, "label": str(entry.label), "name": entry.url_name})
    return entries
