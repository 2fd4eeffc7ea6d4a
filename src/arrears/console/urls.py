"""The console under /console/: each area's views module brings its own routes."""

from arrears.console.views import (
    account,
    chats,
    compliance,
    dashboard,
    home,
    security,
    strategies,
    tickets,
    work,
)

app_name = "console"

urlpatterns = [
    *home.urlpatterns,
    *work.urlpatterns,
    *account.urlpatterns,
    *tickets.urlpatterns,
    *chats.urlpatterns,
    *dashboard.urlpatterns,
    *strategies.urlpatterns,
    *compliance.urlpatterns,
    *security.urlpatterns,
]
