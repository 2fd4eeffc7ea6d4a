"""The survey link in the message opens a page in the borrower's language that records the score
once; the token is the only credential."""

from __future__ import annotations

import pytest
from django.test import Client

from arrears.care.models import SatisfactionSurvey
from arrears.care.services.tickets import change_status
from tests.care.answers_fixtures import *  # noqa: F403
from tests.care.answers_fixtures import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(ticket, survey_templates):  # type: ignore[no-untyped-def]
    change_status(ticket=ticket, status="solved", at=at(11))
    return SatisfactionSurvey.objects.get(ticket=ticket)


def test_the_survey_link_opens_a_page_asking_for_a_score_from_one_to_five(survey):
    page = Client().get(f"/care/survey/{survey.token}")

    assert page.status_code == 200
    text = page.content.decode()
    assert survey.ticket.reference in text
    assert all(f'value="{n}"' in text for n in range(1, 6))
    asked = "您对我们的服务满意吗" if survey.ticket.language == "zh-hans" else "How did we do?"
    assert asked in text


def test_the_borrower_answers_once_and_is_thanked(survey):
    client = Client(enforce_csrf_checks=False)
    sent = client.post(f"/care/survey/{survey.token}", {"score": "4", "comment": "很耐心"})
    again = client.post(f"/care/survey/{survey.token}", {"score": "1"})

    survey.refresh_from_db()
    assert sent.status_code == 200 and again.status_code == 200
    assert (survey.score, survey.comment) == (4, "很耐心")
    assert 'name="score"' not in again.content.decode()  # answered: no form any more


def test_a_score_outside_one_to_five_shows_the_form_again_and_records_nothing(survey):
    page = Client().post(f"/care/survey/{survey.token}", {"score": "9"})

    survey.refresh_from_db()
    assert page.status_code == 422
    assert survey.answered_at is None
    assert 'role="alert"' in page.content.decode()


def test_an_unknown_token_is_not_found():
    assert Client().get("/care/survey/not-a-token").status_code == 404
