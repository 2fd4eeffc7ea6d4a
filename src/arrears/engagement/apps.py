from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "arrears.engagement"
    label = "engagement"
    verbose_name = _("Engagement")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The notices run as the daily cycle's last step; servicing never imports engagement.
        from arrears.engagement.cycle import register_notice_step

        register_notice_step()
