from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HardshipConfig(AppConfig):
    name = "arrears.hardship"
    label = "hardship"
    verbose_name = _("Hardship")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Plans drive ageing and are reviewed nightly; servicing never imports hardship, so the
        # plans are registered with its arrangement hook and its cycle's step registry.
        from arrears.hardship.arrangements import register_plans_as_arrangements
        from arrears.hardship.cycle import register_review_step

        register_plans_as_arrangements()
        register_review_step()
        post_migrate.connect(load_bundled_content, sender=self)


def load_bundled_content(using: str = "default", **kwargs: Any) -> None:
    """After `migrate` (so `arrears init` too): the bundled articles and debt-advice services,
    refreshed while they are as shipped; a lender's edits are kept."""
    from arrears.hardship.services.content import load_articles, load_debt_advice

    load_articles()
    load_debt_advice()
