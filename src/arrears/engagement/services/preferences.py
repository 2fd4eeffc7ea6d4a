"""A borrower's choices about notices: channels in order, language, optional notices off."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.core.errors import ValidationError
from arrears.engagement.choices import REQUIRED_NOTICES, NoticeChannel, NoticeKind, NoticeLanguage
from arrears.engagement.models import NoticePreference
from arrears.servicing.models import Borrower


@transaction.atomic
def set_notice_preference(
    *,
    borrower: Borrower,
    channels: Sequence[str] = (),
    language: str = "",
    declined_kinds: Sequence[str] = (),
) -> NoticePreference:
    """Record how the borrower wants to be told. Legally required notices cannot be declined."""
    for i, channel in enumerate(channels):
        if channel not in NoticeChannel.values:
            raise ValidationError(
                f"channels[{i}]",
                _("must be one of %(values)s") % {"values": ", ".join(NoticeChannel.values)},
            )
    if len(set(channels)) != len(channels):
        raise ValidationError("channels", _("names a channel twice"))
    if language and language not in NoticeLanguage.values:
        raise ValidationError("language", _("must be zh-hans or en"))
    for i, kind in enumerate(declined_kinds):
        if kind not in NoticeKind.values:
            raise ValidationError(f"declined_kinds[{i}]", _("is not a kind of notice"))
        if kind in REQUIRED_NOTICES:
            raise ValidationError(
                f"declined_kinds[{i}]",
                _("%(kind)s is required by law and cannot be turned off")
                % {"kind": NoticeKind(kind).label},
            )
    preference, _created = NoticePreference.objects.update_or_create(
        borrower=borrower,
        defaults={
            "channels": list(channels),
            "language": language,
            "declined_kinds": sorted(set(declined_kinds)),
        },
    )
    return preference
