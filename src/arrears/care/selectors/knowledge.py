"""Reading the knowledge base: search for borrowers and agents, suggestions while replying.

The search index (`core.care.search.KnowledgeIndex`, jieba + BM25) is built from the published
articles and cached in the process. Before each search one small query reads a stamp of the
published and archived rows (how many, the latest change, the newest id): a publish, an edit
going live or an archive changes it, so the next search rebuilds the index and never answers
from a stale one, in this process or any other.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, QuerySet
from django.utils.translation import gettext as _

from arrears.care.choices import ArticleStatus, MessageDirection
from arrears.care.models import KnowledgeArticle, Ticket
from arrears.core.care.search import Article, KnowledgeIndex
from arrears.core.errors import NotFound, ValidationError

#: The desk's languages and the core index's names for them.
LANGUAGES = {"zh-hans": "zh", "en": "en"}
MAX_QUERY = 500
MAX_LIMIT = 20


@dataclass(frozen=True)
class ArticleHit:
    """One article found, shown in the asked language."""

    article: KnowledgeArticle
    title: str
    summary: str
    score: float
    matched_language: str  # the version the query matched: zh-hans or en
    fallback: bool  # found by Chinese character pairs (a very short query)


class _IndexCache:
    """One index per audience (borrowers / everyone), rebuilt when the stamp moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: dict[bool, tuple[tuple[Any, ...], KnowledgeIndex, dict[int, Any]]] = {}

    def get(self, *, for_borrowers: bool) -> tuple[KnowledgeIndex, dict[int, KnowledgeArticle]]:
        stamp = index_stamp()
        built = self._built.get(for_borrowers)
        if built is not None and built[0] == stamp:
            return built[1], built[2]
        with self._lock:
            rows = published_articles(for_borrowers=for_borrowers)
            index = KnowledgeIndex(index_versions(rows))
            self._built[for_borrowers] = (stamp, index, {a.pk: a for a in rows})
            return index, {a.pk: a for a in rows}

    def clear(self) -> None:
        with self._lock:
            self._built.clear()


INDEX_CACHE = _IndexCache()


def index_stamp() -> tuple[Any, ...]:
    """What changes whenever the published set or a published text changes."""
    rows = (
        KnowledgeArticle.objects.filter(
            status__in=[ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED]
        )
        .values("status")
        .annotate(n=Count("id"), last=Max("updated_at"), newest=Max("id"))
        .order_by("status")
    )
    return tuple((r["status"], r["n"], r["last"], r["newest"]) for r in rows)


def index_versions(rows: Sequence[Any]) -> list[Article]:
    """Each article's two language versions; its tags count as body words in both."""
    versions = []
    for row in rows:
        tags = " ".join(row.tags or [])
        versions.append(Article(str(row.pk), "zh", row.title_zh, f"{row.body_zh} {tags}"))
        versions.append(Article(str(row.pk), "en", row.title_en, f"{row.body_en} {tags}"))
    return versions


def published_articles(*, for_borrowers: bool = True) -> list[KnowledgeArticle]:
    """The live knowledge base, by slug (borrowers' articles only unless told otherwise)."""
    rows = KnowledgeArticle.objects.filter(status=ArticleStatus.PUBLISHED, draft_of__isnull=True)
    if for_borrowers:
        rows = rows.filter(for_borrowers=True)
    return list(rows.order_by("slug"))


def search_articles(
    query: str, *, language: str, for_borrowers: bool = True, limit: int = 5
) -> list[ArticleHit]:
    """The published articles that best answer `query` (Chinese, English or both), best first.

    Both language versions are searched, so a question typed in English in a Chinese page is
    still answered; each hit is shown in `language`.
    """
    if language not in LANGUAGES:
        raise ValidationError("language", _("must be zh-hans or en"))
    query = (query or "").strip()
    if not query:
        raise ValidationError("q", _("type a question or a few words"))
    if len(query) > MAX_QUERY:
        raise ValidationError("q", _("must be at most 500 characters"))
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError("limit", _("must be between 1 and 20"))
    index, by_id = INDEX_CACHE.get(for_borrowers=for_borrowers)
    return [
        _hit(by_id[int(hit.key)], language, hit.score, hit.language, hit.fallback)
        for hit in index.search(query, limit=limit)
    ]


def _hit(
    article: KnowledgeArticle, language: str, score: float, matched: str, fallback: bool
) -> ArticleHit:
    title, body = article_text(article, language)
    summary = body if len(body) <= 160 else body[:157].rstrip() + "…"
    return ArticleHit(
        article, title, summary, round(score, 4), "zh-hans" if matched == "zh" else "en", fallback
    )


def article_text(article: KnowledgeArticle, language: str) -> tuple[str, str]:
    """(title, body) in `language`, the other language where that one is missing."""
    zh = (article.title_zh, article.body_zh)
    en = (article.title_en, article.body_en)
    first, other = (zh, en) if language == "zh-hans" else (en, zh)
    return (first[0] or other[0], first[1] or other[1])


def suggest_for_ticket(ticket: Ticket, *, limit: int = 3) -> list[ArticleHit]:
    """Articles for the agent replying on `ticket`: its subject and the borrower's last message.

    Agents see agent-only articles too. No words to go on: no suggestions.
    """
    last = (
        ticket.messages.filter(direction=MessageDirection.INBOUND)
        .order_by("-created_at", "-id")
        .values_list("body", flat=True)
        .first()
    )
    query = f"{ticket.subject} {last or ''}".strip()[:MAX_QUERY]
    if not query:
        return []
    language = ticket.language if ticket.language in LANGUAGES else "zh-hans"
    return search_articles(query, language=language, for_borrowers=False, limit=limit)


def articles(
    *, status: str | None = None, for_borrowers: bool | None = None
) -> QuerySet[KnowledgeArticle]:
    """Articles for the desk's list: drafts, published, archived (revisions left out)."""
    rows = KnowledgeArticle.objects.filter(draft_of__isnull=True)
    if status:
        rows = rows.filter(status=status)
    if for_borrowers is not None:
        rows = rows.filter(for_borrowers=for_borrowers)
    return rows.order_by("slug")


def drafts() -> QuerySet[KnowledgeArticle]:
    """Every draft: new articles and edits of published ones."""
    return KnowledgeArticle.objects.filter(status=ArticleStatus.DRAFT).order_by("slug", "id")


def article_by_id(article_id: int) -> KnowledgeArticle:
    article = KnowledgeArticle.objects.filter(pk=article_id).first()
    if article is None:
        raise NotFound(_("No such article."))
    return article


def published_by_slug(slug: str, *, for_borrowers: bool = True) -> KnowledgeArticle:
    """The live article at this address (borrowers cannot read agent-only ones)."""
    rows = KnowledgeArticle.objects.filter(
        slug=slug, status=ArticleStatus.PUBLISHED, draft_of__isnull=True
    )
    if for_borrowers:
        rows = rows.filter(for_borrowers=True)
    article = rows.first()
    if article is None:
        raise NotFound(_("No such article."))
    return article


def revisions_of(article: KnowledgeArticle) -> QuerySet[KnowledgeArticle]:
    """The texts a published article had before, newest first."""
    return article.drafts.filter(status=ArticleStatus.ARCHIVED).order_by("-updated_at", "-id")
