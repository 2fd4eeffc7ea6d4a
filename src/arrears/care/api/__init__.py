"""The care desk's REST API: one router per area, mounted under /api/v1/care/."""

from ninja import Router

from arrears.care.api import answers, channels, line, reports, tickets

router = Router()
for area in (tickets, channels, line, answers, reports):
    router.add_router("/care", area.router)
