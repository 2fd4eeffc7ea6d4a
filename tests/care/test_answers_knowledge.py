"""The knowledge base: drafts, publishing both languages, edits that go live only when
published, archiving, the bundled articles, and search that is never stale."""

from __future__ import annotations

import pytest

from arrears.care.choices import ArticleStatus
from arrears.care.models import KnowledgeArticle
from arrears.care.selectors.knowledge import (
    published_by_slug,
    revisions_of,
    search_articles,
    suggest_for_ticket,
)
from arrears.care.services.knowledge import (
    archive_article,
    bundled_articles,
    discard_draft,
    load_bundled_articles,
    publish_article,
    save_draft,
)
from arrears.core.errors import Conflict, NotFound, ValidationError
from tests.care.answers_fixtures import *  # noqa: F403
from tests.care.answers_fixtures import at

pytestmark = pytest.mark.django_db


def draft(**changes):  # type: ignore[no-untyped-def]
    fields = {
        "slug": "pay-by-cheque",
        "title_en": "Paying by cheque",
        "title_zh": "支票还款",
        "body_en": "We accept cheques posted to our office.",
        "body_zh": "您可以把支票寄到我们的办公室。",
        "tags": ["cheque", "支票"],
        "for_borrowers": True,
        "by": None,
        "at": at(9),
    }
    fields.update(changes)
    return save_draft(**fields)


def test_a_new_article_is_a_draft_that_borrowers_cannot_find():
    article = draft()

    assert article.status == ArticleStatus.DRAFT and article.published_at is None
    assert search_articles("cheque", language="en") == []


def test_publishing_needs_both_languages_and_names_the_missing_field():
    article = draft(body_zh="")

    with pytest.raises(ValidationError) as error:
        publish_article(article=article, by=None, at=at(10))

    assert error.value.field == "body_zh"
    assert KnowledgeArticle.objects.get().status == ArticleStatus.DRAFT


def test_a_published_article_is_found_in_both_languages():
    published = publish_article(article=draft(), by=None, at=at(10))

    english = search_articles("pay by cheque", language="en")
    chinese = search_articles("支票", language="zh-hans")

    assert [hit.article.pk for hit in english] == [published.pk]
    assert english[0].title == "Paying by cheque"
    assert chinese[0].title == "支票还款" and chinese[0].fallback
    assert published.published_at == at(10)


def test_editing_a_published_article_leaves_borrowers_reading_the_old_text_until_published():
    published = publish_article(article=draft(), by=None, at=at(10))

    edit = draft(draft_of=published, body_en="Cheques are no longer accepted.", at=at(11))
    again = draft(draft_of=published, body_en="We stopped taking cheques in 2025.", at=at(12))

    assert edit.pk == again.pk and again.slug == published.slug
    assert published_by_slug("pay-by-cheque").body_en == "We accept cheques posted to our office."
    assert search_articles("stopped", language="en") == []


def test_publishing_an_edit_keeps_the_address_and_first_publication_and_keeps_the_old_text():
    published = publish_article(article=draft(), by=None, at=at(10))
    search_articles("cheque", language="en")  # the index is built and cached
    edit = draft(draft_of=published, body_en="We stopped taking cheques in 2025.", at=at(11))

    live = publish_article(article=edit, by=None, at=at(12))

    assert live.pk == published.pk and live.slug == "pay-by-cheque"
    assert live.published_at == at(10) and live.updated_at == at(12)
    assert live.body_en == "We stopped taking cheques in 2025."
    assert [r.body_en for r in revisions_of(live)] == ["We accept cheques posted to our office."]
    assert [h.article.pk for h in search_articles("stopped", language="en")] == [published.pk]
    assert not KnowledgeArticle.objects.filter(status=ArticleStatus.DRAFT).exists()


def test_search_never_answers_from_a_stale_index_even_at_the_same_instant():
    published = publish_article(article=draft(), by=None, at=at(10))
    assert search_articles("cheque", language="en")
    edit = draft(draft_of=published, body_en="Only bank transfers now.", at=at(10))

    publish_article(article=edit, by=None, at=at(10))

    assert search_articles("transfers", language="en")
    assert search_articles("accept cheques posted office", language="en")[0].summary == (
        "Only bank transfers now."
    )
    archive_article(article=published, by=None, at=at(10))
    assert search_articles("cheque", language="en") == []


def test_an_archived_article_is_gone_for_borrowers_with_its_pending_draft():
    published = publish_article(article=draft(), by=None, at=at(10))
    draft(draft_of=published, body_en="Pending change.", at=at(11))

    archive_article(article=published, by=None, at=at(12))

    with pytest.raises(NotFound):
        published_by_slug("pay-by-cheque")
    assert not KnowledgeArticle.objects.filter(status=ArticleStatus.DRAFT).exists()


def test_a_slug_in_use_by_a_published_article_cannot_start_a_second_article():
    publish_article(article=draft(), by=None, at=at(10))

    with pytest.raises(ValidationError) as error:
        draft(title_en="Another")

    assert error.value.field == "slug"


def test_two_new_drafts_racing_for_one_slug_cannot_both_be_published():
    first = draft()
    second = KnowledgeArticle.objects.create(
        slug="pay-by-cheque", status="draft", title_en="x", title_zh="x", body_en="x",
        body_zh="x", updated_at=at(9),
    )  # fmt: skip
    publish_article(article=first, by=None, at=at(10))

    with pytest.raises(ValidationError) as error:
        publish_article(article=second, by=None, at=at(11))

    assert error.value.field == "slug"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slug": "Not A Slug!"}, "slug"),
        ({"title_en": "x" * 201}, "title_en"),
        ({"tags": "cheque"}, "tags"),
        ({"tags": ["ok", ""]}, "tags"),
    ],
)
def test_bad_drafts_name_the_field_and_write_nothing(changes, field):
    with pytest.raises(ValidationError) as error:
        draft(**changes)

    assert error.value.field == field
    assert not KnowledgeArticle.objects.exists()


def test_only_drafts_are_published_or_discarded():
    published = publish_article(article=draft(), by=None, at=at(10))

    with pytest.raises(Conflict):
        publish_article(article=published, by=None, at=at(11))
    with pytest.raises(Conflict):
        discard_draft(article=published)
    edit = draft(draft_of=published, body_en="Changed my mind.", at=at(11))
    discard_draft(article=edit)
    assert published_by_slug("pay-by-cheque").body_en == "We accept cheques posted to our office."


def test_agent_only_articles_are_hidden_from_borrowers_but_suggested_to_agents(ticket):
    article = publish_article(
        article=draft(for_borrowers=False, title_en="Early payoff quotes", title_zh="提前还款报价"),
        by=None,
        at=at(10),
    )

    assert all(h.article.pk != article.pk for h in search_articles("提前还款", language="zh-hans"))
    assert article.pk in [h.article.pk for h in suggest_for_ticket(ticket, limit=5)]


def test_the_bundled_articles_are_bilingual_useful_and_loaded_once(bundled_kb):
    again = load_bundled_articles()

    assert 25 <= len(bundled_kb) <= 40 and again == []
    assert KnowledgeArticle.objects.count() == len(bundled_articles())
    for article in bundled_kb:
        assert article.status == ArticleStatus.PUBLISHED
        assert all(getattr(article, f) for f in ("title_en", "title_zh", "body_en", "body_zh"))
        assert "  " not in article.body_zh and " 。" not in article.body_zh


def test_a_lender_edit_of_a_bundled_article_survives_reloading(bundled_kb):
    article = KnowledgeArticle.objects.get(slug="contact-us")
    edit = draft(
        draft_of=article,
        slug="contact-us",
        title_en="Contact us",
        title_zh="联系我们",
        body_en="Call 95555, 8:00 to 20:00 every day.",
        body_zh="请拨打95555，每天8:00至20:00。",
        at=at(11),
    )
    publish_article(article=edit, by=None, at=at(12))

    load_bundled_articles()

    assert published_by_slug("contact-us").body_en == "Call 95555, 8:00 to 20:00 every day."


def test_an_agent_replying_on_a_ticket_is_offered_the_article_that_answers_it(bundled_kb, ticket):
    slugs = [hit.article.slug for hit in suggest_for_ticket(ticket)]

    assert slugs[0] == "early-repayment"


def test_a_search_without_words_or_with_an_unknown_language_names_the_field(bundled_kb):
    with pytest.raises(ValidationError) as empty:
        search_articles("  ", language="en")
    with pytest.raises(ValidationError) as language:
        search_articles("fees", language="fr")

    assert (empty.value.field, language.value.field) == ("q", "language")
