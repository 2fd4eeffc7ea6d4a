"""Strategies as data (催收策略): versions of a YAML document, checked before they are stored.

`save_strategy` reads the text with the core's reader (`core.strategy.read_strategy`), which
names the field of any error (`paths.ladder.steps[3].channel: …`); a valid text is stored as a
new version of its code (the version the document gives) and, by default, made the active one.
`load_bundled_strategies` stores the strategies shipped with Arrears (idempotent). A version
once stored is never changed: cases name the version they were evaluated under.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.collection.models import Strategy
from arrears.collection.services._support import now_of
from arrears.core.clock import Clock
from arrears.core.errors import Conflict, ValidationError
from arrears.core.strategy import document


def check_strategy_text(*, text: str) -> document.Strategy:
    """The strategy the text describes, or a `ValidationError` naming the field."""
    if not (text or "").strip():
        raise ValidationError("yaml_text", _("must not be empty"))
    return document.read_strategy(text, source="yaml_text")


@transaction.atomic
def save_strategy(
    *,
    yaml_text: str,
    saved_by: Any = None,
    activate: bool = True,
    bundled: bool = False,
    clock: Clock | None = None,
) -> Strategy:
    """Store a new version of a strategy (checked first); active at once unless told not."""
    parsed = check_strategy_text(text=yaml_text)
    if Strategy.objects.filter(code=parsed.code, version=parsed.version).exists():
        raise Conflict(
            _("version: %(code)s %(version)s already exists; give the edit a new version")
            % {"code": parsed.code, "version": parsed.version}
        )
    if activate:
        Strategy.objects.select_for_update().filter(code=parsed.code, is_active=True).update(
            is_active=False
        )
    return Strategy.objects.create(
        code=parsed.code,
        version=parsed.version,
        name_en=parsed.name.en[:200],
        name_zh=parsed.name.zh[:200],
        yaml_text=yaml_text,
        is_active=activate,
        is_bundled=bundled,
        saved_at=now_of(clock),
        saved_by=saved_by if getattr(saved_by, "pk", None) else None,
    )


@transaction.atomic
def activate_strategy(*, strategy: Strategy) -> Strategy:
    """Make this version the one the nightly batch uses (the others of its code stop)."""
    check_strategy_text(text=strategy.yaml_text)
    Strategy.objects.filter(code=strategy.code, is_active=True).exclude(pk=strategy.pk).update(
        is_active=False
    )
    Strategy.objects.filter(pk=strategy.pk).update(is_active=True)
    strategy.is_active = True
    return strategy


@transaction.atomic
def load_bundled_strategies(*, clock: Clock | None = None) -> list[Strategy]:
    """Store each bundled strategy version not yet stored. The default one (the conventional
    ladder) is made active when its code has no active version (a lender's own edit stays in
    force); the others are stored inactive, for a supervisor to try and switch on."""
    loaded = []
    for code in document.bundled_strategy_codes():
        text = document.bundled_strategy_text(code)
        parsed = check_strategy_text(text=text)
        if Strategy.objects.filter(code=parsed.code, version=parsed.version).exists():
            continue
        active = Strategy.objects.filter(code=parsed.code, is_active=True).exists()
        activate = code == document.DEFAULT_STRATEGY and not active
        loaded.append(save_strategy(yaml_text=text, activate=activate, bundled=True, clock=clock))
    return loaded
