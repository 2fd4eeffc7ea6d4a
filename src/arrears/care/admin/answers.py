"""Admin pages of the care desk: answers — knowledge-base articles, canned replies, surveys.

Articles are edited side by side in Chinese and English and always through the services:
saving a new article or a draft writes the draft; saving a published article writes its one
draft (borrowers keep reading the published text) until "Publish" is run on the draft.
Archived articles and earlier texts are read-only. Surveys are read-only: borrowers answer them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arrears.care.choices import ArticleStatus
from arrears.care.models import CannedReply, KnowledgeArticle, SatisfactionSurvey
from arrears.care.services.canned import check_variables
from arrears.care.services.knowledge import (
    archive_article,
    check_draft_fields,
    publish_article,
    save_draft,
)
from arrears.core.errors import ArrearsError
from arrears.core.errors import ValidationError as DomainValidationError

TEXTS = ("slug", ("title_zh", "title_en"), ("body_zh", "body_en"), "tags", "for_borrowers")
STATE = ("status", "draft_of", "updated_at", "updated_by", "published_at")


class ArticleForm(forms.ModelForm):  # type: ignore[type-arg]
    """Checks slug, titles and tags as the service does; errors land on their field."""

    class Meta:
        model = KnowledgeArticle
        fields = ["slug", "title_zh", "title_en", "body_zh", "body_en", "tags", "for_borrowers"]
        widgets = {
            "body_zh": forms.Textarea(attrs={"rows": 14, "cols": 60}),
            "body_en": forms.Textarea(attrs={"rows": 14, "cols": 60}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            check_draft_fields(
                slug=data.get("slug") or self.instance.slug or "",
                title_en=data.get("title_en", ""),
                title_zh=data.get("title_zh", ""),
                tags=list(data.get("tags") or []),
            )
        except DomainValidationError as error:
            self.add_error(error.field if error.field in self.fields else None, error.reason)
            return data
        taken = KnowledgeArticle.objects.filter(slug=data.get("slug"), draft_of__isnull=True)
        if self.instance.pk is None and taken.exclude(status=ArticleStatus.DRAFT).exists():
            self.add_error("slug", _("belongs to a published or archived article: edit that one"))
        return data


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ArticleForm
    list_display = ["slug", "title_zh", "title_en", "status", "for_borrowers", "draft_of",
                    "updated_at", "published_at"]  # fmt: skip
    list_filter = ["status", "for_borrowers"]
    search_fields = ["slug", "title_zh", "title_en", "body_zh", "body_en"]
    list_select_related = ["draft_of"]
    actions = ["publish_selected", "archive_selected"]
    fieldsets = [
        (None, {"fields": TEXTS}),
        (gettext_lazy("State"), {"fields": STATE}),
    ]
    readonly_fields = list(STATE)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fixed = list(self.readonly_fields)
        if obj is not None:
            fixed.append("slug")
            if obj.status == ArticleStatus.ARCHIVED:
                fixed += ["title_zh", "title_en", "body_zh", "body_en", "tags", "for_borrowers"]
        return fixed

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status == ArticleStatus.DRAFT)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        published = obj.status == ArticleStatus.PUBLISHED and obj.pk is not None
        draft = save_draft(
            slug=obj.slug,
            title_en=obj.title_en,
            title_zh=obj.title_zh,
            body_en=obj.body_en,
            body_zh=obj.body_zh,
            tags=list(obj.tags or []),
            for_borrowers=obj.for_borrowers,
            by=request.user,
            draft_of=obj if published else obj.draft_of,
        )
        if published:
            obj.refresh_from_db()  # the published text is unchanged
            self.message_user(
                request,
                _("Saved as a draft of %(slug)s; publish the draft to show it to borrowers.")
                % {"slug": obj.slug},
                messages.WARNING,
            )
        else:
            obj.pk, obj.updated_at = draft.pk, draft.updated_at

    @admin.action(description=gettext_lazy("Publish the selected drafts"))
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(request, queryset, lambda a: publish_article(article=a, by=request.user))

    @admin.action(description=gettext_lazy("Archive the selected published articles"))
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(request, queryset, lambda a: archive_article(article=a, by=request.user))

    def _each(self, request: HttpRequest, queryset: QuerySet[Any], change: Any) -> None:
        for article in queryset:
            try:
                change(article)
            except ArrearsError as error:
                self.message_user(request, f"{article.slug}: {error.message}", messages.ERROR)
                continue
            self.message_user(request, _("%(slug)s done.") % {"slug": article.slug})


class CannedReplyForm(forms.ModelForm):  # type: ignore[type-arg]
    """A reply may use only the variables a ticket gives it."""

    class Meta:
        model = CannedReply
        fields = ["team", "code", "title_zh", "title_en", "body_zh", "body_en", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field in ("body_zh", "body_en"):
            try:
                check_variables(field, data.get(field) or "")
            except DomainValidationError as error:
                self.add_error(field, error.reason)
        return data


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = CannedReplyForm
    list_display = ["code", "team", "title_zh", "title_en", "is_active"]
    list_filter = ["team", "is_active"]
    search_fields = ["code", "title_zh", "title_en"]
    fields = ["team", "code", ("title_zh", "title_en"), ("body_zh", "body_en"), "is_active"]


@admin.register(SatisfactionSurvey)
class SatisfactionSurveyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["ticket", "sent_at", "score", "answered_at"]
    list_filter = ["score"]
    list_select_related = ["ticket"]
    fields = ("ticket", "sent_at", "score", "comment", "answered_at", "outbox_message")
    readonly_fields = fields
    search_fields = ["ticket__reference"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
