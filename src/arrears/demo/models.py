"""What the replay needs to know about a demo portfolio, kept beside the data it describes.

The behaviour is demo scaffolding, not servicing state, so it lives in this small app rather
than on `Borrower`: production tables stay clean, and a database made by `arrears demo-data`
still carries everything `arrears demo` needs to replay it, whoever runs it later.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from arrears.demo.choices import Behaviour


class DemoPortfolio(models.Model):
    """The one synthetic portfolio in this database: its seed and how far it has been replayed."""

    seed = models.BigIntegerField(_("seed"))
    borrowers = models.PositiveIntegerField(_("borrowers"))
    start_on = models.DateField(_("first business date"))
    replayed_through = models.DateField(_("replayed through"), null=True, blank=True)

    class Meta:
        verbose_name = _("demo portfolio")
        verbose_name_plural = _("demo portfolios")

    def __str__(self) -> str:
        return f"seed {self.seed}, {self.borrowers} borrowers from {self.start_on}"


class DemoProfile(models.Model):
    """How one demo borrower behaves: their payment habit and, for hardship, when it starts."""

    borrower = models.OneToOneField(
        "servicing.Borrower", on_delete=models.CASCADE, related_name="demo_profile"
    )
    behaviour = models.CharField(_("behaviour"), max_length=24, choices=Behaviour.choices)
    shock_on = models.DateField(
        _("shock on"), null=True, blank=True, help_text=_("when income drops (hardship only)")
    )
    seed = models.BigIntegerField(_("seed"), help_text=_("drives this borrower's daily choices"))
    spend_level = models.PositiveSmallIntegerField(
        _("spending level"), default=1, help_text=_("card purchases per month, roughly")
    )

    class Meta:
        verbose_name = _("demo profile")
        verbose_name_plural = _("demo profiles")
        ordering = ["borrower_id"]

    def __str__(self) -> str:
        return f"{self.borrower_id}: {self.behaviour}"
