"""What a contact costs the lender, by currency and channel: `settings.ARREARS_CONTACT_COSTS`.

The setting maps a currency to {channel: cost of one outbound attempt in major units, as a
decimal string}; a currency or channel left out costs what `DEFAULT_CONTACT_COSTS` says, and
an unknown channel costs nothing. The defaults are illustrative figures for a mid-sized lender
(a collector's call, a bulk SMS, an e-mail, a posted letter, a field visit) — set your own.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from arrears.core.errors import ValidationError

DEFAULT_CONTACT_COSTS: dict[str, dict[str, str]] = {
    "CNY": {
        "call": "1.50",
        "sms": "0.05",
        "email": "0.01",
        "letter": "8.00",
        "in_app": "0.00",
        "visit": "200.00",
    },
    "USD": {
        "call": "1.20",
        "sms": "0.01",
        "email": "0.005",
        "letter": "1.50",
        "in_app": "0.00",
        "visit": "60.00",
    },
}


def contact_costs(currency: str) -> dict[str, Decimal]:
    """The cost of one outbound attempt per channel in `currency` (major units, exact)."""
    configured: Mapping[str, Mapping[str, str]] = getattr(settings, "ARREARS_CONTACT_COSTS", {})
    merged = dict(DEFAULT_CONTACT_COSTS.get(currency, {}))
    merged.update(configured.get(currency, {}))
    costs: dict[str, Decimal] = {}
    for channel, text in merged.items():
        try:
            cost = Decimal(str(text))
        except InvalidOperation:
            raise ValidationError(
                f"ARREARS_CONTACT_COSTS.{currency}.{channel}", _("must be a decimal amount")
            ) from None
        if not cost.is_finite() or cost < 0:
            raise ValidationError(
                f"ARREARS_CONTACT_COSTS.{currency}.{channel}", _("must be zero or more")
            )
        costs[channel] = cost
    return costs
