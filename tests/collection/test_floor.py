"""Setting up the collection floor: default work queues and collectors."""

from __future__ import annotations

import pytest

from arrears.collection.models import Collector, WorkQueue
from arrears.collection.services import load_default_work_queues, save_collector
from arrears.core.errors import ValidationError
from tests.factories import make_staff_user

pytestmark = pytest.mark.django_db


def test_the_default_queues_route_hardship_and_legal_cases_to_trained_collectors():
    assert load_default_work_queues() == 5
    queues = {q.code: q for q in WorkQueue.objects.all()}
    assert queues["hardship"].skills == ["hardship_trained"]
    assert queues["legal"].stages == ["legal"] and queues["legal"].skills == ["legal"]
    assert queues["early"].name_zh == "前期催收"


def test_loading_the_default_queues_again_keeps_a_supervisors_edits():
    load_default_work_queues()
    WorkQueue.objects.filter(code="early").update(name_en="Day 1-30 calls")
    assert load_default_work_queues() == 0
    assert WorkQueue.objects.get(code="early").name_en == "Day 1-30 calls"


def test_a_collector_gets_queues_skills_and_languages():
    load_default_work_queues()
    user = make_staff_user("collector")
    collector = save_collector(
        user=user,
        queues=WorkQueue.objects.filter(code__in=["early", "hardship"]),
        skills=["hardship_trained"],
        languages=["zh-hans", "en"],
    )
    assert sorted(q.code for q in collector.queues.all()) == ["early", "hardship"]
    assert collector.skills == ["hardship_trained"]


def test_an_unknown_skill_names_the_field_and_writes_nothing():
    user = make_staff_user("collector")
    with pytest.raises(ValidationError) as error:
        save_collector(user=user, queues=[], skills=["karate"])
    assert error.value.field == "skills"
    assert not Collector.objects.filter(user=user).exists()
