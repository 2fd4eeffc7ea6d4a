"""Care desk API: answers — the knowledge base 知识库, canned replies, satisfaction surveys.

Borrowers (no sign-in) may search the published articles meant for them and read one, and
answer a survey with its token (the token is the credential). Everything else is the desk's:
reading articles and drafts needs `care.view_knowledgearticle`; writing drafts
`care.add_knowledgearticle`; publishing and archiving `care.change_knowledgearticle`; throwing
a draft away `care.delete_knowledgearticle`; canned replies `care.view_cannedreply` (and
`care.view_ticket` to render one for a ticket). Bad input is a 422 naming the field.
"""

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from arrears.care.schemas.answers import (
    ArticleFilters,
    ArticleHitOut,
    ArticleOut,
    CannedReplyOut,
    DraftIn,
    Language,
    PublicArticleOut,
    RenderedOut,
    RenderIn,
    Slug,
    SurveyAnsweredOut,
    SurveyAnswerIn,
)
from arrears.care.selectors import knowledge as kb
from arrears.care.selectors.tickets import ticket_by_reference
from arrears.care.services import canned, knowledge, surveys
from arrears.common.pagination import LimitOffset
from arrears.common.permissions import require_permissions
from arrears.common.problems import error_responses
from arrears.common.schemas import MAX_ID, Text
from arrears.core.errors import NotFound, ValidationError

router = Router(tags=["care"])

ArticleId = Annotated[int, Path(ge=1, le=MAX_ID, description="the article's id")]
ReplyId = Annotated[int, Path(ge=1, le=MAX_ID, description="the canned reply's id")]
Reference = Annotated[str, Path(min_length=1, max_length=20, description="e.g. T0000042")]
Token = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
PUBLIC_READ = error_responses(404, 422)
READ = error_responses(401, 403, 404, 422)
WRITE = error_responses(400, 401, 403, 404, 409, 422)
VIEW, ADD, CHANGE, DELETE = (
    "care.view_knowledgearticle",
    "care.add_knowledgearticle",
    "care.change_knowledgearticle",
    "care.delete_knowledgearticle",
)


# --- for borrowers (no sign-in) ----------------------------------------------------------------
@router.get("/kb/search", response={200: list[ArticleHitOut], **PUBLIC_READ}, auth=None)
def search_knowledge_base(
    request: HttpRequest,
    q: Annotated[Text, Query(min_length=1, max_length=500, description="the question")],
    language: Annotated[Language, Query("zh-hans", description="zh-hans or en")] = "zh-hans",
    limit: Annotated[int, Query(5, ge=1, le=20)] = 5,
) -> list[ArticleHitOut]:
    """Articles that answer a borrower's question (Chinese or English), best first — offered
    before they open a ticket. Only published articles meant for borrowers."""
    hits = kb.search_articles(q, language=language, for_borrowers=True, limit=limit)
    return [ArticleHitOut.of(hit) for hit in hits]


@router.get("/kb/public/{slug}", response={200: PublicArticleOut, **PUBLIC_READ}, auth=None)
def read_public_article(
    request: HttpRequest,
    slug: Annotated[Slug, Path(description="the article's address")],
    language: Annotated[Language, Query("zh-hans", description="zh-hans or en")] = "zh-hans",
) -> PublicArticleOut:
    """A published article for borrowers, in one language."""
    return PublicArticleOut.of(kb.published_by_slug(slug), language)


@router.post("/surveys/{token}", response={200: SurveyAnsweredOut, **WRITE}, auth=None)
def answer_survey(request: HttpRequest, token: Token, payload: SurveyAnswerIn) -> Any:
    """The borrower's answer to a satisfaction survey, once: a score 1–5 and a comment."""
    survey = surveys.answer_survey(token=token, score=payload.score, comment=payload.comment)
    assert survey.score is not None and survey.answered_at is not None
    return SurveyAnsweredOut(
        score=survey.score,
        answered_at=survey.answered_at,
        message=_("Thank you for telling us how we did."),
    )


# --- the desk ----------------------------------------------------------------------------------
@router.get("/kb/desk-search", response={200: list[ArticleHitOut], **READ})
def search_for_the_desk(
    request: HttpRequest,
    q: Annotated[Text, Query(min_length=1, max_length=500, description="the question")],
    language: Annotated[Language, Query("zh-hans", description="zh-hans or en")] = "zh-hans",
    limit: Annotated[int, Query(5, ge=1, le=20)] = 5,
) -> list[ArticleHitOut]:
    """The desk's search: published articles, agent-only ones included."""
    require_permissions(request, VIEW)
    hits = kb.search_articles(q, language=language, for_borrowers=False, limit=limit)
    return [ArticleHitOut.of(hit) for hit in hits]


@router.get("/kb/articles", response={200: list[ArticleOut], **READ})
@paginate(LimitOffset)
def list_articles(request: HttpRequest, filters: Query[ArticleFilters]) -> Any:
    """Every article (drafts, published, archived) by slug; edits in progress are under
    /kb/drafts."""
    require_permissions(request, VIEW)
    return kb.articles(status=filters.status, for_borrowers=filters.for_borrowers)


@router.get("/kb/drafts", response={200: list[ArticleOut], **READ})
@paginate(LimitOffset)
def list_drafts(request: HttpRequest) -> Any:
    """Drafts waiting to be published: new articles and edits of published ones."""
    require_permissions(request, VIEW)
    return kb.drafts()


@router.get("/kb/articles/{article_id}", response={200: ArticleOut, **READ})
def get_article(request: HttpRequest, article_id: ArticleId) -> ArticleOut:
    """One article or draft, both languages."""
    require_permissions(request, VIEW)
    return ArticleOut.of(kb.article_by_id(article_id))


@router.post("/kb/drafts", response={201: ArticleOut, **WRITE})
def create_draft(request: HttpRequest, payload: DraftIn) -> Status[ArticleOut]:
    """Start an article, or edit a published one (`draft_of`: its one draft is updated)."""
    require_permissions(request, VIEW, ADD)
    draft_of = kb.article_by_id(payload.draft_of) if payload.draft_of else None
    if draft_of is None and not payload.slug:
        raise ValidationError("slug", _("is required for a new article"))
    article = knowledge.save_draft(
        slug=payload.slug or (draft_of.slug if draft_of else ""),
        **_texts(payload),
        by=request.user,
        draft_of=draft_of,
    )
    return Status(201, ArticleOut.of(article))


@router.put("/kb/drafts/{article_id}", response={200: ArticleOut, **WRITE})
def update_draft(request: HttpRequest, article_id: ArticleId, payload: DraftIn) -> ArticleOut:
    """Change a draft's text (its slug and the article it edits stay)."""
    require_permissions(request, VIEW, ADD)
    draft = _draft(article_id)
    article = knowledge.save_draft(
        slug=draft.slug, **_texts(payload), by=request.user, draft_of=draft.draft_of
    )
    return ArticleOut.of(article)


@router.delete("/kb/drafts/{article_id}", response={204: None, **WRITE})
def delete_draft(request: HttpRequest, article_id: ArticleId) -> Status[None]:
    """Throw a draft away; a published article it edits stays as it is."""
    require_permissions(request, VIEW, DELETE)
    knowledge.discard_draft(article=_draft(article_id))
    return Status(204, None)


@router.post("/kb/articles/{article_id}/publish", response={200: ArticleOut, **WRITE})
def publish(request: HttpRequest, article_id: ArticleId) -> ArticleOut:
    """Publish a draft (both languages needed); an edit replaces its article's text."""
    require_permissions(request, VIEW, CHANGE)
    article = knowledge.publish_article(article=kb.article_by_id(article_id), by=request.user)
    return ArticleOut.of(article)


@router.post("/kb/articles/{article_id}/archive", response={200: ArticleOut, **WRITE})
def archive(request: HttpRequest, article_id: ArticleId) -> ArticleOut:
    """Take a published article out of the knowledge base."""
    require_permissions(request, VIEW, CHANGE)
    article = knowledge.archive_article(article=kb.article_by_id(article_id), by=request.user)
    return ArticleOut.of(article)


@router.get("/tickets/{reference}/kb-suggestions", response={200: list[ArticleHitOut], **READ})
def suggest_articles(request: HttpRequest, reference: Reference) -> list[ArticleHitOut]:
    """Articles that may answer the ticket (its subject and the borrower's last message), for
    the agent writing the reply; agent-only articles included."""
    require_permissions(request, VIEW, "care.view_ticket")
    return [ArticleHitOut.of(hit) for hit in kb.suggest_for_ticket(ticket_by_reference(reference))]


@router.get("/canned-replies", response={200: list[CannedReplyOut], **READ})
def list_canned_replies(request: HttpRequest) -> list[CannedReplyOut]:
    """The caller's canned replies: everyone's and their team's."""
    require_permissions(request, "care.view_cannedreply")
    replies = canned.canned_replies_for(request.user).select_related("team")
    return [CannedReplyOut.of(reply) for reply in replies]


@router.post("/canned-replies/{reply_id}/render", response={200: RenderedOut, **WRITE})
def render_canned_reply(request: HttpRequest, reply_id: ReplyId, payload: RenderIn) -> Any:
    """A canned reply filled in for a ticket, ready for the agent to edit and send."""
    require_permissions(request, "care.view_cannedreply", "care.view_ticket")
    reply = canned.canned_replies_for(request.user).filter(pk=reply_id).first()
    if reply is None:
        raise NotFound(_("No such canned reply."))
    text = canned.render_canned_reply(
        reply=reply,
        ticket=ticket_by_reference(payload.ticket),
        agent=request.user,
        language=payload.language,
    )
    return RenderedOut(text=text)


def _texts(payload: DraftIn) -> dict[str, Any]:
    return {
        "title_en": payload.title_en,
        "title_zh": payload.title_zh,
        "body_en": payload.body_en,
        "body_zh": payload.body_zh,
        "tags": payload.tags,
        "for_borrowers": payload.for_borrowers,
    }


def _draft(article_id: int) -> Any:
    article = kb.article_by_id(article_id)
    if article.status != "draft":
        raise ValidationError("article_id", _("is not a draft"))
    return article
