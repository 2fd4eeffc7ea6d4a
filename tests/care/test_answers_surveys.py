"""Satisfaction surveys: one per solved ticket when its queue asks, through the outbox; answered
once with the token, 1 to 5."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from arrears.care.choices import TicketEventKind
from arrears.care.models import SatisfactionSurvey
from arrears.care.services.surveys import answer_survey, survey_url
from arrears.care.services.tickets import change_status, open_ticket
from arrears.core.errors import Conflict, NotFound, ValidationError
from arrears.engagement.models import OutboxMessage
from tests.care.answers_fixtures import *  # noqa: F403
from tests.care.answers_fixtures import at
from tests.conftest import rolled_back

pytestmark = pytest.mark.django_db


def solve(ticket, hour=11):  # type: ignore[no-untyped-def]
    return change_status(ticket=ticket, status="solved", at=at(hour))


def test_solving_a_ticket_sends_one_survey_through_the_outbox(ticket, survey_templates, settings):
    settings.ARREARS_PUBLIC_URL = "https://help.example.cn/"

    solve(ticket)

    survey = SatisfactionSurvey.objects.get(ticket=ticket)
    message = OutboxMessage.objects.get(kind="satisfaction_survey")
    assert survey.outbox_message == message and survey.sent_at == at(11)
    assert message.purpose == "servicing" and message.borrower == ticket.borrower
    assert f"https://help.example.cn/care/survey/{survey.token}" in message.body
    assert ticket.reference in message.body
    assert ticket.events.filter(kind=TicketEventKind.SURVEY_SENT).count() == 1


def test_a_ticket_solved_again_after_reopening_gets_no_second_survey(ticket, survey_templates):
    solve(ticket)
    change_status(ticket=ticket, status="open", at=at(12))
    solve(ticket, hour=13)

    assert SatisfactionSurvey.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="satisfaction_survey").count() == 1


def test_a_queue_without_surveys_and_a_ticket_without_borrower_get_none(
    ticket, queue, survey_templates
):
    unknown = open_ticket(kind="inquiry", subject="hi", origin="chat", queue=queue, at=at(9))
    solve(unknown)
    queue.survey_after_solve = False
    queue.save()
    solve(ticket)

    assert not SatisfactionSurvey.objects.exists()


def test_a_borrower_without_a_survey_template_still_has_the_ticket_solved(ticket):
    solve(ticket)

    ticket.refresh_from_db()
    assert ticket.status == "solved" and not SatisfactionSurvey.objects.exists()


def test_the_borrower_answers_once_and_the_ticket_remembers(ticket, survey_templates):
    solve(ticket)
    token = SatisfactionSurvey.objects.get().token

    answered = answer_survey(token=token, score=4, comment="  很快，谢谢 ", at=at(15))

    assert (answered.score, answered.comment, answered.answered_at) == (4, "很快，谢谢", at(15))
    event = ticket.events.get(kind=TicketEventKind.SURVEY_ANSWERED)
    assert event.params == {"score": 4}
    with pytest.raises(Conflict):
        answer_survey(token=token, score=1, at=at(16))
    assert SatisfactionSurvey.objects.get().score == 4


def test_an_unknown_token_is_not_found():
    with pytest.raises(NotFound):
        answer_survey(token="nope", score=5)


@given(score=st.integers().filter(lambda n: not 1 <= n <= 5))
@examples(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_score_outside_one_to_five_names_the_score_and_records_nothing(
    ticket, survey_templates, score
):
    with rolled_back():
        solve(ticket)
        token = SatisfactionSurvey.objects.get().token

        with pytest.raises(ValidationError) as error:
            answer_survey(token=token, score=score)

        assert error.value.field == "score"
        assert SatisfactionSurvey.objects.get().answered_at is None


def test_survey_links_use_the_self_service_site_when_no_public_url_is_set(settings):
    settings.ARREARS_PUBLIC_URL = ""
    settings.ARREARS_SELF_SERVICE_URL = "https://pay.example.com/self-service/"

    assert survey_url("abc") == "https://pay.example.com/care/survey/abc"
