"""Registering a borrower: identity, address, home time zone and contact points.

Phone numbers are parsed with `phonenumbers` against the address country and stored in E.164,
so that compliance can find every time zone a number may ring in. Everything is checked before
anything is written; an error names the field (`phones[1]`, `email`, `time_zone`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

import phonenumbers
from babel.core import get_global
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from arrears.core.errors import Conflict, ValidationError
from arrears.core.money import Money
from arrears.servicing.choices import ContactKind, Language
from arrears.servicing.models import Borrower, ContactPoint
from arrears.servicing.zones import home_time_zone

_MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def parse_phone(field: str, raw: str, country: str) -> phonenumbers.PhoneNumber:
    """A valid phone number, read as the address country would dial it unless it has a +code."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError(field, _("must be a phone number"))
    try:
        number = phonenumbers.parse(raw, country or None)
    except phonenumbers.NumberParseException:
        raise ValidationError(field, _("%(raw)s is not a phone number") % {"raw": raw}) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(field, _("%(raw)s is not a valid phone number") % {"raw": raw})
    return number


def _check_identity(reference: str, full_name: str, country: str, preferred_language: str) -> None:
    if not reference or not reference.strip():
        raise ValidationError("reference", _("must not be empty"))
    if Borrower.objects.filter(reference=reference).exists():
        raise Conflict(_("reference: borrower %(ref)s already exists") % {"ref": reference})
    if not full_name or not full_name.strip():
        raise ValidationError("full_name", _("must not be empty"))
    if country not in get_global("territory_zones"):
        raise ValidationError("country", _("must be an ISO 3166 code, e.g. CN"))
    if preferred_language not in Language.values:
        raise ValidationError(
            "preferred_language",
            _("must be one of %(names)s") % {"names": ", ".join(Language.values)},
        )


def _check_email(email: str) -> None:
    if not email:
        return
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationError(
            "email", _("%(email)s is not an e-mail address") % {"email": email}
        ) from None


def _check_time_zone(time_zone: str) -> None:
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            "time_zone",
            _("%(zone)s is not an IANA time zone, e.g. Asia/Shanghai") % {"zone": time_zone},
        ) from None


def _check_income(monthly_income: Money | None) -> None:
    if monthly_income is None:
        return
    if not isinstance(monthly_income, Money):
        raise ValidationError("monthly_income", _("must be an amount of money"))
    if monthly_income.is_negative():
        raise ValidationError("monthly_income", _("cannot be negative"))


@transaction.atomic
def register_borrower(
    *,
    reference: str,
    full_name: str,
    country: str,
    phones: Sequence[str] = (),
    preferred_language: str = Language.ZH_HANS,
    email: str = "",
    address_line: str = "",
    city: str = "",
    region: str = "",
    postal_code: str = "",
    time_zone: str | None = None,
    monthly_income: Money | None = None,
    date_of_birth: dt.date | None = None,
) -> Borrower:
    """Register a borrower with their phone numbers (the first is primary) and e-mail.

    The home time zone, when not given, comes from the address (country, then region) or else
    from the phone numbers when they all lie in one zone; it stays blank when neither can tell.
    """
    country = (country or "").upper()
    _check_identity(reference, full_name, country, preferred_language)
    numbers = [parse_phone(f"phones[{i}]", raw, country) for i, raw in enumerate(phones)]
    _check_email(email)
    if time_zone:
        _check_time_zone(time_zone)
    _check_income(monthly_income)
    borrower = Borrower(
        reference=reference,
        full_name=full_name.strip(),
        country=country,
        preferred_language=preferred_language,
        email=email,
        address_line=address_line,
        city=city,
        region=region,
        postal_code=postal_code,
        time_zone=time_zone or home_time_zone(country, region, numbers),
        monthly_income_minor=monthly_income.minor if monthly_income is not None else None,
        income_currency=monthly_income.currency if monthly_income is not None else "",
        date_of_birth=date_of_birth,
    )
    try:
        with transaction.atomic():
            borrower.save(force_insert=True)
    except IntegrityError:  # registered by a concurrent request since the check above
        raise Conflict(
            _("reference: borrower %(ref)s already exists") % {"ref": reference}
        ) from None
    _add_contact_points(borrower, numbers, email)
    return borrower


def _add_contact_points(
    borrower: Borrower, numbers: list[phonenumbers.PhoneNumber], email: str
) -> None:
    seen: set[str] = set()
    points: list[ContactPoint] = []
    for number in numbers:
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if e164 in seen:
            continue
        seen.add(e164)
        kind = (
            ContactKind.MOBILE
            if phonenumbers.number_type(number) in _MOBILE_TYPES
            else ContactKind.HOME
        )
        points.append(ContactPoint(borrower=borrower, kind=kind, value=e164, is_primary=not points))
    if email:
        points.append(
            ContactPoint(borrower=borrower, kind=ContactKind.EMAIL, value=email, is_primary=True)
        )
    ContactPoint.objects.bulk_create(points)


@transaction.atomic
def mark_contact_point_invalid(*, borrower: Borrower | int, value: str) -> int:
    """Mark the borrower's number or address `value` as not reaching them (a hard bounce, a
    number no longer in service): channels stop choosing it. Returns how many were marked."""
    borrower_id = borrower.pk if isinstance(borrower, Borrower) else borrower
    return ContactPoint.objects.filter(
        borrower_id=borrower_id, value__iexact=value.strip(), is_valid=True
    ).update(is_valid=False)
