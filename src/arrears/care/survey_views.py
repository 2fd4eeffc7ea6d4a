"""The satisfaction survey page a borrower reaches from the link in the survey message.

The token in the link is the credential (no sign-in); the page is in the ticket's language and
answers once, through `services.surveys.answer_survey`.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from arrears.care.models import SatisfactionSurvey
from arrears.care.services.surveys import answer_survey
from arrears.core.errors import Conflict, ValidationError

SCORES = (5, 4, 3, 2, 1)


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the question; POST records the score (1–5) and an optional comment."""
    found = SatisfactionSurvey.objects.select_related("ticket").filter(token=token).first()
    if found is None:
        raise Http404
    language = "en" if found.ticket.language.startswith("en") else "zh-hans"
    with translation.override(language):
        context = {"survey": found, "ticket": found.ticket, "scores": SCORES, "error": ""}
        if found.answered_at is not None:
            return render(request, "care/survey.html", {**context, "done": True})
        if request.method == "GET":
            return render(request, "care/survey.html", context)
        try:
            answer_survey(
                token=token,
                score=_score(request.POST.get("score", "")),
                comment=request.POST.get("comment", ""),
            )
        except ValidationError as error:
            return render(
                request, "care/survey.html", {**context, "error": error.message}, status=422
            )
        except Conflict:
            pass
        return render(request, "care/survey.html", {**context, "done": True})


def _score(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0  # refused by the service with a message naming the score
