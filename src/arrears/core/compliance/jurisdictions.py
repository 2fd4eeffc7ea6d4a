"""Which jurisdiction profile applies: from a product's jurisdiction or a borrower's country.

Profiles are CN, US, UK, EU and IE. A country code of a member state of the EU picks the EU base
profile (Ireland its own overlay); the United Kingdom is written GB in ISO 3166 and UK here.
"""

from __future__ import annotations

from arrears.core.errors import ValidationError

PROFILE_CODES = ("CN", "US", "UK", "EU", "IE")

#: The member states of the European Union (ISO 3166-1 alpha-2), Ireland included.
EU_MEMBERS = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "IE", "IT",
        "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "HU",
    }
)  # fmt: skip

_ALIASES = {"GB": "UK", "CN": "CN", "US": "US", "UK": "UK", "IE": "IE", "EU": "EU"}


def profile_code_for(code: str, *, field: str = "jurisdiction") -> str:
    """The profile for a jurisdiction or country code: GB → UK, FR → EU, IE → IE, CN → CN.

    Refuses a country no profile covers (there is no safe default for another country's law).
    """
    cleaned = (code or "").strip().upper()
    if cleaned in _ALIASES:
        return _ALIASES[cleaned]
    if cleaned in EU_MEMBERS:
        return "EU"
    raise ValidationError(
        field,
        f"no compliance profile covers {code!r}; profiles: CN, US, UK (GB), EU (member states), IE",
    )
