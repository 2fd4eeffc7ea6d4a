"""The hardship admin: plans and assessments shown as taken, content editable."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from arrears.hardship.models import Article, Assessment, DebtAdviceService, Plan
from tests.hardship.conftest import set_up_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client():  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_superuser(username="root", password="x")
    client = Client()
    client.force_login(user)
    return client


def test_every_hardship_page_loads_and_a_plan_shows_its_instalments_and_history(
    superuser_client, loan_in_arrears, clock
):
    plan = set_up_plan(loan_in_arrears, clock)
    assessment = Assessment.objects.get()
    for model in (Plan, Assessment, Article, DebtAdviceService):
        url = reverse(f"admin:hardship_{model._meta.model_name}_changelist")
        assert superuser_client.get(url).status_code == 200, model
    page = superuser_client.get(reverse("admin:hardship_plan_change", args=[plan.pk]))
    assert page.status_code == 200
    assert b"activated" in page.content.lower() and b"1166.63" in page.content.replace(b",", b"")
    page = superuser_client.get(reverse("admin:hardship_assessment_change", args=[assessment.pk]))
    assert page.status_code == 200


def test_plans_and_assessments_cannot_be_changed_in_the_admin(superuser_client):
    for model in (Plan, Assessment):
        url = reverse(f"admin:hardship_{model._meta.model_name}_add")
        assert superuser_client.get(url).status_code == 403


def test_an_article_edited_in_the_admin_is_kept_from_then_on(superuser_client):
    article = Article.objects.get(slug="budgeting-basics")
    url = reverse("admin:hardship_article_change", args=[article.pk])
    form = {
        "slug": article.slug,
        "topic": article.topic,
        "title_en": "Budgeting, our way",
        "title_zh": article.title_zh,
        "summary_en": article.summary_en,
        "summary_zh": article.summary_zh,
        "body_en": article.body_en,
        "body_zh": article.body_zh,
        "is_published": "on",
        "position": article.position,
    }
    response = superuser_client.post(url, form)
    assert response.status_code == 302, response.content
    article.refresh_from_db()
    assert article.title_en == "Budgeting, our way" and not article.is_bundled
