"""The borrower portal under /portal/: each area's views module brings its own routes."""

from arrears.portal.views import accounts, hardship, home, payments, preferences, support

app_name = "portal"

urlpatterns = [
    *home.urlpatterns,
    *accounts.urlpatterns,
    *payments.urlpatterns,
    *hardship.urlpatterns,
    *support.urlpatterns,
    *preferences.urlpatterns,
]
