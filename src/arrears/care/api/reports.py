"""Care desk API: reports 报表 for supervisors (see docs/care.md, "Reports")."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from arrears.care.schemas.reports import CareReportOut, ReportFilters
from arrears.care.selectors.reports import CareReport, care_report
from arrears.common.permissions import require_permissions
from arrears.common.problems import error_responses

router = Router(tags=["care"])

READ = error_responses(401, 403, 422)
#: Who may read the reports: those who may see tickets, calls and surveys.
VIEW_REPORTS = ("care.view_ticket", "care.view_phonecall", "care.view_satisfactionsurvey")


@router.get("/reports/summary", response={200: CareReportOut, **READ})
def get_summary(request: HttpRequest, filters: Query[ReportFilters]) -> CareReport:
    """Backlog, reply and resolution times, SLA attainment, contact rate, the line and
    callbacks, complaints by cause and satisfaction for the local dates [from, to)."""
    require_permissions(request, *VIEW_REPORTS)
    return care_report(
        start_on=filters.start_on,
        end_on=filters.end_on,
        queue=filters.queue,
        agent=filters.agent,
        at=timezone.now(),
    )
