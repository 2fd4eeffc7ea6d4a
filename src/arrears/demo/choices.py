"""How a demo borrower pays, with bilingual labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Behaviour(models.TextChoices):
    ON_TIME = "on_time", _("Pays on time")
    SOMETIMES_LATE = "sometimes_late", _("Sometimes late")
    CHRONIC_LATE = "chronic_late", _("Chronically late")
    HARDSHIP_AFTER_SHOCK = "hardship_after_shock", _("Hardship after a shock")
    NEVER_PAYS = "never_pays", _("Never pays")
