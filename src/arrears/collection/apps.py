from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_standard_dispositions(sender: AppConfig, **kwargs: Any) -> None:
    """After `migrate`: the standard dispositions from core data (idempotent; skipped while
    the table does not exist, e.g. migrated back to before it)."""
    from django.db import connections

    from arrears.collection.models import Disposition
    from arrears.collection.services.dispositions import load_dispositions

    connection = connections[kwargs.get("using") or "default"]
    if Disposition._meta.db_table not in connection.introspection.table_names():
        return
    load_dispositions()


class CollectionConfig(AppConfig):
    name = "arrears.collection"
    label = "collection"
    verbose_name = _("Collection")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(
            _load_standard_dispositions, sender=self, dispatch_uid="collection-dispositions"
        )
        # The collection night runs as a step of the daily cycle; servicing never imports it.
        from arrears.collection.batch.step import register_collection_step

        register_collection_step()
