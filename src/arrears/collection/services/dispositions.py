"""Dispositions (通话结果): the standard list from core data, and a lender's own codes.

`load_dispositions` writes the standard list (`core/data/dispositions.yaml`) into the
`Disposition` table — new codes added, changed ones updated, nothing else touched — so it is
safe to run at every `migrate` (the app's post-migrate hook) and by `arrears init`. A lender adds
its own codes in the admin: `save_disposition` checks them with the core's reader, so a custom
code obeys the same rules as a standard one (a right-party contact is a connected call, marking a
number bad goes with the `mark_number_bad` retry …). Standard codes cannot be redefined, only
turned off or reordered.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from arrears.collection.models import Disposition
from arrears.core.collection import dispositions as core
from arrears.core.errors import ValidationError

#: What the model's `retry_minutes` holds for a `later_then_other_numbers` retry: hours × 60.
_MINUTES_PER_HOUR = 60


def _row_fields(disposition: core.Disposition, order: int) -> dict[str, Any]:
    retry = disposition.retry
    minutes = retry.minutes if retry.minutes is not None else None
    if retry.hours is not None:
        minutes = retry.hours * _MINUTES_PER_HOUR
    return {
        "label_en": disposition.label_en,
        "label_zh": disposition.label_zh,
        "right_party": disposition.right_party,
        "connected": disposition.connected,
        "attempt_outcome": disposition.attempt_outcome.value,
        "retry_rule": retry.rule.value,
        "retry_minutes": minutes,
        "effects": sorted(e.value for e in disposition.effects),
        "sort_order": order,
    }


@transaction.atomic
def load_dispositions() -> list[Disposition]:
    """Write the standard list into the table (idempotent); returns the rows added or changed."""
    existing = {d.code: d for d in Disposition.objects.filter(is_standard=True)}
    changed: list[Disposition] = []
    for order, (code, disposition) in enumerate(core.standard_dispositions().items()):
        fields = _row_fields(disposition, (order + 1) * 10)
        row = existing.get(code)
        if row is None:
            row = Disposition(code=code, is_standard=True, is_active=True, **fields)
            row.save(force_insert=True)
            changed.append(row)
            continue
        fields.pop("sort_order")  # a lender's own order stays
        if any(getattr(row, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(row, name, value)
            row.save(update_fields=list(fields))
            changed.append(row)
    return changed


def as_core(row: Disposition) -> core.Disposition:
    """The row as the core's `Disposition` (what `retries.next_attempt` reads)."""
    standard = core.standard_dispositions()
    if row.is_standard and row.code in standard.by_code:
        return standard[row.code]
    return core.parse_dispositions(_document(row), base=None)[row.code]


def _document(row: Disposition) -> dict[str, Any]:
    retry: dict[str, Any] = {"rule": row.retry_rule or core.RetryRule.NONE.value}
    if row.retry_rule == core.RetryRule.SOON:
        retry["minutes"] = row.retry_minutes
    elif row.retry_rule == core.RetryRule.LATER_THEN_OTHER_NUMBERS:
        retry["hours"] = max(1, (row.retry_minutes or _MINUTES_PER_HOUR) // _MINUTES_PER_HOUR)
    return {
        "dispositions": {
            row.code: {
                "label_en": row.label_en,
                "label_zh": row.label_zh,
                "right_party": row.right_party,
                "connected": row.connected,
                "attempt_outcome": row.attempt_outcome,
                "retry": retry,
                "effects": list(row.effects or []),
            }
        }
    }


def check_disposition(row: Disposition) -> core.Disposition:
    """Check a lender's own code with the core's reader; errors name the model's field."""
    if row.is_standard:
        raise ValidationError("code", _("standard dispositions cannot be redefined"))
    if row.code in core.standard_dispositions().by_code:
        raise ValidationError("code", _("is a standard code; choose another"))
    try:
        return core.parse_dispositions(_document(row), base=None)[row.code]
    except ValidationError as error:
        raise ValidationError(_model_field(error.field), error.reason) from None


def _model_field(path: str) -> str:
    """`dispositions.x.retry.minutes` → `retry_minutes`; `dispositions.x.effects[0]` → `effects`."""
    tail = path.split(".", 2)[2] if path.count(".") >= 2 else "code"
    if tail.startswith("retry.rule"):
        return "retry_rule"
    if tail.startswith("retry"):
        return "retry_minutes"
    return tail.split("[", 1)[0].split(".", 1)[0]


@transaction.atomic
def save_disposition(*, row: Disposition) -> Disposition:
    """Save a lender's own disposition after checking it (a standard one: only its order and
    whether it is active)."""
    if row.pk is not None and row.is_standard:
        Disposition.objects.filter(pk=row.pk).update(
            is_active=row.is_active, sort_order=row.sort_order
        )
        return row
    check_disposition(row)
    row.save()
    return row


def disposition_by_code(code: str) -> Disposition:
    """An active disposition by its code, else a `ValidationError` naming `disposition`."""
    row = Disposition.objects.filter(code=code, is_active=True).first()
    if row is None and not Disposition.objects.exists():
        load_dispositions()  # a database migrated without the post-migrate hook
        row = Disposition.objects.filter(code=code, is_active=True).first()
    if row is None:
        raise ValidationError(
            "disposition", _("%(code)r is not an active disposition") % {"code": code}
        )
    return row
