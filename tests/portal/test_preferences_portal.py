"""Contact preferences in the portal: channels, language (which switches the portal), quiet
times, stopping a channel — and legally required notices cannot be turned off."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from arrears.compliance.models import ContactPreference, OptOut
from arrears.engagement.models import NoticePreference
from arrears.identity.services import remembered_language
from tests.factories import make_borrower, make_borrower_login, make_staff_user

URL = reverse("portal:preferences")

CHOICES = {
    "language": "en",
    "first_channel": "sms",
    "second_channel": "email",
    "declined_kinds": ["satisfaction_survey"],
    "quiet_from": "12:00",
    "quiet_until": "14:00",
    "quiet_days": ["0", "1", "2", "3", "4"],
    "no_workplace_contact": "on",
    "opt_out_channels": ["email"],
}


@pytest.fixture
def borrower(db):  # type: ignore[no-untyped-def]
    return make_borrower(preferred_language="zh-hans")


@pytest.fixture
def login(borrower):  # type: ignore[no-untyped-def]
    return make_borrower_login(borrower)


@pytest.fixture
def client(login):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(login)
    client.cookies["django_language"] = "en"
    return client


def test_the_page_says_which_notices_the_law_requires(client):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "required by law and cannot be turned off" in page
    assert "Change of terms" in page
    assert 'value="terms_change"' not in page  # never offered as something to turn off


def test_a_borrower_saves_channels_quiet_times_and_stops_email(client, borrower, login):
    response = client.post(URL, CHOICES)
    assert response.status_code == 302
    notice = NoticePreference.objects.get(borrower=borrower)
    assert notice.channels == ["sms", "email"]
    assert notice.declined_kinds == ["satisfaction_survey"]
    contact = ContactPreference.objects.get(borrower=borrower)
    assert contact.inconvenient_times == [
        {"start": "12:00", "end": "14:00", "weekdays": [0, 1, 2, 3, 4]}
    ]
    assert contact.no_workplace_contact is True
    assert list(OptOut.objects.filter(borrower=borrower).values_list("channel", "source")) == [
        ("email", "portal")
    ]
    borrower.refresh_from_db()
    assert borrower.preferred_language == "en"
    assert remembered_language(user=login) == "en"
    # saving again does not stop the channel twice
    client.post(URL, CHOICES)
    assert OptOut.objects.filter(borrower=borrower).count() == 1


def test_choosing_chinese_switches_the_portal(client, borrower):
    response = client.post(URL, {**CHOICES, "language": "zh-hans"}, follow=True)
    assert response.status_code == 200
    assert client.cookies["django_language"].value == "zh-hans"
    assert '<html lang="zh-hans"' in response.content.decode()


def test_a_required_notice_cannot_be_turned_off(client, borrower):
    response = client.post(URL, {**CHOICES, "declined_kinds": ["terms_change"]})
    assert response.status_code == 422
    assert 'id="id_declined_kinds-error"' in response.content.decode()
    assert not NoticePreference.objects.filter(borrower=borrower).exists()
    assert not OptOut.objects.exists()


def test_a_quiet_time_that_ends_before_it_starts_is_refused_by_name(client, borrower):
    response = client.post(URL, {**CHOICES, "quiet_from": "15:00", "quiet_until": "09:00"})
    assert response.status_code == 422
    assert 'id="id_quiet_until-error"' in response.content.decode()
    assert not ContactPreference.objects.filter(borrower=borrower).exists()


def test_staff_cannot_open_preferences(db):
    staff = Client()
    staff.force_login(make_staff_user("agent"))
    assert staff.get(URL).status_code == 403


def test_each_borrower_sees_only_their_own_preferences(client, borrower):
    client.post(URL, CHOICES)
    other = Client()
    other.force_login(make_borrower_login(make_borrower()))
    other.cookies["django_language"] = "en"
    page = other.get(URL).content.decode()
    assert "Stopped" not in page


def test_the_page_keeps_to_its_query_budget(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200
