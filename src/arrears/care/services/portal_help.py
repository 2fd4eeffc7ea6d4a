"""Writes the borrower makes from the portal's Help and Contact-preferences pages.

- `book_portal_callback`: a callback in one of the offered slots, on the borrower's own number,
  in the queue routing gives a callback request (care's `book_callback` checks the slot);
- `save_contact_preferences`: language, notice channels, optional notices, quiet times,
  no contact at work, and channel opt-outs — through engagement's and compliance's services,
  so a legally required notice can never be turned off and an opt-out voids open permits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.care.choices import TicketKind
from arrears.care.models import Callback
from arrears.care.selectors.portal_help import borrower_number, help_queue
from arrears.care.services.callbacks import book_callback
from arrears.compliance.models import OptOut
from arrears.compliance.services import record_opt_out, set_contact_preference
from arrears.core.errors import ValidationError
from arrears.engagement.services.preferences import set_notice_preference
from arrears.identity.services import remember_language
from arrears.servicing.choices import Language
from arrears.servicing.models import Borrower

#: Channels a borrower may stop from the portal (the compliance gate's channel values).
OPT_OUT_CHANNELS = ("call", "sms", "email", "in_app")


@transaction.atomic
def book_portal_callback(*, borrower: Borrower, slot: dt.datetime, at: dt.datetime) -> Callback:
    """Book a callback for the borrower at `slot` (the start of an offered slot)."""
    queue = help_queue(borrower, kind=TicketKind.CALLBACK)
    if queue is None:
        raise ValidationError("slot", _("no queue takes callbacks just now"))
    number = borrower_number(borrower)
    if not number:
        raise ValidationError("slot", _("we have no valid phone number for you"))
    return book_callback(queue=queue, number=number, borrower=borrower, slot=slot, at=at)


@transaction.atomic
def save_contact_preferences(
    *,
    borrower: Borrower,
    language: str,
    channels: Sequence[str] = (),
    declined_kinds: Sequence[str] = (),
    quiet_times: Sequence[dict[str, Any]] = (),
    no_workplace_contact: bool = False,
    opt_out_channels: Sequence[str] = (),
    user: Any = None,
    at: dt.datetime | None = None,
) -> Borrower:
    """Record everything the borrower chose about how we contact them, in one transaction.

    The language becomes the borrower's preferred one (and, for their login, the portal's);
    a channel newly ticked as "stop" is an opt-out from now on. Resuming a channel is its own
    step (compliance's `withdraw_opt_out`: the opt-out is kept, marked withdrawn).
    """
    if language not in Language.values:
        raise ValidationError("language", _("must be zh-hans or en"))
    for i, channel in enumerate(opt_out_channels):
        if channel not in OPT_OUT_CHANNELS:
            raise ValidationError(f"opt_out_channels[{i}]", _("is not a channel you can stop"))
    set_notice_preference(
        borrower=borrower, channels=channels, language=language, declined_kinds=declined_kinds
    )
    preference = getattr(borrower, "contact_preference", None)
    set_contact_preference(
        borrower=borrower,
        inconvenient_times=quiet_times,
        agreed_times=preference.agreed_times if preference else (),
        inconvenient_places=preference.inconvenient_places if preference else (),
        no_workplace_contact=no_workplace_contact,
        workplace_addresses=preference.workplace_addresses if preference else (),
        workplace_consent_addresses=preference.workplace_consent_addresses if preference else (),
    )
    stopped = set(
        OptOut.objects.filter(borrower=borrower, address="", withdrawn_at__isnull=True).values_list(
            "channel", flat=True
        )
    )
    for channel in opt_out_channels:
        if channel not in stopped:
            record_opt_out(borrower=borrower, channel=channel, source="portal", at=at)
    if borrower.preferred_language != language:
        borrower.preferred_language = language
        borrower.save(update_fields=["preferred_language"])
    if getattr(user, "pk", None):
        remember_language(user=user, language=language)
    return borrower
