"""Tests: SQLite in memory unless ARREARS_DATABASE_URL points at PostgreSQL (CI runs both)."""

import os

from .base import *  # noqa: F403
from .base import DATABASES

if not os.environ.get("ARREARS_DATABASE_URL"):
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LANGUAGE_CODE = "en"
