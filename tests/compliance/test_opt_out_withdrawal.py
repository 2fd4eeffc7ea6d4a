"""A borrower can take back a 'stop': the channel opens again, the history is kept, and a hold
set for another reason is not undone by it."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.compliance.models import OptOut
from arrears.compliance.services import (
    record_opt_out,
    request_permit,
    set_hold,
    withdraw_opt_out,
)
from arrears.core.clock import FixedClock
from arrears.core.errors import ValidationError
from tests.compliance.conftest import CN_MORNING, mobile_of
from tests.factories import make_borrower_login, make_staff_user

pytestmark = pytest.mark.django_db

LATER = FixedClock(CN_MORNING + dt.timedelta(minutes=30))


def ask_sms(account, clock):  # type: ignore[no-untyped-def]
    borrower = account.borrower
    return request_permit(
        borrower=borrower,
        account=account,
        channel="sms",
        address=mobile_of(borrower),
        purpose="servicing",
        clock=clock,
    )


@pytest.fixture
def stopped_sms(cn_loan, cn_clock):  # type: ignore[no-untyped-def]
    """The borrower stopped texts from the portal; the gate refuses them."""
    stop = record_opt_out(borrower=cn_loan.borrower, channel="sms", source="portal", clock=cn_clock)
    assert ask_sms(cn_loan, cn_clock).denied_rule_ids == ["channel.opt_out"]
    return stop


def test_after_the_borrower_withdraws_a_stop_the_gate_allows_texts_again(
    cn_loan, stopped_sms, cn_clock
):
    login = make_borrower_login(cn_loan.borrower)

    withdrawn = withdraw_opt_out(opt_out=stopped_sms, withdrawn_by=login, how="portal", clock=LATER)

    assert ask_sms(cn_loan, LATER).allowed
    # the stop still counts for a contact before it was withdrawn (a re-check of the past)
    assert ask_sms(cn_loan, cn_clock).denied_rule_ids == ["channel.opt_out"]
    # the opt-out row and its withdrawal are both kept
    kept = OptOut.objects.get()
    assert kept.pk == withdrawn.pk == stopped_sms.pk
    assert (kept.channel, kept.source, kept.at) == ("sms", "portal", CN_MORNING)
    assert kept.withdrawn_at == LATER.now()
    assert kept.withdrawn_by == login
    assert kept.withdrawn_by_name == login.get_username()
    assert kept.withdrawn_how == "portal"


def test_withdrawing_a_stop_twice_is_refused_by_name_and_writes_nothing(cn_loan, stopped_sms):
    login = make_borrower_login(cn_loan.borrower)
    withdraw_opt_out(opt_out=stopped_sms, withdrawn_by=login, how="portal", clock=LATER)
    before = list(OptOut.objects.values())

    with pytest.raises(ValidationError) as refused:
        withdraw_opt_out(
            opt_out=stopped_sms,
            withdrawn_by=login,
            how="again",
            clock=FixedClock(CN_MORNING + dt.timedelta(hours=2)),
        )

    assert refused.value.field == "opt_out"
    assert "already withdrawn on 2025-01-15" in refused.value.reason
    assert list(OptOut.objects.values()) == before


def test_another_borrower_cannot_withdraw_a_stop(cn_loan, stopped_sms, cn_clock):
    stranger = make_borrower_login()

    with pytest.raises(ValidationError) as refused:
        withdraw_opt_out(opt_out=stopped_sms, withdrawn_by=stranger, how="portal", clock=LATER)

    assert refused.value.field == "withdrawn_by"
    assert OptOut.objects.get().withdrawn_at is None
    assert ask_sms(cn_loan, LATER).denied_rule_ids == ["channel.opt_out"]


def test_only_staff_allowed_to_change_opt_outs_may_withdraw_one(cn_loan, stopped_sms):
    agent = make_staff_user("agent")  # records a STOP heard on the phone, cannot undo one
    with pytest.raises(ValidationError) as refused:
        withdraw_opt_out(opt_out=stopped_sms, withdrawn_by=agent, how="phone", clock=LATER)
    assert refused.value.field == "withdrawn_by"
    assert OptOut.objects.get().withdrawn_at is None

    admin = make_staff_user("admin")
    withdraw_opt_out(opt_out=stopped_sms, withdrawn_by=admin, how="asked on the phone", clock=LATER)

    assert OptOut.objects.get().withdrawn_by_name == admin.get_username()
    assert ask_sms(cn_loan, LATER).allowed


def test_nobody_cannot_withdraw_a_stop(stopped_sms):
    with pytest.raises(ValidationError) as refused:
        withdraw_opt_out(opt_out=stopped_sms, withdrawn_by=None, how="portal", clock=LATER)

    assert refused.value.field == "withdrawn_by"
    assert OptOut.objects.get().withdrawn_at is None


def test_withdrawing_a_stop_does_not_lift_a_cease_communication_hold(
    cn_loan, stopped_sms, cn_clock
):
    set_hold(
        borrower=cn_loan.borrower,
        kind="cease_communication",
        start_on=dt.date(2025, 1, 10),
        review_on=dt.date(2025, 3, 1),
        reason="the borrower's solicitor asked us in writing to stop",
        clock=cn_clock,
    )
    login = make_borrower_login(cn_loan.borrower)

    withdraw_opt_out(opt_out=stopped_sms, withdrawn_by=login, how="portal", clock=LATER)

    decision = ask_sms(cn_loan, LATER)
    assert decision.allowed is False
    assert decision.denied_rule_ids == ["hold.cease_communication"]


def test_a_stop_made_again_after_a_withdrawal_blocks_again(cn_loan, stopped_sms):
    login = make_borrower_login(cn_loan.borrower)
    withdraw_opt_out(opt_out=stopped_sms, withdrawn_by=login, how="portal", clock=LATER)
    later_still = FixedClock(CN_MORNING + dt.timedelta(hours=1))

    record_opt_out(borrower=cn_loan.borrower, channel="sms", source="portal", clock=later_still)

    assert ask_sms(cn_loan, later_still).denied_rule_ids == ["channel.opt_out"]
    assert OptOut.objects.count() == 2


def test_the_admin_shows_who_withdrew_a_stop_and_when(cn_loan, stopped_sms):
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    login = make_borrower_login(cn_loan.borrower, "lin.mei")
    withdraw_opt_out(opt_out=stopped_sms, withdrawn_by=login, how="portal", clock=LATER)
    root = Client()
    root.force_login(get_user_model().objects.create_superuser(username="root", password="x"))

    page = root.get(reverse("admin:compliance_optout_change", args=[stopped_sms.pk]))
    listing = root.get(reverse("admin:compliance_optout_changelist"))

    assert page.status_code == 200 and listing.status_code == 200
    text = page.content.decode()
    assert "Withdrawn by (name)" in text and "lin.mei" in text
    assert "How it was withdrawn" in text
    assert "Withdrawn at" in listing.content.decode()


def test_a_stop_at_one_number_is_not_withdrawn_by_the_borrower_alone(cn_loan, cn_clock):
    # a contact person's STOP at their own number is recorded on the borrower's file
    stop = record_opt_out(
        borrower=cn_loan.borrower,
        channel="sms",
        address="+8613900139000",
        source="sms reply",
        clock=cn_clock,
    )
    login = make_borrower_login(cn_loan.borrower)

    with pytest.raises(ValidationError) as refused:
        withdraw_opt_out(opt_out=stop, withdrawn_by=login, how="portal", clock=LATER)

    assert refused.value.field == "opt_out"
    assert OptOut.objects.get().withdrawn_at is None
