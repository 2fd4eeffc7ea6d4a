"""The bundled education articles and debt-advice services: loaded, checked, editable."""

from __future__ import annotations

import pytest

from arrears.core.errors import ValidationError
from arrears.hardship.choices import ArticleTopic
from arrears.hardship.models import Article, DebtAdviceService
from arrears.hardship.services import load_articles, load_debt_advice

pytestmark = pytest.mark.django_db


def test_the_bundled_articles_cover_every_topic_in_both_languages():
    load_articles()
    articles = list(Article.objects.all())
    assert {a.topic for a in articles} == set(ArticleTopic.values)
    for article in articles:
        for text in (article.title_zh, article.body_zh):
            assert any("\u4e00" <= char <= "\u9fff" for char in text), article.slug
        assert article.body_en.isascii() or "—" in article.body_en, article.slug
        assert len(article.body_en) < 2000, "short"


def test_free_debt_advice_is_bundled_for_china_the_us_the_uk_and_ireland():
    load_debt_advice()
    by = {s.code: s for s in DebtAdviceService.objects.all()}
    assert {"CN", "US", "UK", "IE"} <= {s.jurisdiction for s in by.values()}
    assert by["uk-moneyhelper"].url.startswith("https://www.moneyhelper.org.uk")
    assert by["ie-mabs"].phone == "0818 07 2000"
    assert by["us-nfcc"].phone == "1-800-388-2227"
    assert by["cn-12378"].phone == "12378"


def test_loading_again_keeps_what_a_lender_edited():
    load_articles()
    Article.objects.filter(slug="budgeting-basics").update(
        title_en="Our budgeting guide", is_bundled=False
    )
    counts = load_articles()
    assert counts["kept"] == 1 and counts["created"] == 0
    assert Article.objects.get(slug="budgeting-basics").title_en == "Our budgeting guide"


def test_a_bad_article_file_names_the_entry_and_loads_nothing(tmp_path):
    Article.objects.all().delete()
    path = tmp_path / "articles.yaml"
    path.write_text(
        "- {slug: ok, topic: budgeting, title_en: A, title_zh: 甲, body_en: B, body_zh: 乙}\n"
        "- {slug: bad, topic: budgeting, title_en: A, title_zh: 甲, body_en: B}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as error:
        load_articles(path=path)
    assert error.value.field == "articles[1].body_zh"
    assert not Article.objects.exists()
