"""Knowledge-base search in Chinese and English (知识库检索): BM25 with a boosted title.

Text is cut into words first: Chinese runs by jieba in search mode (信用卡 gives 信用,
信用卡, so a borrower who types 信用 still matches), English by lower-casing, dropping
punctuation and stop words, and a light suffix stemmer (payments → pay, charged →
charg, fees → fee). Titles count `title_weight` times (BM25F-style term frequency), so an
article about autopay outranks one that mentions it in passing.

Very short Chinese queries (还款, 年费: one or two words that jieba may cut differently from
the article) fall back to character bigrams, scored the same way over a bigram index; a query
whose words match nothing falls back too.

jieba loads its dictionary (about a second) once, lazily, on the first search or index; the
lender's words (最低还款额, 滞纳金 …) are added so they stay whole.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from arrears.core.errors import ValidationError

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")
_SPLIT = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")

#: Words in the lender's vocabulary that jieba's general dictionary would otherwise split.
LENDER_WORDS = (
    "最低还款额", "还款日", "账单日", "滞纳金", "自动还款", "自动扣款", "还款方式", "提前还款",
    "分期", "账单分期", "征信", "逾期", "免息期", "年费", "激活", "挂失", "还款计划", "投诉",
    "异议", "对账单", "电子账单", "扣款失败", "银行卡", "信用卡", "客服", "困难", "减免",
)  # fmt: skip


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH_STOP_WORDS = _word_set(
    "a an and are as at be but by can do does for from had has have how i if in is it its my "
    "of on or our so that the their them then there these this to was we what when where "
    "which who why will with you your me am been being did get got"
)
CHINESE_STOP_WORDS = _word_set(
    "的 了 吗 呢 吧 啊 我 你 您 是 在 和 与 或 怎么 怎样 如何 什么 为什么 哪里 可以 能 会 要 想 "
    "请问 一下 这个 那个 有 没有 就 都 也 还 把 被 对 从 到 让"
)
_SUFFIXES = ("ations", "ation", "ating", "ated", "ates", "ate", "ments", "ment", "ings", "ing",
             "ies", "ied", "ers", "er", "ed", "es", "s", "ly")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Article:
    """One language version of a knowledge-base article; versions share a `key`."""

    key: str
    language: str
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class Hit:
    key: str
    language: str
    title: str
    score: float
    fallback: bool  # found by character bigrams (a very short query)


class _Segmenter:
    """jieba, loaded once and on first use, with the lender's words added."""

    _lock = threading.Lock()
    _tokenizer: Any = None

    @classmethod
    def cut(cls, text: str) -> list[str]:
        tokenizer = cls._tokenizer
        if tokenizer is None:
            tokenizer = cls._load()
        return [str(word) for word in tokenizer.cut_for_search(text)]

    @classmethod
    def _load(cls) -> Any:
        with cls._lock:
            if cls._tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in LENDER_WORDS:
                    tokenizer.add_word(word)
                cls._tokenizer = tokenizer
            return cls._tokenizer


def stem(word: str) -> str:
    """A light English stemmer: strip one common suffix, then a final e, keeping 3+ letters.

    charge, charges, charged → charg; activate, activation → activ; fees → fee.
    """
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Words of mixed Chinese and English text, lower-cased, stemmed, stop words dropped."""
    words: list[str] = []
    for part in _SPLIT.split(text.lower()):
        if not part:
            continue
        if _CJK.fullmatch(part):
            words.extend(w for w in _Segmenter.cut(part) if w not in CHINESE_STOP_WORDS)
        else:
            words.extend(stem(w) for w in _WORD.findall(part) if w not in ENGLISH_STOP_WORDS)
    return words


def bigrams(text: str) -> list[str]:
    """Chinese character bigrams (and a lone character as itself) of the text's CJK runs."""
    grams: list[str] = []
    for run in _CJK.findall(text):
        if len(run) == 1:
            grams.append(run)
        else:
            grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return grams


class _Bm25:
    """Okapi BM25 over documents given as (title terms, body terms)."""

    def __init__(
        self,
        docs: Sequence[tuple[list[str], list[str]]],
        *,
        k1: float,
        b: float,
        title_weight: float,
    ) -> None:
        self.k1, self.b = k1, b
        self.frequencies: list[dict[str, float]] = []
        self.lengths: list[float] = []
        document_frequency: Counter[str] = Counter()
        for title, body in docs:
            counts: dict[str, float] = dict(Counter(body))
            for term, count in Counter(title).items():
                counts[term] = counts.get(term, 0.0) + title_weight * count
            self.frequencies.append(counts)
            self.lengths.append(len(body) + title_weight * len(title))
            document_frequency.update(counts.keys())
        size = len(docs)
        self.average_length = (sum(self.lengths) / size) if size else 0.0
        self.idf = {
            term: math.log(1.0 + (size - df + 0.5) / (df + 0.5))
            for term, df in document_frequency.items()
        }

    def scores(self, terms: Iterable[str]) -> list[float]:
        wanted = [t for t in dict.fromkeys(terms) if t in self.idf]
        result = []
        for counts, length in zip(self.frequencies, self.lengths, strict=True):
            norm = self.k1 * (1.0 - self.b + self.b * length / (self.average_length or 1.0))
            score = 0.0
            for term in wanted:
                tf = counts.get(term, 0.0)
                if tf:
                    score += self.idf[term] * tf * (self.k1 + 1.0) / (tf + norm)
            result.append(score)
        return result


class KnowledgeIndex:
    """An in-memory index of article versions; build it once, search it many times."""

    def __init__(
        self,
        articles: Iterable[Article],
        *,
        k1: float = 1.2,
        b: float = 0.75,
        title_weight: float = 3.0,
        short_query_chars: int = 3,
    ) -> None:
        self.articles = tuple(articles)
        self.short_query_chars = short_query_chars
        self._words = _Bm25(
            [(tokenize(a.title), tokenize(a.body)) for a in self.articles],
            k1=k1, b=b, title_weight=title_weight,
        )  # fmt: skip
        self._bigrams = _Bm25(
            [(bigrams(a.title), bigrams(a.body)) for a in self.articles],
            k1=k1, b=b, title_weight=title_weight,
        )  # fmt: skip

    def search(self, query: str, *, limit: int = 5, language: str | None = None) -> list[Hit]:
        """The best article versions for the query, at most one per article key, best first."""
        if not isinstance(query, str):
            raise ValidationError("query", "must be text")
        if limit < 1:
            raise ValidationError("limit", "must be at least 1")
        words = tokenize(query)
        chinese = "".join(_CJK.findall(query))
        short = (
            bool(chinese)
            and len(chinese) <= self.short_query_chars
            and not _WORD.search(query.lower())
        )
        scores = [] if short else self._words.scores(words)
        fallback = short or not any(scores)
        if fallback:
            scores = self._bigrams.scores(bigrams(query))
        ranked = sorted(
            (i for i, score in enumerate(scores) if score > 0
             and (language is None or self.articles[i].language == language)),
            key=lambda i: (-scores[i], self.articles[i].key, self.articles[i].language),
        )  # fmt: skip
        hits: list[Hit] = []
        seen: set[str] = set()
        for i in ranked:
            article = self.articles[i]
            if article.key in seen:
                continue
            seen.add(article.key)
            hits.append(Hit(article.key, article.language, article.title, scores[i], fallback))
            if len(hits) == limit:
                break
        return hits


def articles_from_mapping(data: Mapping[str, Any]) -> list[Article]:
    """Read ``{articles: [{key, zh: {title, body}, en: {title, body}}]}`` (YAML/JSON)."""
    items = data.get("articles")
    if not isinstance(items, list):
        raise ValidationError("articles", "must be a list")
    articles = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping) or not isinstance(item.get("key"), str):
            raise ValidationError(f"articles[{i}].key", "is required")
        for language in ("zh", "en"):
            version = item.get(language)
            if version is None:
                continue
            if not isinstance(version, Mapping) or not all(
                isinstance(version.get(f), str) for f in ("title", "body")
            ):
                raise ValidationError(f"articles[{i}].{language}", "needs a title and a body")
            articles.append(Article(item["key"], language, version["title"], version["body"]))
    return articles
