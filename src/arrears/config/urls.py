"""Top-level routes: the admin, the REST API under /api/v1, the language switch, the channels'
webhooks (/webhooks/)."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from arrears.config.api import api

urlpatterns = [
    # the consoles come later; until then the back office is the home page
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("webhooks/", include("arrears.engagement.urls")),
    path("care/", include("arrears.care.urls")),
]
