"""Top-level routes: the admin, the REST API under /api/v1, the language switch, the channels'
webhooks (/webhooks/)."""

from django.contrib import admin
from django.urls import include, path

from arrears.config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("webhooks/", include("arrears.engagement.urls")),
]
