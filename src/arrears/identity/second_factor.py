"""The staff second factor: an authenticator app (TOTP, django-otp) that signing in asks a code of.

A staff member enrols in two steps — `start_enrolment` makes an unconfirmed device whose key
the console shows as a QR code, `confirm_enrolment` checks a code the app shows and turns it
on — and from then on their sign-in needs a code (`device_for_sign_in`, `verify_sign_in_code`).
`remove_second_factor` turns it off after a fresh code. An administrator may require it for
whole roles (`ARREARS_REQUIRE_SECOND_FACTOR_ROLES`); borrowers never have one.

Codes are checked by django-otp, which refuses a code already used (no replay) and slows down
guessing (each wrong code doubles the wait before the device checks another).
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from arrears.core.errors import ValidationError
from arrears.identity.selectors import is_staff_member

#: The name the device gets; a person has at most one authenticator app in Arrears.
DEVICE_NAME = "authenticator app"


@dataclass(frozen=True)
class SecondFactorState:
    """What the console's security page shows a staff member about their second factor."""

    confirmed: TOTPDevice | None  # on: their sign-in asks for a code
    pending: TOTPDevice | None  # enrolment started, waiting for the first code
    required: bool  # their role requires a second factor

    @property
    def is_on(self) -> bool:
        return self.confirmed is not None


def required_roles() -> frozenset[str]:
    """The roles whose members must use a second factor (setting, default none)."""
    return frozenset(getattr(settings, "ARREARS_REQUIRE_SECOND_FACTOR_ROLES", ()) or ())


def is_required_for(user: Any) -> bool:
    """Whether this person's role requires a second factor (no query when none is required)."""
    roles = required_roles()
    if not roles or not user.is_authenticated:
        return False
    return bool(user.groups.filter(name__in=roles).exists())


def lacks_required_verification(user: Any) -> bool:
    """Whether this signed-in person's role requires a second factor and their session was not
    signed in with a code (django-otp's `is_verified`).

    The setting is read first: no query, and nothing more of the user, when no role requires one.
    """
    if not required_roles():
        return False
    if getattr(user, "is_verified", lambda: False)():
        return False
    return is_required_for(user)


def confirmed_device(user: Any) -> TOTPDevice | None:
    """The authenticator app this person signs in with, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def second_factor_state(user: Any) -> SecondFactorState:
    devices = list(TOTPDevice.objects.filter(user=user).order_by("id"))
    return SecondFactorState(
        confirmed=next((d for d in devices if d.confirmed), None),
        pending=next((d for d in devices if not d.confirmed), None),
        required=is_required_for(user),
    )


def start_enrolment(*, user: Any) -> TOTPDevice:
    """Make a new, unconfirmed authenticator device for a staff member (a fresh secret key).

    An enrolment left unfinished is replaced; a person whose second factor is already on must
    remove it first.
    """
    if not is_staff_member(user):
        raise ValidationError("user", _("Only staff members use a second factor."))
    with transaction.atomic():
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValidationError("otp_token", _("Your second factor is already on."))
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def confirm_enrolment(*, user: Any, token: str) -> TOTPDevice:
    """Turn the second factor on once the app shows a code that matches the new key."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("-id")
            .first()
        )
        if device is None:
            raise ValidationError("otp_token", _("Start the set-up again: no new app is waiting."))
        if not device.verify_token(token):
            raise ValidationError(
                "otp_token",
                _("That code does not match. Check the app shows “Arrears” and try the new code."),
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device


def remove_second_factor(*, user: Any, token: str) -> None:
    """Turn the second factor off, after a current code from the app (proof it is still theirs)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            raise ValidationError("otp_token", _("Your second factor is not on."))
        if is_required_for(user):
            raise ValidationError(
                "otp_token", _("Your role requires a second factor: it cannot be removed.")
            )
        if not device.verify_token(token):
            raise ValidationError("otp_token", _("That code is not right. Try the app's new code."))
        TOTPDevice.objects.filter(user=user).delete()


def verify_sign_in_code(*, user: Any, token: str) -> TOTPDevice | None:
    """The device that accepts this sign-in code, or None (wrong, reused, or too many tries)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is not None and device.verify_token(token):
            return device
    return None


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// link as an SVG QR code in a data: URI (the CSP allows data images)."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2))


def secret_key_text(device: TOTPDevice) -> str:
    """The secret key in base32, in groups of four, for typing into an app without a camera."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
