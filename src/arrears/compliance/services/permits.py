"""Permits: leave to make one contact, used at most once, and the errors when one is refused.

A channel adapter calls `use_permit` before it delivers anything. The permit is marked used by
one conditional UPDATE (… WHERE used_at IS NULL AND valid_until > now …), so two senders racing
for the same permit cannot both win, on any database. An opt-out, a hold or a revoked consent
voids the permits not yet used, so a STOP is honoured even by a send already allowed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.compliance.models import Permit
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import Conflict
from arrears.servicing.models import Borrower


class PermitRefused(Conflict):
    """No contact may go out on this permit; `reason` says why (missing, used, expired …)."""

    reason = "refused"

    def __init__(self, message: str, *, permit_id: object = None) -> None:
        super().__init__(message)
        self.permit_id = permit_id


class PermitMissing(PermitRefused):
    reason = "missing"


class PermitAlreadyUsed(PermitRefused):
    reason = "used"


class PermitExpired(PermitRefused):
    reason = "expired"


class PermitNotYetValid(PermitRefused):
    reason = "not_yet_valid"


class PermitVoided(PermitRefused):
    reason = "voided"


class PermitMismatch(PermitRefused):
    """The permit was issued for another borrower, channel or address."""

    reason = "mismatch"


def use_permit(
    *,
    permit_id: uuid.UUID | str | None,
    borrower: Borrower | int,
    channel: str,
    address: str,
    clock: Clock | None = None,
) -> Permit:
    """Use a permit for this borrower, channel and address now; raise `PermitRefused` if it is
    missing, already used, voided, expired, not yet valid, or for another recipient.

    Marks the permit used in the caller's transaction: a send that fails afterwards needs a
    new permit (at most once, never twice).
    """
    now = (clock or SystemClock()).now()
    borrower_id = borrower.pk if isinstance(borrower, Borrower) else borrower
    key = _as_uuid(permit_id)
    if key is None:
        raise _refusal(None, permit_id, borrower_id, channel, address, now)
    with transaction.atomic():
        used = Permit.objects.filter(
            pk=key,
            borrower_id=borrower_id,
            channel=channel,
            address=address,
            used_at__isnull=True,
            voided_at__isnull=True,
            valid_from__lte=now,
            valid_until__gt=now,
        ).update(used_at=now)
        permit = (
            Permit.objects.select_related("borrower", "decision__account").filter(pk=key).first()
        )
        if used == 1 and permit is not None:
            return permit
    raise _refusal(permit, permit_id, borrower_id, channel, address, now)


def _as_uuid(permit_id: object) -> uuid.UUID | None:
    if isinstance(permit_id, uuid.UUID):
        return permit_id
    if isinstance(permit_id, str):
        try:
            return uuid.UUID(permit_id)
        except ValueError:
            return None
    return None


def _refusal(
    permit: Permit | None,
    permit_id: object,
    borrower_id: Any,
    channel: str,
    address: str,
    now: dt.datetime,
) -> PermitRefused:
    if permit is None:
        return PermitMissing(
            _("There is no permit %(id)s: ask the compliance gate first.") % {"id": permit_id},
            permit_id=permit_id,
        )
    if (permit.borrower_id, permit.channel, permit.address) != (borrower_id, channel, address):
        return PermitMismatch(
            _("Permit %(id)s is for %(channel)s to %(address)s of another contact, not this one.")
            % {"id": permit.pk, "channel": permit.channel, "address": permit.address},
            permit_id=permit.pk,
        )
    if permit.used_at is not None:
        return PermitAlreadyUsed(
            _("Permit %(id)s was already used at %(at)s; a permit allows one contact.")
            % {"id": permit.pk, "at": permit.used_at.isoformat()},
            permit_id=permit.pk,
        )
    if permit.voided_at is not None:
        return PermitVoided(
            _("Permit %(id)s was voided: %(reason)s")
            % {"id": permit.pk, "reason": permit.void_reason},
            permit_id=permit.pk,
        )
    if permit.valid_from > now:
        return PermitNotYetValid(
            _("Permit %(id)s is valid from %(at)s.")
            % {"id": permit.pk, "at": permit.valid_from.isoformat()},
            permit_id=permit.pk,
        )
    return PermitExpired(
        _("Permit %(id)s expired at %(at)s; ask the compliance gate again.")
        % {"id": permit.pk, "at": permit.valid_until.isoformat()},
        permit_id=permit.pk,
    )


def void_permits(
    *,
    borrower: Borrower,
    reason: str,
    now: dt.datetime,
    channel: str | None = None,
    address: str | None = None,
) -> int:
    """Void the borrower's permits not yet used (of one channel / address); returns how many."""
    permits = Permit.objects.filter(
        borrower=borrower, used_at__isnull=True, voided_at__isnull=True, valid_until__gt=now
    )
    if channel is not None:
        permits = permits.filter(channel=channel)
    if address:
        permits = permits.filter(address=address)
    return permits.update(voided_at=now, void_reason=reason[:200])
