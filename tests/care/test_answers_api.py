"""The answers API: borrowers search and answer surveys without signing in; the desk writes,
publishes and archives articles and fills in canned replies; bad input is a 422 naming the field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import Permission

from arrears.care.models import KnowledgeArticle, SatisfactionSurvey
from arrears.care.services.canned import load_bundled_canned_replies
from arrears.care.services.tickets import change_status
from arrears.identity.services import issue_token
from tests.api.conftest import ApiClient, assert_problem
from tests.care.answers_fixtures import *  # noqa: F403
from tests.care.answers_fixtures import at

pytestmark = pytest.mark.django_db

BASE = "/api/v1/care"
EDITOR = (
    "view_knowledgearticle",
    "add_knowledgearticle",
    "change_knowledgearticle",
    "delete_knowledgearticle",
    "view_cannedreply",
    "view_ticket",
)


@pytest.fixture
def editor(agent) -> ApiClient:  # type: ignore[no-untyped-def]
    agent.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="care", codename__in=EDITOR)
    )
    _token, secret = issue_token(user=agent, name="tests")
    return ApiClient(secret)


@pytest.fixture
def nobody(django_user_model) -> ApiClient:  # type: ignore[no-untyped-def]
    user = django_user_model.objects.create_user(username="visitor")
    _token, secret = issue_token(user=user, name="tests")
    return ApiClient(secret)


def new_draft(**changes: Any) -> dict[str, Any]:
    return {
        "slug": "pay-by-cheque",
        "title_en": "Paying by cheque",
        "title_zh": "支票还款",
        "body_en": "Post a cheque to our office.\nWrite your account number on the back.",
        "body_zh": "请把支票寄到我们的办公室。\n在背面写上账号。",
        "tags": ["cheque", "支票"],
        **changes,
    }


def send(client: ApiClient, method: str, path: str, body: Any = None) -> Any:
    return client.client.generic(
        method,
        path,
        data="" if body is None else json.dumps(body),
        content_type="application/json",
        headers=client.headers,
    )


def test_a_borrower_searches_without_signing_in_and_reads_the_article(bundled_kb):
    anonymous = ApiClient(None)

    found = anonymous.get(f"{BASE}/kb/search", q="扣款失败了", language="zh-hans")
    article = anonymous.get(f"{BASE}/kb/public/{found.json()[0]['slug']}", language="en")

    assert found.status_code == 200, found.content
    assert found.json()[0]["slug"] == "autopay-failed"
    assert article.json()["title"] == "What to do when an autopay payment fails"


def test_a_borrower_cannot_read_an_agent_only_article(bundled_kb):
    response = ApiClient(None).get(f"{BASE}/kb/public/agent-vulnerable-borrowers")

    assert_problem(response, 404)


def test_a_search_in_an_unknown_language_is_a_422_naming_it(bundled_kb):
    assert_problem(
        ApiClient(None).get(f"{BASE}/kb/search", q="fees", language="fr"), 422, "language"
    )


def test_the_desk_drafts_publishes_and_borrowers_find_it(editor):
    created = editor.post(f"{BASE}/kb/drafts", new_draft())
    article_id = created.json()["id"]
    published = editor.post(f"{BASE}/kb/articles/{article_id}/publish", {})

    assert created.status_code == 201, created.content
    assert published.status_code == 200 and published.json()["status"] == "published"
    hits = ApiClient(None).get(f"{BASE}/kb/search", q="cheque", language="en").json()
    assert [hit["id"] for hit in hits] == [article_id]


def test_an_edit_goes_live_only_when_published(editor):
    article_id = editor.post(f"{BASE}/kb/drafts", new_draft()).json()["id"]
    editor.post(f"{BASE}/kb/articles/{article_id}/publish", {})

    edit = editor.post(
        f"{BASE}/kb/drafts", new_draft(slug=None, draft_of=article_id, body_en="No cheques.")
    ).json()
    changed = send(editor, "PUT", f"{BASE}/kb/drafts/{edit['id']}", new_draft(body_en="None."))
    public = ApiClient(None).get(f"{BASE}/kb/public/pay-by-cheque", language="en").json()
    editor.post(f"{BASE}/kb/articles/{edit['id']}/publish", {})
    after = ApiClient(None).get(f"{BASE}/kb/public/pay-by-cheque", language="en").json()

    assert changed.status_code == 200 and changed.json()["draft_of"] == article_id
    assert public["body"].startswith("Post a cheque")
    assert after["body"] == "None."


def test_publishing_without_the_chinese_text_is_a_422_naming_it_and_changes_nothing(editor):
    article_id = editor.post(f"{BASE}/kb/drafts", new_draft(body_zh="")).json()["id"]

    response = editor.post(f"{BASE}/kb/articles/{article_id}/publish", {})

    assert_problem(response, 422, "body_zh")
    assert KnowledgeArticle.objects.get().status == "draft"


def test_a_draft_can_be_thrown_away_but_a_published_article_cannot(editor):
    article_id = editor.post(f"{BASE}/kb/drafts", new_draft()).json()["id"]
    other = editor.post(f"{BASE}/kb/drafts", new_draft(slug="other")).json()["id"]
    editor.post(f"{BASE}/kb/articles/{other}/publish", {})

    assert send(editor, "DELETE", f"{BASE}/kb/drafts/{article_id}").status_code == 204
    assert_problem(send(editor, "DELETE", f"{BASE}/kb/drafts/{other}"), 422, "article_id")
    assert list(KnowledgeArticle.objects.values_list("slug", flat=True)) == ["other"]


def test_the_desk_search_includes_agent_only_articles(editor, bundled_kb):
    desk = editor.get(f"{BASE}/kb/desk-search", q="弱势借款人", language="zh-hans")
    public = ApiClient(None).get(f"{BASE}/kb/search", q="弱势借款人", language="zh-hans")

    assert desk.json()[0]["slug"] == "agent-vulnerable-borrowers"
    assert "agent-vulnerable-borrowers" not in [hit["slug"] for hit in public.json()]


def test_writing_articles_needs_the_desks_permission(nobody):
    assert_problem(nobody.post(f"{BASE}/kb/drafts", new_draft()), 403)
    assert_problem(ApiClient(None).post(f"{BASE}/kb/drafts", new_draft()), 401)
    assert not KnowledgeArticle.objects.exists()


def test_an_agent_gets_suggestions_and_a_filled_in_canned_reply_for_a_ticket(
    editor, ticket, bundled_kb
):
    load_bundled_canned_replies()
    suggestions = editor.get(f"{BASE}/tickets/{ticket.reference}/kb-suggestions")
    replies = editor.get(f"{BASE}/canned-replies").json()
    greeting = next(r for r in replies if r["code"] == "greeting")

    rendered = editor.post(
        f"{BASE}/canned-replies/{greeting['id']}/render",
        {"ticket": ticket.reference, "language": "en"},
    )

    assert suggestions.json()[0]["slug"] == "early-repayment"
    assert rendered.status_code == 200, rendered.content
    assert ticket.reference in rendered.json()["text"] and "Fang Wang" in rendered.json()["text"]


def test_a_borrower_answers_a_survey_with_its_token_once(ticket, survey_templates):
    change_status(ticket=ticket, status="solved", at=at(11))
    token = SatisfactionSurvey.objects.get().token
    anonymous = ApiClient(None)

    answered = anonymous.post(f"{BASE}/surveys/{token}", {"score": 5, "comment": "谢谢"})
    again = anonymous.post(f"{BASE}/surveys/{token}", {"score": 1})
    bad = anonymous.post(f"{BASE}/surveys/{token}", {"score": 9})

    assert answered.status_code == 200, answered.content
    assert answered.json()["score"] == 5
    assert_problem(again, 409)
    assert_problem(bad, 422, "score")
    assert SatisfactionSurvey.objects.get().score == 5


def test_an_unknown_survey_token_is_a_404():
    response = ApiClient(None).post(f"{BASE}/surveys/not-a-real-token", {"score": 3})

    assert_problem(response, 404)
