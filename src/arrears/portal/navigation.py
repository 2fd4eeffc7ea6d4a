"""The portal's menu: the same for every borrower; screens not built yet stay out of it."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

MENU = (
    ("portal:pay", _("Pay")),
    ("portal:trouble-paying", _("Trouble paying?")),
    ("portal:help", _("Help")),
    ("portal:preferences", _("Contact preferences")),
)


def portal_menu() -> list[dict[str, str]]:
    entries = []
    for url_name, label in MENU:
        try:
            entries.append({"url": reverse(url_name), "label": str(label), "name": url_name})
        except NoReverseMatch:
            continue
    return entries
