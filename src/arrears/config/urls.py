"""Top-level routes: the admin, the REST API under /api/v1, the language switch, the channels'
webhooks (/webhooks/)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from arrears.config.api import api
from arrears.identity import views as identity_views

urlpatterns = [
    path("", identity_views.home, name="home"),
    path("login/", identity_views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", identity_views.set_language, name="set_language"),
    path("console/", include("arrears.console.urls")),
    path("portal/", include("arrears.portal.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("webhooks/", include("arrears.engagement.urls")),
    path("care/", include("arrears.care.urls")),
]
