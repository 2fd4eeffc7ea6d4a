"""Knowledge-base search finds the right article for borrowers' questions in both languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from arrears.core.care.search import (
    Article,
    KnowledgeIndex,
    articles_from_mapping,
    bigrams,
    stem,
    tokenize,
)
from arrears.core.errors import ValidationError

FIXTURE = Path(__file__).with_name("kb_fixture.yaml")


@pytest.fixture(scope="module")
def fixture() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(FIXTURE.read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def index(fixture: dict[str, Any]) -> KnowledgeIndex:
    return KnowledgeIndex(articles_from_mapping(fixture))


def hit_rates(index: KnowledgeIndex, questions: list[dict[str, str]]) -> tuple[float, float]:
    first = top_three = 0
    for question in questions:
        keys = [hit.key for hit in index.search(question["q"], limit=3)]
        first += keys[:1] == [question["article"]]
        top_three += question["article"] in keys
    return first / len(questions), top_three / len(questions)


def test_the_test_set_is_bilingual_and_covers_every_article(fixture: dict[str, Any]) -> None:
    questions = fixture["questions"]
    keys = {a["key"] for a in fixture["articles"]}

    assert len(keys) == 20
    assert {q["article"] for q in questions} == keys
    assert sum(q["language"] == "zh" for q in questions) >= 20
    assert sum(q["language"] == "en" for q in questions) >= 20


def test_the_right_article_is_in_the_top_three_for_most_questions(
    index: KnowledgeIndex, fixture: dict[str, Any]
) -> None:
    questions = fixture["questions"]
    at_1, at_3 = hit_rates(index, questions)
    per_language = {
        language: hit_rates(index, [q for q in questions if q["language"] == language])
        for language in ("zh", "en")
    }
    print(
        f"\nknowledge-base search, {len(questions)} questions: hit@1 {at_1:.3f}, hit@3 {at_3:.3f}; "
        + "; ".join(f"{lang} hit@1 {a:.3f} hit@3 {b:.3f}" for lang, (a, b) in per_language.items())
    )

    assert at_3 >= 0.8
    assert at_1 >= 0.7
    for _at_1, language_at_3 in per_language.values():
        assert language_at_3 >= 0.75


def test_a_two_character_chinese_query_falls_back_to_bigrams(index: KnowledgeIndex) -> None:
    hits = index.search("年费")

    assert hits[0].key == "annual_fee"
    assert hits[0].fallback


def test_a_word_jieba_cuts_differently_is_still_found_by_its_characters(
    index: KnowledgeIndex,
) -> None:
    hits = index.search("挂失")

    assert hits[0].key == "lost_card"


def test_a_language_filter_returns_that_language_only(index: KnowledgeIndex) -> None:
    hits = index.search("autopay 自动还款", language="zh")

    assert hits and all(hit.language == "zh" for hit in hits)


def test_the_title_outranks_a_passing_mention() -> None:
    articles = [
        Article("fees", "en", "Late fees", "A late fee is charged when you miss the minimum."),
        Article("pay", "en", "Ways to pay", "Pay online. Paying late means a late fee is charged."),
    ]
    hits = KnowledgeIndex(articles).search("late fee")

    assert [hit.key for hit in hits] == ["fees", "pay"]


def test_each_article_appears_once_whatever_its_languages(index: KnowledgeIndex) -> None:
    hits = index.search("autopay 自动还款", limit=10)

    assert len({hit.key for hit in hits}) == len(hits)


def test_words_are_cut_and_light_stemmed() -> None:
    assert tokenize("Charged LATE fees!") == ["charg", "lat", "fee"]
    assert stem("activation") == stem("activate") == "activ"
    assert "信用卡" in tokenize("我的信用卡怎么还款")
    assert "的" not in tokenize("我的信用卡怎么还款")
    assert bigrams("还款日 x 年") == ["还款", "款日", "年"]


def test_nothing_matches_nonsense(index: KnowledgeIndex) -> None:
    assert index.search("zzzz qqqq") == []


def test_bad_queries_and_articles_are_refused(index: KnowledgeIndex) -> None:
    with pytest.raises(ValidationError):
        index.search("fees", limit=0)
    with pytest.raises(ValidationError) as error:
        articles_from_mapping({"articles": [{"key": "x", "zh": {"title": "标题"}}]})
    assert error.value.field == "articles[0].zh"
