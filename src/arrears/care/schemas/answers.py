"""Input and output schemas of the answers API: knowledge base, canned replies, surveys."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints

from arrears.care.choices import ArticleStatus
from arrears.care.models import CannedReply, KnowledgeArticle
from arrears.care.selectors.knowledge import ArticleHit, article_text
from arrears.common.schemas import InputSchema, Text

Language = Annotated[str, StringConstraints(pattern=r"^(zh-hans|en)$")]


def _paragraphs(value: str) -> str:
    """Text of several lines: newlines and tabs are fine, other control characters are not."""
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\r\t" for c in value):
        raise ValueError(_("must not contain control characters"))
    return value


Body = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_paragraphs)]
Title = Annotated[Text, StringConstraints(max_length=200)]
Tag = Annotated[Text, StringConstraints(min_length=1, max_length=60)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=120)]


class ArticleHitOut(Schema):
    id: int
    slug: str
    title: str
    summary: str = Field(description="the start of the text, in the asked language")
    score: float = Field(description="BM25 relevance; only the order matters")
    matched_language: str = Field(description="the version the query matched: zh-hans or en")

    @classmethod
    def of(cls, hit: ArticleHit) -> ArticleHitOut:
        return cls(
            id=hit.article.pk,
            slug=hit.article.slug,
            title=hit.title,
            summary=hit.summary,
            score=hit.score,
            matched_language=hit.matched_language,
        )


class PublicArticleOut(Schema):
    """An article as a borrower reads it, in one language."""

    slug: str
    language: str
    title: str
    body: str
    updated_at: dt.datetime

    @classmethod
    def of(cls, article: KnowledgeArticle, language: str) -> PublicArticleOut:
        title, body = article_text(article, language)
        return cls(
            slug=article.slug,
            language=language,
            title=title,
            body=body,
            updated_at=article.updated_at,
        )


class ArticleOut(Schema):
    """An article as the desk edits it: both languages, status, where its draft is."""

    id: int
    slug: str
    status: ArticleStatus
    draft_of: int | None
    title_en: str
    title_zh: str
    body_en: str
    body_zh: str
    tags: list[str]
    for_borrowers: bool
    updated_at: dt.datetime
    published_at: dt.datetime | None

    @classmethod
    def of(cls, article: KnowledgeArticle) -> ArticleOut:
        return cls(
            id=article.pk,
            slug=article.slug,
            status=ArticleStatus(article.status),
            draft_of=article.draft_of_id,
            title_en=article.title_en,
            title_zh=article.title_zh,
            body_en=article.body_en,
            body_zh=article.body_zh,
            tags=list(article.tags or []),
            for_borrowers=article.for_borrowers,
            updated_at=article.updated_at,
            published_at=article.published_at,
        )


class ArticleFilters(Schema):
    status: ArticleStatus | None = None
    for_borrowers: bool | None = None


class DraftIn(InputSchema):
    """A new article's draft (`slug` required), or an edit of a published one (`draft_of`)."""

    slug: Slug | None = Field(None, description="required for a new article")
    draft_of: int | None = Field(None, ge=1, description="the published article this edits")
    title_en: Title = ""
    title_zh: Title = ""
    body_en: Body = ""
    body_zh: Body = ""
    tags: list[Tag] = Field(default_factory=list, max_length=30)
    for_borrowers: bool = True


class CannedReplyOut(Schema):
    id: int
    code: str
    team: str | None
    title_en: str
    title_zh: str
    body_en: str
    body_zh: str

    @classmethod
    def of(cls, reply: CannedReply) -> CannedReplyOut:
        return cls(
            id=reply.pk,
            code=reply.code,
            team=reply.team.code if reply.team_id and reply.team else None,
            title_en=reply.title_en,
            title_zh=reply.title_zh,
            body_en=reply.body_en,
            body_zh=reply.body_zh,
        )


class RenderIn(InputSchema):
    ticket: Annotated[Text, StringConstraints(min_length=1, max_length=20)] = Field(
        description="the ticket's reference, e.g. T0000042"
    )
    language: Language | None = Field(None, description="default: the ticket's language")


class RenderedOut(Schema):
    text: str


class SurveyAnswerIn(InputSchema):
    score: int = Field(ge=1, le=5, description="1 (poor) to 5 (very good)")
    comment: Body = ""


class SurveyAnsweredOut(Schema):
    score: int
    answered_at: dt.datetime
    message: str
