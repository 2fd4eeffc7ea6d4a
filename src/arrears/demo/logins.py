"""The demo's people beyond the admin: collectors and service agents with their queues, and
borrowers who can sign in to the portal (one reading Chinese, one English, both overdue)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from arrears.care.models import CareQueue
from arrears.care.services.desk import save_agent
from arrears.collection.models import WorkQueue
from arrears.collection.services import save_collector
from arrears.servicing.models import Borrower

#: The portal logins: (username, the borrower's preferred language).
BORROWER_LOGINS = (("borrower", "zh-hans"), ("borrower.en", "en"))


@transaction.atomic
def equip_staff(users: list[Any]) -> None:
    """Give the demo's agent and supervisor every collection and care queue, both languages."""
    for user in users:
        save_collector(
            user=user,
            queues=WorkQueue.objects.filter(is_active=True),
            skills=["hardship_trained", "legal"],
            languages=["zh-hans", "en"],
        )
        save_agent(
            user=user,
            queues=CareQueue.objects.all(),
            languages=["zh-hans", "en"],
        )


@transaction.atomic
def link_borrower_logins(*, password: str) -> list[dict[str, str]]:
    """Portal logins for an overdue borrower in each language (the first by reference)."""
    logins = []
    for username, language in BORROWER_LOGINS:
        borrower = _overdue_borrower(language)
        if borrower is None:
            continue
        user, _created = get_user_model().objects.get_or_create(username=username)
        user.set_password(password)
        user.is_staff = False
        user.save()
        Borrower.objects.filter(user=user).exclude(pk=borrower.pk).update(user=None)
        borrower.user = user
        borrower.save(update_fields=["user"])
        logins.append(
            {"username": username, "borrower": borrower.reference, "name": borrower.full_name}
        )
    return logins


def _overdue_borrower(language: str) -> Borrower | None:
    speakers = Borrower.objects.filter(preferred_language=language).order_by("reference")
    return speakers.filter(accounts__days_past_due__gt=0).distinct().first() or speakers.first()
