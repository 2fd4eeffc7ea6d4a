"""Tests: SQLite in memory unless ARREARS_DATABASE_URL points at PostgreSQL (CI runs both)."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

if not os.environ.get("ARREARS_DATABASE_URL"):
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LANGUAGE_CODE = "en"

#: Autopay collects through the deterministic double (every debit succeeds unless scripted).
ARREARS_DIRECT_DEBIT_PROVIDER = "arrears.servicing.direct_debit.ScriptedDirectDebit"
#: Portal card payments through the deterministic double (succeed unless a decline is scripted).
ARREARS_CARD_PAYMENT_PROVIDER = "arrears.servicing.card_payments.ScriptedCardPayments"

#: Tasks run at once, in the caller's process; letters go to a scratch folder.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ARREARS_LETTER_DIR = Path(tempfile.gettempdir()) / "arrears-test-letters"
ARREARS_SMS_WEBHOOK_SECRET = "test-webhook-secret"
