"""The answers admin: every page loads; articles are saved as drafts through the services (a
published one keeps its text until its draft is published); surveys are read-only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from arrears.care.models import CannedReply, KnowledgeArticle, SatisfactionSurvey
from arrears.care.selectors.knowledge import published_by_slug
from tests.care.answers_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
ARTICLE = {
    "slug": "pay-by-cheque",
    "title_zh": "支票还款",
    "title_en": "Paying by cheque",
    "body_zh": "请把支票寄到我们的办公室。",
    "body_en": "Post a cheque to our office.",
    "tags": '["cheque"]',
    "for_borrowers": "on",
}


@pytest.fixture
def root(db):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_superuser(username="root", password="x")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", [KnowledgeArticle, CannedReply, SatisfactionSurvey])
def test_every_answers_page_loads(root, bundled_kb, model):
    opts = model._meta
    listing = root.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    assert model in admin.site._registry and listing.status_code == 200


def test_an_article_added_in_the_admin_is_a_draft_until_published(root):
    page = root.post(reverse("admin:care_knowledgearticle_add"), ARTICLE)
    article = KnowledgeArticle.objects.get()
    root.post(
        reverse("admin:care_knowledgearticle_changelist"),
        {"action": "publish_selected", "_selected_action": [article.pk]},
    )

    assert page.status_code == 302 and article.status == "draft"
    assert published_by_slug("pay-by-cheque").title_en == "Paying by cheque"


def test_editing_a_published_article_in_the_admin_writes_its_draft(root, bundled_kb):
    article = KnowledgeArticle.objects.get(slug="contact-us")
    change = {**ARTICLE, "slug": "contact-us", "body_en": "Call 95555.", "tags": "[]"}

    page = root.post(reverse("admin:care_knowledgearticle_change", args=[article.pk]), change)

    assert page.status_code == 302
    assert published_by_slug("contact-us").body_en != "Call 95555."
    assert KnowledgeArticle.objects.get(draft_of=article, status="draft").body_en == "Call 95555."


def test_a_slug_in_use_is_refused_on_the_field(root, bundled_kb):
    page = root.post(reverse("admin:care_knowledgearticle_add"), {**ARTICLE, "slug": "contact-us"})

    assert page.status_code == 200 and "belongs to a published" in page.content.decode()


def test_a_canned_reply_with_an_unknown_variable_is_refused_on_the_field(root):
    page = root.post(
        reverse("admin:care_cannedreply_add"),
        {"code": "x", "title_zh": "x", "title_en": "x", "body_zh": "{{ pin }}", "body_en": "ok",
         "is_active": "on"},
    )  # fmt: skip

    assert page.status_code == 200 and "pin" in page.content.decode()
    assert not CannedReply.objects.exists()
