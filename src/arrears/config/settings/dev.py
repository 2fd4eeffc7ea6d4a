"""Local development and `make demo`."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("ARREARS_DEBUG", True)

#: Autopay collects through the deterministic double (every debit succeeds unless scripted).
ARREARS_DIRECT_DEBIT_PROVIDER = (
    os.environ.get("ARREARS_DIRECT_DEBIT_PROVIDER")
    or "arrears.servicing.direct_debit.ScriptedDirectDebit"
)

#: Portal card payments through the deterministic double (succeed unless a decline is scripted).
ARREARS_CARD_PAYMENT_PROVIDER = (
    os.environ.get("ARREARS_CARD_PAYMENT_PROVIDER")
    or "arrears.servicing.card_payments.ScriptedCardPayments"
)
