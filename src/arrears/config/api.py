"""The NinjaAPI: one instance, routers from each app, domain errors mapped to problem details.

Every operation needs a caller: an API token (`Authorization: Bearer …`) or a signed-in
session (with CSRF on unsafe methods). The OpenAPI document is at /api/v1/openapi.json and the
interactive docs at /api/v1/docs.
"""

from arrears.analytics.api import router as analytics_router
from arrears.care.api import router as care_router
from arrears.collection.api import router as collection_router
from arrears.common.problems import ProblemDetailsAPI
from arrears.compliance.api import router as compliance_router
from arrears.hardship.api import router as hardship_router
from arrears.identity.auth import api_auth
from arrears.servicing.api import router as servicing_router

api = ProblemDetailsAPI(
    title="Arrears API",
    version="1",
    description=(
        "Loan servicing: borrowers, accounts, ledger, statements, schedules and payments; "
        "the compliance gate: contact checks, holds, opt-outs and the decision log; "
        "hardship help: assessments, priced repayment options, plans, articles, debt advice; "
        "collection: cases, call outcomes, promises to pay, escalations, the work queue. "
        "Money is `{minor, currency, amount}` with `amount` a decimal string — never a float. "
        "Errors are RFC 9457 problem details (`application/problem+json`)."
    ),
    urls_namespace="api-v1",
    auth=api_auth,
)
api.add_router("/", servicing_router)
api.add_router("/", compliance_router)
api.add_router("/", hardship_router)
api.add_router("/", collection_router)
api.add_router("/", care_router)
api.add_router("/", analytics_router)
