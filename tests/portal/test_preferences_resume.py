"""A borrower resumes a channel they stopped, from Contact preferences: the stop is kept as
withdrawn, the page shows the channel open again, in English and in Chinese; another
borrower's stop is a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from arrears.compliance.models import OptOut
from arrears.compliance.services import record_opt_out
from arrears.core.clock import FixedClock
from tests.factories import make_borrower, make_borrower_login

PAGE = reverse("portal:preferences")
#: 15 January 2025, 10:00 in Shanghai.
STOPPED_AT = dt.datetime(2025, 1, 15, 2, 0, tzinfo=dt.UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


def resume_url(stop: OptOut) -> str:
    return reverse("portal:preferences-resume", kwargs={"opt_out_id": stop.pk})


@pytest.fixture
def borrower(db):  # type: ignore[no-untyped-def]
    return make_borrower(preferred_language="zh-hans", time_zone="Asia/Shanghai")


@pytest.fixture
def stop(borrower):  # type: ignore[no-untyped-def]
    """The borrower stopped e-mail from the portal on 15 January 2025."""
    return record_opt_out(
        borrower=borrower, channel="email", source="portal", clock=FixedClock(STOPPED_AT)
    )


def client_for(borrower, language: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_borrower_login(borrower))
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def client(borrower):  # type: ignore[no-untyped-def]
    return client_for(borrower, "en")


def test_a_stopped_channel_says_when_it_was_stopped_and_offers_resume(client, stop):
    page = client.get(PAGE).content.decode()

    assert 'data-testid="stopped-email"' in page
    assert "Stopped on 15 Jan 2025" in page
    assert 'data-testid="resume-email"' in page and ">Resume</button>" in page
    # the resume form posts with its CSRF token, outside the preferences form
    assert f'id="resume-{stop.pk}" method="post" action="{resume_url(stop)}"' in page
    assert f'hx-post="{resume_url(stop)}"' in page
    resume_form = page[page.index(f'id="resume-{stop.pk}"') :]
    assert "csrfmiddlewaretoken" in resume_form[: resume_form.index("</form>")]
    preferences_form = page.index('data-testid="preferences-form"')
    assert page.index("</form>", preferences_form) < page.index(f'id="resume-{stop.pk}"')
    # the other channels can still be stopped
    assert 'name="opt_out_channels" value="sms"' in page
    assert 'name="opt_out_channels" value="email"' not in page


def test_resuming_opens_the_channel_again_and_keeps_the_stop(client, borrower, stop):
    response = client.post(resume_url(stop), follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "E-mail is open again." in page
    assert 'data-testid="stopped-email"' not in page
    assert 'name="opt_out_channels" value="email"' in page  # it can be ticked again
    assert "required by law and cannot be turned off" in page  # the notices stay as they are
    kept = OptOut.objects.get()
    assert kept.pk == stop.pk and kept.withdrawn_at is not None
    assert kept.withdrawn_how == "portal"
    assert kept.withdrawn_by == borrower.user


def test_resuming_with_htmx_swaps_the_stop_section(client, stop):
    response = client.post(resume_url(stop), **HTMX)

    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.startswith('<fieldset id="opt-outs"')
    assert "<html" not in fragment
    assert 'data-testid="resume-notice"' in fragment and "E-mail is open again." in fragment
    assert 'name="opt_out_channels" value="email"' in fragment
    assert '<div id="resume-forms" hx-swap-oob="true">' in fragment
    assert f'id="resume-{stop.pk}"' not in fragment
    assert OptOut.objects.get().withdrawn_at is not None


def test_resuming_twice_says_so_and_changes_nothing(client, stop):
    client.post(resume_url(stop))
    withdrawn_at = OptOut.objects.get().withdrawn_at

    page = client.post(resume_url(stop), follow=True).content.decode()
    fragment = client.post(resume_url(stop), **HTMX).content.decode()

    assert "E-mail was already withdrawn on 20" in page
    assert 'data-testid="resume-error"' in fragment and "already withdrawn" in fragment
    assert OptOut.objects.get().withdrawn_at == withdrawn_at


def test_a_channel_resumed_can_be_stopped_again(client, borrower, stop):
    client.post(resume_url(stop))

    client.post(PAGE, {"language": "en", "first_channel": "sms", "opt_out_channels": ["email"]})

    stops = OptOut.objects.filter(borrower=borrower, channel="email").order_by("id")
    assert [s.withdrawn_at is None for s in stops] == [False, True]
    assert 'data-testid="stopped-email"' in client.get(PAGE).content.decode()


def test_another_borrowers_stop_is_not_found_and_stays(stop):
    other = client_for(make_borrower(), "en")

    response = other.post(resume_url(stop))

    assert response.status_code == 404
    assert OptOut.objects.get().withdrawn_at is None


def test_resume_is_a_post_with_a_csrf_token(borrower, stop):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_borrower_login(borrower))

    assert strict.get(resume_url(stop)).status_code == 405
    assert strict.post(resume_url(stop)).status_code == 403
    assert OptOut.objects.get().withdrawn_at is None


def test_in_chinese_the_page_says_stopped_on_and_resume(borrower, stop):
    client = client_for(borrower, "zh-hans")

    page = client.get(PAGE).content.decode()
    assert "已于 2025年1月15日 退订" in page
    assert ">恢复</button>" in page

    after = client.post(resume_url(stop), follow=True).content.decode()
    assert "电子邮件已恢复。" in after
    assert OptOut.objects.get().withdrawn_at is not None
