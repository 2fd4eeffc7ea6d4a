"""The audit trail of staff views of personal data: each opening of a page that shows a
borrower's data writes one record (who, whose, what, where, when); a refused visit and the
borrower's own portal write none."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from arrears.care.models import CareAgent
from arrears.care.services.tickets import open_ticket
from arrears.collection.models import Collector
from arrears.compliance.models import PersonalDataAccess
from arrears.compliance.services.access_log import record_personal_data_access
from tests.factories import make_borrower, make_borrower_login, make_loan_account, make_staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def borrower():  # type: ignore[no-untyped-def]
    return make_borrower(full_name="王芳")


@pytest.fixture
def agent():  # type: ignore[no-untyped-def]
    user = make_staff_user("agent", "li.agent")
    Collector.objects.create(user=user)
    CareAgent.objects.create(user=user)
    return user


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_service_records_who_opened_whose_data_where_and_when(agent, borrower, clock):
    record = record_personal_data_access(
        user=agent, borrower=borrower, what="account 360°", path="/console/accounts/1/", clock=clock
    )

    assert PersonalDataAccess.objects.get() == record
    assert (record.user, record.borrower, record.what, record.path) == (
        agent,
        borrower,
        "account 360°",
        "/console/accounts/1/",
    )
    assert record.accessed_at == clock.now()


def test_each_opening_of_an_account_page_writes_one_record(agent, borrower):
    account = make_loan_account(borrower=borrower)
    client = signed_in(agent)
    url = reverse("console:account", args=[account.pk])

    first = client.get(url)
    second = client.get(url)

    assert first.status_code == second.status_code == 200
    records = list(PersonalDataAccess.objects.order_by("id"))
    assert len(records) == 2
    assert {(r.user, r.borrower, r.path) for r in records} == {(agent, borrower, url)}


def test_opening_a_ticket_writes_one_record(agent, borrower):
    ticket = open_ticket(
        kind="inquiry", subject="When is my payment due?", origin="portal", borrower=borrower
    )

    response = signed_in(agent).get(reverse("console:ticket", args=[ticket.reference]))

    assert response.status_code == 200
    record = PersonalDataAccess.objects.get()
    assert (record.user, record.borrower) == (agent, borrower)


def test_a_refused_visit_records_nothing(borrower):
    account = make_loan_account(borrower=borrower)
    compliance_officer = make_staff_user("compliance")  # no collection work
    collector = make_staff_user("collector")  # no tickets

    other_borrower = make_borrower_login()
    account_page = signed_in(other_borrower).get(reverse("console:account", args=[account.pk]))
    ticket_page = signed_in(collector).get(reverse("console:ticket", args=["T9999999"]))
    work = signed_in(compliance_officer).get(reverse("console:my-work"))

    assert account_page.status_code == 403
    assert ticket_page.status_code == 403
    assert work.status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_a_borrower_reading_their_own_accounts_in_the_portal_is_not_recorded(borrower):
    account = make_loan_account(borrower=borrower)
    client = signed_in(make_borrower_login(borrower))

    home = client.get(reverse("portal:home"))
    detail = client.get(reverse("portal:account", args=[account.pk]))

    assert home.status_code == detail.status_code == 200
    assert not PersonalDataAccess.objects.exists()
