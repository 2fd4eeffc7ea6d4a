"""The borrower portal under /portal/: each area's views module brings its own routes."""

from arrears.portal.views import home

app_name = "portal"

urlpatterns = [
    *home.urlpatterns,
]
