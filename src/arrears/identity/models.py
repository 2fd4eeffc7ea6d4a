"""API tokens: a bearer secret shown once, stored only as its SHA-256 digest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A named credential for one user's programs (a payment gateway, a dialler, a script).

    The secret itself is never stored: `token_hash` is the SHA-256 of it, so a leaked database
    does not leak working tokens. `prefix` (the secret's first characters) lets a person tell
    their tokens apart. A token acts with exactly its owner's roles and permissions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("what the token is for"))
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    token_hash = models.CharField(
        _("SHA-256 of the secret"), max_length=64, unique=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class UserPreference(models.Model):
    """What a person chose for themselves in the consoles: the language they read them in.

    Remembered per user (not only in a cookie), so an agent who chose English gets English on
    every machine they sign in to.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("user"),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self) -> str:
        return f"{self.user} · {self.language}"
