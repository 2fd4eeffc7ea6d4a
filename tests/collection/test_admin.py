"""The collection admin: every page loads; a strategy's YAML and a lender's own disposition are
checked on save with the error on the field; the history is read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from arrears.collection.models import (
    Agency,
    Case,
    CaseEvent,
    CollectionAction,
    Collector,
    ContactOutcome,
    Disposition,
    Escalation,
    Placement,
    Promise,
    Strategy,
    WorkQueue,
)
from arrears.core.strategy.document import (
    DEFAULT_STRATEGY,
    bundled_strategy_codes,
    bundled_strategy_text,
)

pytestmark = pytest.mark.django_db
MODELS = [
    Strategy, Disposition, WorkQueue, Collector, Agency, Case, CollectionAction, ContactOutcome,
    Promise, Escalation, Placement,
]  # fmt: skip

LADDER = """\
code: test-ladder
version: "1"
name: {en: Test ladder, zh: 测试}
segments:
  - id: everyone
    paths: [{path: ladder, share: 100}]
paths:
  ladder:
    steps:
      - {id: call_d3, on_day: 3, action: call}
"""


@pytest.fixture
def root(desk):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_superuser(username="root", password="x")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_collection_page_loads(root, case, model):
    assert model in admin.site._registry
    opts = model._meta
    listing = root.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert listing.status_code == 200


def test_a_case_shows_its_history_and_cannot_be_edited_here(root, case):
    page = root.get(reverse("admin:collection_case_change", args=[case.pk]))

    assert page.status_code == 200
    assert "14 days past due" in page.content.decode()
    assert admin.site._registry[Case].has_change_permission(page.wsgi_request, case) is False
    assert not admin.site._registry[Case].has_delete_permission(page.wsgi_request, case)
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_a_strategy_is_checked_on_save_and_the_error_names_the_field(root):
    bad = LADDER.replace("on_day: 3", "on_day: -3")

    page = root.post(reverse("admin:collection_strategy_add"), {"yaml_text": bad})

    assert page.status_code == 200
    assert "paths.ladder.steps[0].on_day" in page.content.decode()
    assert not Strategy.objects.exists()

    page = root.post(reverse("admin:collection_strategy_add"), {"yaml_text": LADDER})
    assert page.status_code == 302
    saved = Strategy.objects.get()
    assert (saved.code, saved.version, saved.is_active) == ("test-ladder", "1", True)


def test_a_new_version_of_a_strategy_replaces_the_active_one(root):
    root.post(reverse("admin:collection_strategy_add"), {"yaml_text": LADDER})
    root.post(
        reverse("admin:collection_strategy_add"),
        {"yaml_text": LADDER.replace('version: "1"', 'version: "2"')},
    )

    assert list(Strategy.objects.order_by("version").values_list("version", "is_active")) == [
        ("1", False),
        ("2", True),
    ]


def test_the_bundled_strategies_load_once(desk):
    from arrears.collection.services import load_bundled_strategies

    first = load_bundled_strategies()
    again = load_bundled_strategies()

    assert len(first) == len(bundled_strategy_codes()) and again == []
    assert all(s.is_bundled for s in first)
    # only the default is switched on; the others wait for a supervisor
    assert [s.code for s in first if s.is_active] == [DEFAULT_STRATEGY]
    assert bundled_strategy_text(bundled_strategy_codes()[0]) == first[0].yaml_text


def test_a_lenders_own_disposition_is_checked_with_the_standard_rules(root):
    url = reverse("admin:collection_disposition_add")
    fields = {
        "code": "left_message_with_family",
        "label_en": "Message left with family",
        "label_zh": "家人转告",
        "right_party": "on",
        "attempt_outcome": "connected",
        "retry_rule": "none",
        "retry_minutes": "",
        "effects": "[]",
        "is_active": "on",
        "sort_order": "200",
    }

    page = root.post(url, fields)  # the borrower reached, on a call nobody picked up
    assert page.status_code == 200
    assert "connected" in page.context["adminform"].form.errors
    assert not Disposition.objects.filter(code="left_message_with_family").exists()

    fields.pop("right_party")
    fields["connected"] = "on"
    page = root.post(url, fields)
    assert page.status_code == 302
    assert Disposition.objects.get(code="left_message_with_family").is_standard is False


def test_a_standard_disposition_keeps_what_it_drives(root):
    busy = Disposition.objects.get(code="busy")
    page = root.get(reverse("admin:collection_disposition_change", args=[busy.pk]))
    assert page.status_code == 200
    assert "retry_rule" not in [f.name for f in page.context["adminform"].form]


def test_a_queue_refuses_a_skill_nobody_has(root):
    page = root.post(
        reverse("admin:collection_workqueue_add"),
        {"code": "x", "name_en": "X", "name_zh": "X", "stages": '["early"]',
         "skills": '["hardship"]', "rules": "{}", "sort_order": "0", "is_active": "on"},
    )  # fmt: skip
    assert page.status_code == 200 and not WorkQueue.objects.exists()
