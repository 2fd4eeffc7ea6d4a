"""Analytics API: the KPI report for supervisors and compliance (docs/analytics.md)."""

from django.http import HttpRequest
from ninja import Query, Router

from arrears.analytics.schemas import KpiFilters, KpisOut
from arrears.analytics.selectors import kpis
from arrears.common.permissions import require_permissions
from arrears.common.problems import error_responses

router = Router(tags=["reports"])

READ = error_responses(401, 403, 422)
#: Who may read the KPIs: those who may see accounts and the gate's decision log.
VIEW_KPIS = ("servicing.view_account", "compliance.view_decision")


@router.get("/reports/kpis", response={200: KpisOut, **READ})
def get_kpis(request: HttpRequest, filters: Query[KpiFilters]) -> KpisOut:
    """Roll rates, cure and liquidation rates, promises kept, right-party contacts, contacts
    per account and their cost, complaints per 1,000 accounts, plans and compliance blocks
    for the business days [from, to)."""
    require_permissions(request, *VIEW_KPIS)
    found = kpis(
        start_on=filters.start_on,
        end_on=filters.end_on,
        product=filters.product,
        strategy_arm=filters.strategy_arm,
        currency=filters.currency,
    )
    return KpisOut.of(found)
