"""The roles people hold in Arrears; each is a Django group with model permissions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    COMPLIANCE = "compliance", _("Compliance officer")
    ADMIN = "admin", _("Administrator")
    COLLECTOR = "collector", _("Collector (催收员)")
    COLLECTION_SUPERVISOR = "collection_supervisor", _("Collection supervisor")
