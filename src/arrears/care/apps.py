from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "arrears.care"
    label = "care"
    verbose_name = _("Care desk")
    default_auto_field = "django.db.models.BigAutoField"
