"""The compliance pages of the console: the decision log and why a contact was refused,
refusals counted by rule, holds, opt-outs, consents, content-validator hits and the audit
trail of views of personal data — and who may open them."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.urls import reverse

from arrears.compliance.models import Decision, PersonalDataAccess
from arrears.compliance.services import request_permit
from arrears.compliance.services.access_log import record_personal_data_access
from arrears.compliance.services.records import (
    lift_hold,
    record_consent,
    record_opt_out,
    revoke_consent,
    set_hold,
)
from arrears.core.clock import FixedClock
from arrears.engagement.models import OutboxMessage
from tests.factories import (
    make_borrower,
    make_borrower_login,
    make_loan_account,
    make_staff_user,
)

pytestmark = pytest.mark.django_db

#: 23:00 in Shanghai on Wednesday 15 January 2025: inside China's no-collection hours.
LATE_NIGHT = dt.datetime(2025, 1, 15, 15, 0, tzinfo=dt.UTC)
#: 10:00 in Shanghai the same day.
MORNING = dt.datetime(2025, 1, 15, 2, 0, tzinfo=dt.UTC)
PERIOD = {"since": "2025-01-01", "until": "2025-01-31"}
_ids = itertools.count(1)


@pytest.fixture
def profiles(db: Any) -> None:
    from arrears.compliance.services import load_profiles

    load_profiles()


@pytest.fixture
def officer(client: Any) -> Any:
    user = make_staff_user("compliance", "zhou.compliance")
    client.force_login(user)
    return user


def mobile_of(borrower: Any) -> str:
    return str(borrower.contact_points.get(kind="mobile").value)


def logged_decision(
    borrower: Any = None,
    *,
    allowed: bool = False,
    denied: str = "hours.window",
    channel: str = "call",
    purpose: str = "collection",
    decided_at: dt.datetime = LATE_NIGHT,
    account: Any = None,
) -> Decision:
    """A decision row as the gate logs it (for volume: the gate itself is used elsewhere)."""
    rules = [
        {
            "id": rule_id,
            "outcome": "deny",
            "reason_en": f"refused by {rule_id}",
            "reason_zh": f"被 {rule_id} 拒绝",
            "citation": {"ref": "CBA 2026", "source": "CN-HOURS-01", "status": "V-SECONDARY"},
            "next_permitted_at": None,
        }
        for rule_id in ([] if allowed else denied.split())
    ]
    return Decision.objects.create(
        request_id=f"test-{next(_ids)}",
        borrower=borrower,
        account=account,
        channel=channel,
        address="+8613800000000",
        purpose=purpose,
        at=decided_at,
        decided_at=decided_at,
        allowed=allowed,
        next_permitted_at=None if allowed else decided_at + dt.timedelta(hours=9),
        profile_code="CN",
        profile_version="CN@test",
        rules=rules,
        denied_rules="" if allowed else denied,
        snapshot={"borrower": {"addresses": [{"time_zone": "Asia/Shanghai"}]}},
    )


# --- the decision log --------------------------------------------------------------------------


def test_the_log_shows_why_a_late_night_call_was_refused_and_when_it_may_be_made(
    client, officer, profiles
):
    # given a Shanghai borrower the lender asked to call at 23:00 Beijing time
    loan = make_loan_account()
    refused = request_permit(
        borrower=loan.borrower,
        account=loan,
        channel="call",
        address=mobile_of(loan.borrower),
        purpose="collection",
        clock=FixedClock(LATE_NIGHT),
    )
    assert not refused.allowed

    # when the compliance officer opens the log
    response = client.get(reverse("console:compliance"), HTTP_ACCEPT_LANGUAGE="en")

    # then the refusal is listed with the borrower, the rule, its reason and citation
    assert response.status_code == 200
    page = response.content.decode()
    assert loan.borrower.reference in page
    assert "Blocked" in page
    assert "hours.window" in page
    refusal = next(r for r in refused.rules if r["outcome"] == "deny")
    assert refusal["reason_en"] in page
    assert refusal["citation"]["ref"] in page
    assert reverse("console:compliance-decision", args=[refused.pk]) in page


def test_the_log_filters_by_outcome_rule_channel_purpose_reference_and_period(client, officer):
    wang = make_borrower(full_name="王芳")
    li = make_borrower(full_name="李雷")
    late_call = logged_decision(wang, denied="hours.window")
    capped_sms = logged_decision(wang, denied="frequency.daily sms.cap", channel="sms")
    allowed = logged_decision(li, allowed=True, purpose="servicing")
    last_year = logged_decision(li, decided_at=LATE_NIGHT - dt.timedelta(days=400))

    def shown(**query: str) -> set[int]:
        response = client.get(reverse("console:compliance"), query)
        assert response.status_code == 200
        return {decision.pk for decision in response.context["page"].object_list}

    assert shown() == {late_call.pk, capped_sms.pk, allowed.pk, last_year.pk}
    assert shown(outcome="blocked") == {late_call.pk, capped_sms.pk, last_year.pk}
    assert shown(outcome="allowed") == {allowed.pk}
    assert shown(rule_id="sms.cap") == {capped_sms.pk}
    assert shown(rule_id="hours.window") == {late_call.pk, last_year.pk}
    assert shown(rule_id="hours") == set()  # a whole rule id, not a part of one
    assert shown(channel="sms") == {capped_sms.pk}
    assert shown(purpose="servicing") == {allowed.pk}
    assert shown(reference=wang.reference) == {late_call.pk, capped_sms.pk}
    assert shown(**PERIOD) == {late_call.pk, capped_sms.pk, allowed.pk}
    assert shown(outcome="blocked", reference=li.reference, **PERIOD) == set()


def test_the_log_finds_decisions_by_account_number(client, officer):
    loan = make_loan_account()
    about_the_loan = logged_decision(loan.borrower, account=loan)
    logged_decision(make_borrower())

    response = client.get(reverse("console:compliance"), {"reference": loan.number})

    assert [d.pk for d in response.context["page"].object_list] == [about_the_loan.pk]


def test_the_log_pages_newest_first_keeping_the_filters(client, officer):
    borrower = make_borrower()
    decisions = [
        logged_decision(borrower, decided_at=LATE_NIGHT + dt.timedelta(minutes=n))
        for n in range(55)
    ]

    first = client.get(reverse("console:compliance"), {"outcome": "blocked"})
    second = client.get(reverse("console:compliance"), {"outcome": "blocked", "page": 2})

    assert [d.pk for d in first.context["page"].object_list] == [
        d.pk for d in reversed(decisions[5:])
    ]
    assert [d.pk for d in second.context["page"].object_list] == [
        d.pk for d in reversed(decisions[:5])
    ]
    assert "page=2" in first.content.decode() and "outcome=blocked" in first.content.decode()


def test_an_htmx_filter_returns_only_the_results_section(client, officer):
    logged_decision(make_borrower())

    response = client.get(
        reverse("console:compliance"), {"outcome": "blocked"}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="decision-log"' in page and "<html" not in page


def test_a_bad_date_is_shown_next_to_its_field_and_nothing_is_listed(client, officer):
    logged_decision(make_borrower())

    response = client.get(
        reverse("console:compliance"),
        {"since": "2025-02-01", "until": "2025-01-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 422
    assert "must not be before the start of the period" in response.content.decode()
    assert response.context["page"] is None


def test_the_log_costs_the_same_queries_for_ten_rows_as_for_fifty(
    client, officer, django_assert_max_num_queries
):
    def load(rows: int) -> None:
        for _ in range(rows):
            logged_decision(make_borrower())
        with django_assert_max_num_queries(8):
            assert client.get(reverse("console:compliance")).status_code == 200

    load(10)
    load(40)


# --- one decision --------------------------------------------------------------------------------


def test_a_decision_page_shows_every_rule_answer_and_records_the_view(client, officer, profiles):
    loan = make_loan_account()
    refused = request_permit(
        borrower=loan.borrower,
        account=loan,
        channel="call",
        address=mobile_of(loan.borrower),
        purpose="collection",
        clock=FixedClock(LATE_NIGHT),
    )

    response = client.get(
        reverse("console:compliance-decision", args=[refused.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    page = response.content.decode()
    assert response.status_code == 200
    for rule in refused.rules:
        assert rule["id"] in page
    assert "Asia/Shanghai" in page  # the inputs, to check the answer again
    assert loan.number in page
    # and opening it is in the audit trail
    view = PersonalDataAccess.objects.get()
    assert (view.user, view.borrower, view.what) == (officer, loan.borrower, "compliance decision")


def test_a_decision_page_shows_reasons_in_chinese_to_a_chinese_reader(client, officer):
    decision = logged_decision(make_borrower())

    response = client.get(
        reverse("console:compliance-decision", args=[decision.pk]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert "被 hours.window 拒绝" in response.content.decode()


def test_an_unknown_decision_is_not_found(client, officer):
    response = client.get(reverse("console:compliance-decision", args=[999_999]))

    assert response.status_code == 404


# --- blocked by rule -----------------------------------------------------------------------------


def test_blocked_contacts_are_counted_per_rule_and_channel_with_links_to_the_log(client, officer):
    borrower = make_borrower()
    for _ in range(3):
        logged_decision(borrower, denied="hours.window")
    logged_decision(borrower, denied="hours.window frequency.daily", channel="sms")
    logged_decision(borrower, allowed=True)
    logged_decision(borrower, denied="hold.cease", decided_at=LATE_NIGHT - dt.timedelta(days=60))

    response = client.get(reverse("console:compliance-blocked"), PERIOD)

    counts = response.context["counts"]
    assert counts.blocked == 4
    assert [(r.rule_id, r.total) for r in counts.rules] == [
        ("hours.window", 4),
        ("frequency.daily", 1),
    ]
    assert dict(counts.rules[0].per_channel) == {"call": 3, "sms": 1}
    page = response.content.decode()
    assert (
        reverse("console:compliance")
        + "?outcome=blocked&amp;rule_id=hours.window&amp;since=2025-01-01&amp;until=2025-01-31"
    ) in page


def test_blocked_by_rule_covers_the_last_thirty_days_unless_told(client, officer):
    response = client.get(reverse("console:compliance-blocked"))

    assert response.status_code == 200
    form = response.context["form"]
    assert (form.cleaned_data["until"] - form.cleaned_data["since"]).days == 29


def test_blocked_by_rule_costs_the_same_queries_however_many_refusals(
    client, officer, django_assert_max_num_queries
):
    borrower = make_borrower()
    for rows in (5, 50):
        for n in range(rows):
            logged_decision(borrower, denied=f"rule.{n % 7}", channel=("call", "sms")[n % 2])
        with django_assert_max_num_queries(6):
            client.get(reverse("console:compliance-blocked"), PERIOD)


# --- holds, opt-outs, consents ------------------------------------------------------------------


def test_holds_are_listed_active_or_lifted_by_kind(client, officer):
    wang, li = make_borrower(), make_borrower()
    dispute = set_hold(
        borrower=wang,
        kind="dispute",
        start_on=dt.date(2025, 1, 2),
        review_on=dt.date(2025, 3, 1),
        reason="disputes the fee",
    )
    cease = set_hold(
        borrower=li,
        kind="cease_communication",
        start_on=dt.date(2025, 1, 3),
        review_on=dt.date(2025, 3, 1),
        reason="wrote in",
    )
    lift_hold(hold=cease, reason="borrower withdrew the request")

    def shown(**query: str) -> set[int]:
        return {
            h.pk for h in client.get(reverse("console:compliance-holds"), query).context["page"]
        }

    assert shown() == {dispute.pk, cease.pk}
    assert shown(status="active") == {dispute.pk}
    assert shown(status="lifted") == {cease.pk}
    assert shown(kind="cease_communication") == {cease.pk}
    assert shown(reference=wang.reference) == {dispute.pk}
    page = client.get(reverse("console:compliance-holds"), HTTP_ACCEPT_LANGUAGE="en")
    assert "borrower withdrew the request" in page.content.decode()


def test_opt_outs_are_listed_by_channel_and_borrower(client, officer):
    wang, li = make_borrower(), make_borrower()
    sms = record_opt_out(borrower=wang, channel="sms", source="sms STOP", message="退订")
    email = record_opt_out(borrower=li, channel="email", source="agent")

    def shown(**query: str) -> set[int]:
        response = client.get(reverse("console:compliance-opt-outs"), query)
        return {o.pk for o in response.context["page"]}

    assert shown() == {sms.pk, email.pk}
    assert shown(channel="sms") == {sms.pk}
    assert shown(reference=li.reference) == {email.pk}
    assert "退订" in client.get(reverse("console:compliance-opt-outs")).content.decode()


def test_consents_are_listed_in_force_or_revoked(client, officer):
    borrower = make_borrower()
    kept = record_consent(borrower=borrower, channel="call", address="+12125550142", how="web")
    revoked = record_consent(borrower=borrower, channel="sms", address="+12125550142", how="web")
    revoke_consent(borrower=borrower, channel="sms", how="texted STOP")

    def shown(**query: str) -> set[int]:
        response = client.get(reverse("console:compliance-consents"), query)
        return {c.pk for c in response.context["page"]}

    assert shown() == {kept.pk, revoked.pk}
    assert shown(status="in_force") == {kept.pk}
    assert shown(status="revoked") == {revoked.pk}
    assert shown(channel="call") == {kept.pk}


@pytest.mark.parametrize(
    "url_name",
    ["console:compliance-holds", "console:compliance-opt-outs", "console:compliance-consents"],
)
def test_the_lists_cost_the_same_queries_however_many_rows(
    client, officer, django_assert_max_num_queries, url_name
):
    for rows in (3, 30):
        for _ in range(rows):
            borrower = make_borrower()
            set_hold(
                borrower=borrower,
                kind="dispute",
                start_on=dt.date(2025, 1, 2),
                review_on=dt.date(2025, 3, 1),
                reason="x",
            )
            record_opt_out(borrower=borrower, channel="sms", source="sms STOP")
            record_consent(borrower=borrower, channel="call", address="+12125550142", how="web")
        with django_assert_max_num_queries(8):
            assert client.get(reverse(url_name)).status_code == 200


# --- content-validator hits ----------------------------------------------------------------------


def outbox_message(borrower: Any, body: str, *, channel: str = "sms") -> OutboxMessage:
    return OutboxMessage.objects.create(
        idempotency_key=f"test-{next(_ids)}",
        borrower=borrower,
        kind="care_reply",
        channel=channel,
        address="+8613800000000",
        language="zh-hans",
        body=body,
        next_attempt_at=MORNING,
        created_at=MORNING,
    )


def test_the_content_validator_hits_name_the_rule_the_words_and_why(client, officer, profiles):
    borrower = make_borrower()
    outbox_message(borrower, "再不还款就上门找你，回复TD退订")
    outbox_message(borrower, "您的还款已收到，谢谢。回复TD退订")

    response = client.get(
        reverse("console:compliance-content"),
        {**PERIOD, "source": "message"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    hits = list(response.context["page"])
    assert [(hit.rule_id, hit.excerpt) for hit in hits] == [("content.threat", "上门找你")]
    page = response.content.decode()
    assert borrower.reference in page and "content.threat" in page and "上门找你" in page


def test_content_hits_filter_by_rule(client, officer, profiles):
    borrower = make_borrower()
    outbox_message(borrower, "再不还款就上门找你，回复TD退订")
    outbox_message(borrower, "请尽快还款", channel="sms")  # no opt-out line

    def rules(**query: str) -> list[str]:
        response = client.get(reverse("console:compliance-content"), {**PERIOD, **query})
        return sorted(hit.rule_id for hit in response.context["page"])

    assert "content.opt_out_missing" in rules(source="message")
    assert rules(source="message", rule_id="content.threat") == ["content.threat"]


# --- the audit trail of views of personal data ---------------------------------------------------


def test_views_of_personal_data_filter_by_staff_member_and_borrower(client, officer):
    agent = make_staff_user("agent", "li.agent")
    wang, li = make_borrower(full_name="王芳"), make_borrower(full_name="李雷")
    by_agent = record_personal_data_access(
        user=agent, borrower=wang, what="account 360°", path="/console/accounts/1/"
    )
    by_officer = record_personal_data_access(
        user=officer, borrower=li, what="ticket", path="/console/tickets/7/"
    )

    def shown(**query: str) -> set[int]:
        response = client.get(reverse("console:compliance-personal-data"), query)
        return {v.pk for v in response.context["page"]}

    assert shown() == {by_agent.pk, by_officer.pk}
    assert shown(staff="LI.AGENT") == {by_agent.pk}
    assert shown(reference=li.reference) == {by_officer.pk}
    page = client.get(reverse("console:compliance-personal-data")).content.decode()
    assert "account 360°" in page and "王芳" in page


def test_the_audit_trail_costs_the_same_queries_however_many_views(
    client, officer, django_assert_max_num_queries
):
    for rows in (3, 30):
        for _ in range(rows):
            record_personal_data_access(
                user=officer, borrower=make_borrower(), what="account 360°", path="/x/"
            )
        with django_assert_max_num_queries(8):
            assert client.get(reverse("console:compliance-personal-data")).status_code == 200


# --- who may open the pages ----------------------------------------------------------------------

PAGES = [
    "console:compliance",
    "console:compliance-blocked",
    "console:compliance-holds",
    "console:compliance-opt-outs",
    "console:compliance-consents",
    "console:compliance-content",
    "console:compliance-personal-data",
]


@pytest.mark.parametrize("url_name", PAGES)
@pytest.mark.parametrize("role", ["compliance", "supervisor", "admin"])
def test_compliance_officers_and_supervisors_open_every_compliance_page(client, url_name, role):
    client.force_login(make_staff_user(role))

    assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("url_name", PAGES)
def test_a_borrower_is_refused_every_compliance_page(client, url_name):
    client.force_login(make_borrower_login())

    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert "Your role does not allow you to open this page." in response.content.decode()


def test_a_borrower_is_refused_a_decision_about_themselves(client):
    borrower = make_borrower()
    decision = logged_decision(borrower)
    client.force_login(make_borrower_login(borrower))

    response = client.get(reverse("console:compliance-decision", args=[decision.pk]))

    assert response.status_code == 403
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("role", ["agent", "collector", "collection_supervisor"])
def test_agents_and_collectors_are_refused_the_compliance_pages_and_the_audit_trail(client, role):
    """They see gate decisions on the accounts they work, not the log of everyone's."""
    client.force_login(make_staff_user(role))

    assert client.get(reverse("console:compliance")).status_code == 403
    assert client.get(reverse("console:compliance-personal-data")).status_code == 403
    audit_admin = "/admin/compliance/personaldataaccess/"
    assert client.get(audit_admin).status_code in {302, 403}


def test_a_visitor_who_has_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(reverse("console:compliance"))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_compliance_menu_entry_shows_to_a_compliance_officer(client, officer):
    response = client.get(reverse("console:home"), HTTP_ACCEPT_LANGUAGE="en")

    assert reverse("console:compliance") in response.content.decode()


def test_the_audit_trail_is_read_only_in_the_admin(client):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root", password="pw")
    record_personal_data_access(
        user=admin_user, borrower=make_borrower(), what="account 360°", path="/x/"
    )
    client.force_login(admin_user)

    listing = client.get(reverse("admin:compliance_personaldataaccess_changelist"))
    adding = client.get(reverse("admin:compliance_personaldataaccess_add"))

    assert listing.status_code == 200 and "account 360°" in listing.content.decode()
    assert adding.status_code == 403
