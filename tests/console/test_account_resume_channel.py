"""A supervisor opens a channel the borrower stopped, on the borrower's word, from the account
360°: the stop is kept and marked withdrawn (who, when, how they asked) and the gate allows the
channel again; a collector may not; a missing reason is named and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from arrears.compliance.models import OptOut
from arrears.compliance.services import record_opt_out, request_permit
from arrears.core.clock import FixedClock
from tests.console.agent_desk import *  # noqa: F403
from tests.console.agent_desk import collector, queued_account
from tests.factories import make_borrower, make_staff_user

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def account(desk, monday_morning):  # type: ignore[no-untyped-def]
    return queued_account("王芳")


@pytest.fixture
def stop(account):  # type: ignore[no-untyped-def]
    return record_opt_out(borrower=account.borrower, channel="sms", source="退订 reply")


def ask_sms(account, clock):  # type: ignore[no-untyped-def]
    borrower = account.borrower
    return request_permit(
        borrower=borrower,
        account=account,
        channel="sms",
        address=borrower.contact_points.get(kind="mobile").value,
        purpose="servicing",
        clock=clock,
    )


def resume_url(account, stop) -> str:  # type: ignore[no-untyped-def]
    return reverse("console:account-resume", args=[account.pk, stop.pk])


def test_a_supervisor_resumes_sms_on_the_borrowers_word(client, account, stop):
    supervisor = make_staff_user("supervisor", "zhao.supervisor")
    client.force_login(supervisor)
    page = client.get(reverse("console:account", args=[account.pk])).content.decode()
    assert "Resume SMS" in page and "How the borrower asked" in page

    response = client.post(
        resume_url(account, stop), {"how": "phoned in, identity checked, wants reminders"}, **HX
    )

    assert response.status_code == 200
    assert "SMS is open again" in response.content.decode()
    assert response["HX-Trigger"] == "account-changed"
    stop.refresh_from_db()
    assert stop.withdrawn_by == supervisor
    assert stop.withdrawn_how == "console: phoned in, identity checked, wants reminders"
    assert stop.withdrawn_at is not None
    assert OptOut.objects.filter(borrower=account.borrower).count() == 1  # kept, not deleted


def test_the_gate_allows_the_channel_from_the_withdrawal_on(client, account, stop, monday_morning):
    later = FixedClock(monday_morning + dt.timedelta(hours=1))
    assert ask_sms(account, later).denied_rule_ids == ["channel.opt_out"]
    client.force_login(make_staff_user("compliance", "qian.compliance"))

    client.post(resume_url(account, stop), {"how": "wrote to us"}, **HX)

    assert ask_sms(account, later).allowed


def test_a_collector_sees_no_resume_button_and_is_refused(client, account, stop):
    client.force_login(collector())
    page = client.get(reverse("console:account", args=[account.pk])).content.decode()
    assert "Resume SMS" not in page

    response = client.post(resume_url(account, stop), {"how": "asked"}, **HX)

    assert response.status_code == 403
    stop.refresh_from_db()
    assert stop.withdrawn_at is None


def test_how_they_asked_is_required_and_a_refusal_writes_nothing(client, account, stop):
    client.force_login(make_staff_user("supervisor", "zhao.supervisor"))

    blank = client.post(resume_url(account, stop), {"how": "  "}, **HX)

    assert blank.status_code == 422
    assert "This field is required" in blank.content.decode()
    stop.refresh_from_db()
    assert stop.withdrawn_at is None

    assert 'aria-invalid="true"' in blank.content.decode()  # the box it is about


def test_a_second_withdrawal_is_refused_with_the_reason(client, account, stop):
    from arrears.compliance.services import withdraw_opt_out

    supervisor = make_staff_user("supervisor", "zhao.supervisor")
    withdraw_opt_out(opt_out=stop, withdrawn_by=supervisor, how="portal")
    client.force_login(supervisor)

    response = client.post(resume_url(account, stop), {"how": "phoned in"}, **HX)

    assert response.status_code == 422
    assert "was already withdrawn" in response.content.decode()
    stop.refresh_from_db()
    assert stop.withdrawn_how == "portal"


def test_another_borrowers_stop_is_not_found(client, account):
    other = make_borrower(full_name="李雷")
    theirs = record_opt_out(borrower=other, channel="sms", source="退订 reply")
    client.force_login(make_staff_user("supervisor", "zhao.supervisor"))

    response = client.post(resume_url(account, theirs), {"how": "phoned in"}, **HX)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None


def test_without_htmx_the_page_reloads_at_the_panel(client, account, stop):
    client.force_login(make_staff_user("supervisor", "zhao.supervisor"))

    response = client.post(resume_url(account, stop), {"how": "phoned in"})

    assert response.status_code == 302
    assert response["Location"].endswith(f"/accounts/{account.pk}/#stops-part")


def test_in_chinese(client, account, stop):
    client.force_login(make_staff_user("supervisor", "zhao.supervisor"))
    with translation.override("zh-hans"):
        page = client.get(
            reverse("console:account", args=[account.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
        done = client.post(
            resume_url(account, stop),
            {"how": "来电，已核实身份"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
            **HX,
        ).content.decode()

    assert "借款人如何提出" in page and "恢复" in page
    assert "已重新开放" in done
