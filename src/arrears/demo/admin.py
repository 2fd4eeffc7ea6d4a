"""The demo behaviour of each borrower, for a presenter who wants to know why an account is late."""

from django.contrib import admin

from arrears.demo.models import DemoPortfolio, DemoProfile


@admin.register(DemoPortfolio)
class DemoPortfolioAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("seed", "borrowers", "start_on", "replayed_through")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(DemoProfile)
class DemoProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("borrower", "behaviour", "shock_on", "spend_level")
    list_filter = ("behaviour",)
    search_fields = ("borrower__reference", "borrower__full_name")
    raw_id_fields = ("borrower",)
    list_select_related = ("borrower",)
