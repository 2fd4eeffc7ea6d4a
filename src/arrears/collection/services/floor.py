"""Setting up the collection floor: the default work queues and the collectors who work them."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from arrears.collection.choices import CaseStage
from arrears.collection.models import Collector, WorkQueue
from arrears.core.errors import ValidationError

#: The skills a queue may ask for and a collector may have.
SKILLS = ("hardship_trained", "legal")
LANGUAGES = ("zh-hans", "en")


@transaction.atomic
def load_default_work_queues() -> int:
    """Create the bundled work queues that do not exist yet; returns how many were created."""
    text = resources.files("arrears.collection").joinpath("data/work_queues.yaml").read_text()
    created = 0
    for index, entry in enumerate(yaml.safe_load(text)["queues"]):
        stages = _checked(f"queues[{index}].stages", entry["stages"], CaseStage.values)
        skills = _checked(f"queues[{index}].skills", entry["skills"], SKILLS)
        _queue, was_created = WorkQueue.objects.get_or_create(
            code=entry["code"],
            defaults={
                "name_en": entry["name_en"],
                "name_zh": entry["name_zh"],
                "stages": stages,
                "skills": skills,
                "sort_order": entry["sort_order"],
            },
        )
        created += was_created
    return created


@transaction.atomic
def save_collector(
    *,
    user: Any,
    queues: Iterable[WorkQueue],
    skills: Iterable[str] = (),
    languages: Iterable[str] = ("zh-hans",),
    max_open_cases: int = 300,
) -> Collector:
    """Make a staff user a collector 催收员 of some queues, with skills, languages and a cap."""
    if max_open_cases < 1:
        raise ValidationError("max_open_cases", _("must be at least 1"))
    collector, _created = Collector.objects.update_or_create(
        user=user,
        defaults={
            "skills": _checked("skills", skills, SKILLS),
            "languages": _checked("languages", languages, LANGUAGES),
            "max_open_cases": max_open_cases,
        },
    )
    collector.queues.set(list(queues))
    return collector


def _checked(field: str, values: Iterable[str], allowed: Iterable[str]) -> list[str]:
    values = list(values)
    known = set(allowed)
    for value in values:
        if value not in known:
            raise ValidationError(
                field,
                _("%(value)s is not one of %(allowed)s")
                % {"value": value, "allowed": ", ".join(sorted(known))},
            )
    return values
