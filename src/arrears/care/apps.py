from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "arrears.care"
    label = "care"
    verbose_name = _("Care desk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Listen to engagement (below us): inbound texts become ticket messages, care replies
        by e-mail carry their thread's headers and are linked to their contact once sent."""
        from arrears.care.services.delivery import link_sent_reply, reply_headers
        from arrears.care.services.sms import receive_sms
        from arrears.engagement import hooks

        hooks.register_inbound_listener(receive_sms)
        hooks.register_email_headers(reply_headers)
        hooks.register_sent_listener(link_sent_reply)
