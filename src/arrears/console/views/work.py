"""My work (我的工作): the collector's queue, best call first, with why each account is there and
what the compliance gate allows now; "Open next" (key `n`) takes the next call and opens it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from arrears.collection.selectors import work_queue
from arrears.collection.services import take_next_action
from arrears.console.access import refuse, staff_page
from arrears.core.errors import ValidationError

WORK_QUEUE = "collection.work_queue"
#: The most calls the page lists as ready now.
LIMIT = 25


@require_GET
@staff_page(WORK_QUEUE)
def my_work(request: HttpRequest) -> HttpResponse:
    try:
        view = work_queue(request.user, now=timezone.now(), limit=LIMIT)
    except ValidationError as error:  # not set up as a collector
        return refuse(request, _("You have no work queue: %(why)s.") % {"why": error.reason})
    return render(request, "console/work/my_work.html", {"queue": view})


@require_POST
@staff_page(WORK_QUEUE)
def open_next(request: HttpRequest) -> HttpResponse:
    try:
        taken = take_next_action(agent=request.user)
    except ValidationError as error:
        return refuse(request, _("You have no work queue: %(why)s.") % {"why": error.reason})
    if taken is None:
        messages.info(request, _("Nothing may be called now: your queue is clear."))
        return redirect("console:my-work")
    return redirect(reverse("console:account", args=[taken.action.account_id]) + "#call")


urlpatterns = [
    path("work/", my_work, name="my-work"),
    path("work/next/", open_next, name="open-next"),
]
