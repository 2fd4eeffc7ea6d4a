"""The console under /console/: each area's views module brings its own routes."""

from arrears.console.views import home

app_name = "console"

urlpatterns = [
    *home.urlpatterns,
]
