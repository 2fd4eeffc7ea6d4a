"""The knowledge base 知识库: drafts, publishing, archiving, and the bundled articles.

An article is written as a draft and published when both its Chinese and English versions are
complete. Editing a published article never touches what borrowers read: the edit is the
article's one draft (`draft_of` set), and publishing it copies the text onto the published row,
so its slug (its address) and first `published_at` stay. The text it replaced is kept as an
archived revision (the draft row itself, swapped), so the history of what borrowers were told
survives. Search (`selectors.knowledge`) sees a publish or an archive at once: its cached index
is keyed by a stamp of the published rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from arrears.care.choices import ArticleStatus
from arrears.care.models import KnowledgeArticle
from arrears.core.clock import Clock, SystemClock
from arrears.core.errors import Conflict, ValidationError

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "data" / "knowledge"
SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
TEXT_FIELDS = ("title_en", "title_zh", "body_en", "body_zh")
MAX_TITLE = 200
MAX_TAGS = 30
_CJK_GAP = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])"
)


def _now(at: dt.datetime | None, clock: Clock | None) -> dt.datetime:
    return at or (clock or SystemClock()).now()


def check_draft_fields(
    *, slug: str, title_en: str, title_zh: str, tags: list[Any]
) -> tuple[str, list[str]]:
    """The slug (lower-cased) and tags (trimmed, once each) of a draft, or a field-named error."""
    slug = slug.strip().lower()
    if not SLUG.fullmatch(slug) or len(slug) > 120:
        raise ValidationError(
            "slug", _("use 1 to 120 lower-case letters, digits, hyphens or underscores")
        )
    for field, title in (("title_en", title_en), ("title_zh", title_zh)):
        if len(title) > MAX_TITLE:
            raise ValidationError(field, _("must be at most 200 characters"))
    words = [tag.strip() for tag in tags if isinstance(tag, str) and tag.strip()]
    if len(words) != len(tags) or len(words) > MAX_TAGS:
        raise ValidationError("tags", _("must be a list of at most 30 non-empty words"))
    return slug, list(dict.fromkeys(words))


@transaction.atomic
def save_draft(
    *,
    slug: str,
    title_en: str,
    title_zh: str,
    body_en: str,
    body_zh: str,
    tags: Iterable[str],
    for_borrowers: bool,
    by: Any,
    draft_of: KnowledgeArticle | None = None,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> KnowledgeArticle:
    """Write a new article's draft, or the one draft of a published article (`draft_of`).

    Saving again updates the same draft. A draft may lack one language; publishing needs both.
    """
    now = _now(at, clock)
    if isinstance(tags, str):
        raise ValidationError("tags", _("must be a list of words"))
    tags = list(tags)
    if draft_of is not None:
        draft_of = KnowledgeArticle.objects.select_for_update().get(pk=draft_of.pk)
        if draft_of.status != ArticleStatus.PUBLISHED or draft_of.draft_of_id:
            raise ValidationError("draft_of", _("must be a published article"))
        slug = draft_of.slug
    slug, tags = check_draft_fields(slug=slug, title_en=title_en, title_zh=title_zh, tags=tags)
    if draft_of is not None:
        draft = draft_of.drafts.filter(status=ArticleStatus.DRAFT).first()
    else:
        articles = KnowledgeArticle.objects.select_for_update().filter(
            slug=slug, draft_of__isnull=True
        )
        if articles.exclude(status=ArticleStatus.DRAFT).exists():
            raise ValidationError(
                "slug", _("belongs to a published or archived article: edit that one")
            )
        draft = articles.first()
    draft = draft or KnowledgeArticle(slug=slug, status=ArticleStatus.DRAFT, draft_of=draft_of)
    draft.title_en, draft.title_zh = title_en.strip(), title_zh.strip()
    draft.body_en, draft.body_zh = body_en.strip(), body_zh.strip()
    draft.tags, draft.for_borrowers = tags, bool(for_borrowers)
    draft.updated_at, draft.updated_by = now, by
    draft.save()
    return draft


@transaction.atomic
def publish_article(
    *,
    article: KnowledgeArticle,
    by: Any,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> KnowledgeArticle:
    """Publish a draft (both languages needed); returns the published article.

    A draft of a published article replaces its text; the replaced text is kept as an archived
    revision of it.
    """
    now = _now(at, clock)
    draft = KnowledgeArticle.objects.select_for_update().get(pk=article.pk)
    if draft.status != ArticleStatus.DRAFT:
        raise Conflict(_("Only a draft can be published; this article is %(status)s.")
                       % {"status": draft.status})  # fmt: skip
    for field in TEXT_FIELDS:
        if not getattr(draft, field).strip():
            raise ValidationError(field, _("is required to publish (both languages)"))
    if draft.draft_of_id is None:
        taken = KnowledgeArticle.objects.filter(slug=draft.slug, draft_of__isnull=True)
        if taken.exclude(pk=draft.pk).exclude(status=ArticleStatus.DRAFT).exists():
            raise ValidationError(
                "slug", _("belongs to a published or archived article: edit that one")
            )
        draft.status = ArticleStatus.PUBLISHED
        draft.published_at, draft.updated_at, draft.updated_by = now, now, by
        draft.save()
        return draft
    published = KnowledgeArticle.objects.select_for_update().get(pk=draft.draft_of_id)
    replaced = {f: getattr(published, f) for f in (*TEXT_FIELDS, "tags", "for_borrowers")}
    replaced_at, replaced_by = published.updated_at, published.updated_by
    for field in (*TEXT_FIELDS, "tags", "for_borrowers"):
        setattr(published, field, getattr(draft, field))
    published.updated_at, published.updated_by = max(now, published.updated_at), by
    published.save()
    for field, value in replaced.items():  # the draft row becomes the revision it replaced
        setattr(draft, field, value)
    draft.status = ArticleStatus.ARCHIVED
    draft.published_at, draft.updated_at, draft.updated_by = replaced_at, replaced_at, replaced_by
    draft.save()
    return published


@transaction.atomic
def archive_article(
    *,
    article: KnowledgeArticle,
    by: Any,
    at: dt.datetime | None = None,
    clock: Clock | None = None,
) -> KnowledgeArticle:
    """Take a published article out of the knowledge base (its pending draft goes with it)."""
    now = _now(at, clock)
    article = KnowledgeArticle.objects.select_for_update().get(pk=article.pk)
    if article.status != ArticleStatus.PUBLISHED:
        raise Conflict(_("Only a published article can be archived."))
    article.drafts.filter(status=ArticleStatus.DRAFT).delete()
    article.status = ArticleStatus.ARCHIVED
    article.updated_at, article.updated_by = max(now, article.updated_at), by
    article.save(update_fields=["status", "updated_at", "updated_by"])
    return article


@transaction.atomic
def discard_draft(*, article: KnowledgeArticle) -> None:
    """Throw a draft away (a published article it edits is left as it is)."""
    if article.status != ArticleStatus.DRAFT:
        raise Conflict(_("Only a draft can be discarded."))
    KnowledgeArticle.objects.filter(pk=article.pk).delete()


@cache
def bundled_articles() -> tuple[Mapping[str, Any], ...]:
    """The articles shipped with Arrears (`care/data/knowledge/*.yaml`), checked on read."""
    found: list[Mapping[str, Any]] = []
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        document = yaml.safe_load(path.read_text("utf-8")) or {}
        for i, item in enumerate(document.get("articles", [])):
            where = f"{path.name}: articles[{i}]"
            if not all(isinstance(item.get(lang), Mapping) for lang in ("zh", "en")):
                raise ValidationError(where, "needs a zh and an en version")
            found.append(
                {
                    "slug": item["slug"],
                    "tags": list(item.get("tags", [])),
                    "for_borrowers": bool(item.get("for_borrowers", True)),
                    "title_zh": item["zh"]["title"],
                    "body_zh": _CJK_GAP.sub("", item["zh"]["body"]),
                    "title_en": item["en"]["title"],
                    "body_en": item["en"]["body"],
                }
            )
    slugs = [item["slug"] for item in found]
    if len(set(slugs)) != len(slugs):
        raise ValidationError("slug", "a bundled slug is used twice")
    return tuple(found)


@transaction.atomic
def load_bundled_articles(*, clock: Clock | None = None) -> list[KnowledgeArticle]:
    """Publish every bundled article whose slug is not in the knowledge base yet; returns them.

    Safe to run again: an article the lender has edited, archived or drafted is left alone.
    """
    now = (clock or SystemClock()).now()
    taken = set(
        KnowledgeArticle.objects.filter(draft_of__isnull=True).values_list("slug", flat=True)
    )
    created = [
        KnowledgeArticle(**item, status=ArticleStatus.PUBLISHED, updated_at=now, published_at=now)
        for item in bundled_articles()
        if item["slug"] not in taken
    ]
    return KnowledgeArticle.objects.bulk_create(created)
