"""The account 360°: everything about an account on one page (its view recorded in the access
log), the long lists as htmx partials, and the agent's actions, each through one service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arrears.collection.models import ContactOutcome, Escalation, Promise
from arrears.compliance.models import Hold, PersonalDataAccess
from arrears.compliance.services import record_opt_out
from arrears.engagement.models import OutboxMessage
from arrears.hardship.models import Assessment
from tests.console.agent_desk import *  # noqa: F403
from tests.console.agent_desk import (
    collector,
    queued_account,
)
from tests.factories import make_borrower_login, make_staff_user

pytestmark = pytest.mark.django_db


HX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, account, *args) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"console:{name}", args=[account.pk, *args])


@pytest.fixture
def account(desk, monday_morning):  # type: ignore[no-untyped-def]
    return queued_account("王芳")


@pytest.fixture
def agent(client, desk):  # type: ignore[no-untyped-def]
    user = collector()
    client.force_login(user)
    return user


def test_the_page_shows_the_account_whole_and_records_the_view(
    client, account, agent, django_assert_max_num_queries
):
    with django_assert_max_num_queries(45):
        response = client.get(url("account", account))

    page = response.content.decode()
    assert response.status_code == 200
    assert "王芳" in page and account.number in page
    assert "1,039.43" in page  # overdue
    assert "14" in page  # days past due
    assert account.borrower.contact_points.get(kind="mobile").value in page
    assert "Early stage" in page or "14 days past due" in page  # the case and why
    assert "Log a call outcome" in page and "Take a promise to pay" in page
    assert "Set a hold" not in page  # a collector may not set holds
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.borrower, access.what) == (agent, account.borrower, "account 360°")


def test_the_ledger_and_contact_history_load_as_partials(
    client, account, agent, django_assert_max_num_queries
):
    record_opt_out(borrower=account.borrower, channel="sms", source="退订")
    client.post(url("account-call", account), {
        "disposition": "no_answer",
        "number": account.borrower.contact_points.get(kind="mobile").value,
    }, **HX)  # fmt: skip

    with django_assert_max_num_queries(15):
        ledger = client.get(url("account-part", account, "ledger"), **HX).content.decode()
    with django_assert_max_num_queries(15):
        contacts = client.get(url("account-part", account, "contacts"), **HX).content.decode()

    assert "principal:loan" in ledger
    assert "No answer" in contacts  # the disposition, next to the attempt
    assert client.get(url("account-part", account, "nothing"), **HX).status_code == 404


@pytest.mark.parametrize(
    ("language", "heading", "declined"),
    [
        ("en", "Card payments tried in the portal", ["Declined", "not enough money on the card"]),
        ("zh-hans", "客户在自助服务平台尝试的银行卡还款", ["已拒绝", "卡内余额不足"]),
    ],
)
def test_a_declined_card_payment_shows_in_the_ledger_with_its_reason(
    client, account, agent, language, heading, declined
):
    from arrears.core.money import Money
    from arrears.servicing.services.card_payments import take_card_payment
    from tests.portal.money_fixtures import scripted_card_provider

    provider = scripted_card_provider()
    provider.decline(account.number, "insufficient_funds")
    take_card_payment(
        account=account, amount=Money("300.00", "CNY"), card_number="6222 0200 1234 5678",
        idempotency_key="portal:declined",
    )  # fmt: skip
    provider.reset()

    ledger = client.get(
        url("account-part", account, "ledger"), HTTP_ACCEPT_LANGUAGE=language, **HX
    ).content.decode()

    assert heading in ledger
    assert all(words in ledger for words in declined)
    assert "****5678" in ledger and "300.00" in ledger


def test_an_agent_logs_a_call_with_the_permit_taken_from_the_queue(client, account, agent):
    client.post(reverse("console:open-next"))
    number = account.borrower.contact_points.get(kind="mobile").value

    response = client.post(url("account-call", account), {
        "disposition": "right_party_contact", "number": number, "note": "will pay Friday",
    }, **HX)  # fmt: skip

    assert response.status_code == 200
    assert response["HX-Trigger"] == "account-changed"
    outcome = ContactOutcome.objects.get()
    assert outcome.disposition.code == "right_party_contact"
    assert outcome.attempt.permit is not None  # the queue's permit was used
    assert outcome.action is not None and outcome.action.status == "done"


def test_an_agent_takes_a_promise_from_the_account_page(client, account, agent):
    response = client.post(url("account-promise", account), {
        "amount": "1039.43", "due_on": "2025-03-07", "note": "salary on Friday", "key": "k1",
    }, **HX)  # fmt: skip

    assert response.status_code == 200
    assert "Promise taken" in response.content.decode()
    promise = Promise.objects.get()
    assert (promise.total_minor, promise.taken_by) == (103943, agent)
    # the same form sent twice takes nothing new
    client.post(url("account-promise", account), {
        "amount": "1039.43", "due_on": "2025-03-07", "note": "salary on Friday", "key": "k1",
    }, **HX)  # fmt: skip
    assert Promise.objects.count() == 1
    part = client.get(url("account-part", account, "collection"), **HX).content.decode()
    assert "1,039.43" in part


def test_an_agent_takes_a_promise_in_three_payments(client, account, agent):
    response = client.post(url("account-promise", account), {
        "amount": "400.00", "due_on": "2025-03-07", "amount_2": "300.00", "due_on_2": "2025-03-21",
        "amount_3": "339.43", "due_on_3": "2025-04-04", "key": "k3",
    }, **HX)  # fmt: skip

    assert response.status_code == 200
    assert "1,039.43 in 3 payments." in response.content.decode()
    promise = Promise.objects.get()
    assert promise.total_minor == 103943
    assert [
        (i.due_on.isoformat(), i.amount_minor) for i in promise.instalments.order_by("due_on")
    ] == [("2025-03-07", 40000), ("2025-03-21", 30000), ("2025-04-04", 33943)]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"amount": "", "due_on": "2025-03-07"}, "amount", "This field is required"),
        ({"amount": "-5", "due_on": "2025-03-07"}, "amount", "greater than or equal to 0.01"),
        ({"amount": "100", "due_on": "not a day"}, "due_on", "Enter a valid date"),
        ({"amount": "100", "due_on": "2025-02-01"}, "due_on", ""),  # in the past: the service
        (
            {"amount": "100", "due_on": "2025-03-07", "amount_2": "100"},
            "due_on_2",
            "give the date of this payment",
        ),
        (
            {"amount": "100", "due_on": "2025-03-07", "due_on_3": "2025-03-21"},
            "amount_3",
            "give the amount of this payment",
        ),
        # the service names the second payment: not after the first
        (
            {"amount": "100", "due_on": "2025-03-07", "amount_2": "100", "due_on_2": "2025-03-07"},
            "due_on_2",
            "must be after the previous instalment",
        ),
    ],
)
def test_a_bad_promise_names_the_field_and_writes_nothing(
    client, account, agent, fields, field, words
):
    response = client.post(url("account-promise", account), fields, **HX)

    assert response.status_code == 422
    page = response.content.decode()
    assert f'id="promise-{field}"' in page and "errorlist" in page and words in page
    assert Promise.objects.count() == 0


def test_an_allowed_message_goes_to_the_outbox_through_the_gate(client, account, agent):
    response = client.post(
        url("account-message", account),
        {"template": "collection_reminder", "channel": "sms", "key": "m1"},
        **HX,
    )

    assert response.status_code == 200
    assert "Allowed by the compliance gate" in response.content.decode()
    assert OutboxMessage.objects.filter(borrower=account.borrower).count() == 1


def test_a_blocked_message_shows_the_gates_answer_and_sends_nothing(client, account, agent):
    record_opt_out(borrower=account.borrower, channel="sms", source="退订")

    response = client.post(
        url("account-message", account),
        {"template": "collection_reminder", "channel": "sms", "key": "m2"},
        **HX,
    )

    assert "Blocked by the compliance gate" in response.content.decode()
    assert OutboxMessage.objects.filter(borrower=account.borrower).count() == 0


def test_an_agent_asks_to_escalate_and_sees_the_preconditions(client, account, agent):
    response = client.post(url("account-escalate", account), {"kind": "warning_letter"}, **HX)

    assert response.status_code == 200
    escalation = Escalation.objects.get()
    assert (escalation.requested_by, escalation.case.account) == (agent, account)
    page = response.content.decode()
    assert escalation.get_kind_display() in page and escalation.get_status_display() in page
    assert escalation.checks and escalation.checks[0]["text_en"] in page  # the preconditions


def test_a_hardship_assessment_shows_the_priced_options_side_by_side(client, account, agent):
    response = client.post(url("account-hardship", account), {
        "region": "CN-T2", "adults": 1, "dependants": 1, "employment": "unemployed",
        "reason": "job_loss", "income": "1800", "housing": "1500", "food": "900",
        "utilities": "200", "recovery_months": 3,
    }, **HX)  # fmt: skip

    assert response.status_code == 200, response.content.decode()[:2000]
    page = response.content.decode()
    assert 'data-testid="options"' in page and "Total paid" in page
    assert Assessment.objects.filter(borrower=account.borrower).count() == 1


def test_a_bad_financial_statement_names_the_field_and_stores_nothing(client, account, agent):
    response = client.post(url("account-hardship", account), {
        "region": "CN-T2", "adults": 0, "dependants": 1, "employment": "unemployed",
        "reason": "job_loss", "income": "1800", "housing": "1500", "food": "900",
        "utilities": "200",
    }, **HX)  # fmt: skip

    assert response.status_code == 422
    assert 'id="hardship-adults_error"' in response.content.decode()
    assert Assessment.objects.count() == 0


def test_a_collection_supervisor_sets_a_hold_and_a_collector_may_not(client, account, desk):
    fields = {
        "kind": "dispute", "start_on": "2025-03-03", "review_on": "2025-04-03",
        "reason": "disputes the late fee",
    }  # fmt: skip
    client.force_login(collector("zhou"))
    assert client.post(url("account-hold", account), fields, **HX).status_code == 403
    assert Hold.objects.count() == 0

    client.force_login(make_staff_user("collection_supervisor"))
    response = client.post(url("account-hold", account), fields, **HX)

    assert response.status_code == 200, response.content.decode()
    hold = Hold.objects.get()
    assert (hold.kind, hold.account) == ("dispute", account)
    holds = client.get(url("account-part", account, "holds"), **HX).content.decode()
    assert "disputes the late fee" in holds


def test_a_hold_without_a_reason_or_an_end_names_the_field(client, account, desk):
    client.force_login(make_staff_user("collection_supervisor"))
    start = {"kind": "dispute", "start_on": "2025-03-03"}

    no_reason = client.post(
        url("account-hold", account), {**start, "review_on": "2025-04-03"}, **HX
    )
    no_end = client.post(url("account-hold", account), {**start, "reason": "disputes it"}, **HX)

    assert no_reason.status_code == 422 and 'id="hold-reason"' in no_reason.content.decode()
    assert no_end.status_code == 422
    assert "give the day the hold ends" in no_end.content.decode()
    assert Hold.objects.count() == 0


def test_without_htmx_a_good_form_redirects_back_and_a_bad_one_rerenders_the_page(
    client, account, agent
):
    good = client.post(url("account-promise", account), {"amount": "100", "due_on": "2025-03-07"})
    bad = client.post(url("account-promise", account), {"amount": "", "due_on": "2025-03-07"})

    assert good.status_code == 302 and good["Location"].endswith("#act-promise")
    assert bad.status_code == 422 and "王芳" in bad.content.decode()


def test_compliance_reads_the_page_but_has_no_actions(client, account, desk):
    client.force_login(make_staff_user("compliance"))

    page = client.get(url("account", account)).content.decode()

    assert "王芳" in page and "Log a call outcome" not in page
    assert client.post(url("account-promise", account), {}).status_code == 403


def test_unknown_accounts_are_404_and_borrowers_are_refused(client, account, desk):
    client.force_login(collector())
    assert client.get(reverse("console:account", args=[999_999])).status_code == 404
    assert client.post(reverse("console:account-promise", args=[999_999]), {}).status_code == 404

    client.force_login(make_borrower_login(account.borrower))
    assert client.get(url("account", account)).status_code == 403
    assert client.get(url("account-part", account, "ledger")).status_code == 403
    assert client.post(url("account-promise", account), {}).status_code == 403
    assert PersonalDataAccess.objects.count() == 0


def test_the_page_in_chinese(client, account, agent):
    page = client.get(url("account", account), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "王芳" in page


def test_a_stop_the_borrower_took_back_shows_as_withdrawn(client, account, agent):
    import datetime as dt

    from arrears.compliance.services import record_opt_out, withdraw_opt_out
    from arrears.core.clock import FixedClock
    from tests.factories import make_borrower_login

    borrower = account.borrower
    stop = record_opt_out(borrower=borrower, channel="email", source="portal")
    withdraw_opt_out(
        opt_out=stop,
        withdrawn_by=make_borrower_login(borrower),
        how="portal",
        clock=FixedClock(stop.at + dt.timedelta(hours=2)),
    )
    record_opt_out(borrower=borrower, channel="sms", source="portal")

    page = client.get(url("account", account)).content.decode()
    stops = [item for item in page.split("<li") if "Opted out" in item]
    assert len(stops) == 2
    withdrawn = [item for item in stops if "withdrawn" in item]
    assert len(withdrawn) == 1 and 'class="muted"' in withdrawn[0]
    assert stop.get_channel_display() in withdrawn[0]  # the e-mail stop, taken back
