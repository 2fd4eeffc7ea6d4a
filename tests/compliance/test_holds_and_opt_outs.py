"""Holds, opt-outs and consent take effect at once, and only where they apply."""

from __future__ import annotations

import datetime as dt

import pytest

from arrears.compliance.models import Hold, OptOut
from arrears.compliance.services import (
    PermitVoided,
    lift_hold,
    record_consent,
    record_opt_out,
    record_opt_out_if_stop,
    request_permit,
    revoke_consent,
    set_contact_preference,
    set_hold,
    use_permit,
)
from arrears.core.clock import FixedClock
from arrears.core.errors import Conflict, ValidationError
from tests.compliance.conftest import US_MOBILE_E164, mobile_of

pytestmark = pytest.mark.django_db


def ask(account, clock, *, channel="call", address=None, purpose="collection", **extra):  # type: ignore[no-untyped-def]
    borrower = account.borrower
    if address is None:
        address = borrower.email if channel == "email" else mobile_of(borrower)
    return request_permit(
        borrower=borrower,
        account=account,
        channel=channel,
        address=address,
        purpose=purpose,
        clock=clock,
        **extra,
    )


def test_stop_by_sms_blocks_sms_at_once_and_nothing_else(cn_loan, cn_clock):
    # given a text already allowed to the borrower's mobile
    borrower = cn_loan.borrower
    earlier = ask(cn_loan, cn_clock, channel="sms", purpose="servicing")
    assert earlier.allowed

    # when the borrower replies STOP to a text
    opt_out = record_opt_out_if_stop(
        borrower=borrower,
        channel="sms",
        address=mobile_of(borrower),
        text="STOP",
        clock=cn_clock,
    )

    # then texts to that number are refused from this moment, a person must lift it …
    assert opt_out is not None and opt_out.at == cn_clock.now()
    refused = ask(cn_loan, cn_clock, channel="sms", purpose="servicing")
    assert refused.allowed is False
    assert refused.denied_rule_ids == ["channel.opt_out"]
    assert refused.next_permitted_at is None
    # … the text already allowed cannot go out either …
    with pytest.raises(PermitVoided):
        use_permit(
            permit_id=earlier.issued_permit.pk,  # type: ignore[union-attr]
            borrower=borrower,
            channel="sms",
            address=mobile_of(borrower),
            clock=cn_clock,
        )
    # … and calls and e-mails are not touched
    assert ask(cn_loan, cn_clock, channel="call").allowed
    assert ask(cn_loan, cn_clock, channel="email", purpose="servicing").allowed


def test_a_reply_of_tuiding_is_an_opt_out_and_a_question_is_not(cn_loan, cn_clock):
    borrower = cn_loan.borrower
    mobile = mobile_of(borrower)

    question = record_opt_out_if_stop(
        borrower=borrower, channel="sms", address=mobile, text="我什么时候还款?", clock=cn_clock
    )
    stop = record_opt_out_if_stop(
        borrower=borrower, channel="sms", address=mobile, text="退订", clock=cn_clock
    )

    assert question is None
    assert stop is not None and OptOut.objects.get() == stop
    assert stop.message == "退订"
    assert ask(cn_loan, cn_clock, channel="sms", purpose="servicing").allowed is False


def test_an_opt_out_of_one_address_leaves_the_other_addresses(cn_loan, cn_clock):
    borrower = cn_loan.borrower
    record_opt_out(
        borrower=borrower,
        channel="email",
        address="old@example.com",
        source="email unsubscribe",
        clock=cn_clock,
    )

    assert ask(cn_loan, cn_clock, channel="email", address="old@example.com").allowed is False
    assert ask(cn_loan, cn_clock, channel="email", address=borrower.email).allowed


def test_a_dispute_hold_stops_collection_calls_but_not_a_receipt(us_card, ny_clock):
    # given the borrower disputes the debt in writing (FDCPA 1692g(b))
    hold = set_hold(
        borrower=us_card.borrower,
        account=us_card,
        kind="dispute",
        start_on=dt.date(2025, 1, 14),
        review_on=dt.date(2025, 2, 14),
        reason="disputes the late fee in writing",
        clock=ny_clock,
    )

    # when a collector asks to call about it, and the system to send a payment receipt
    call = ask(us_card, ny_clock, channel="call", address=US_MOBILE_E164)
    receipt = ask(
        us_card, ny_clock, channel="email", purpose="transactional", address="jane@example.com"
    )

    # then collection stops until a person lifts the hold, and the receipt goes out
    assert call.allowed is False
    assert call.denied_rule_ids == ["hold.dispute"]
    assert call.next_permitted_at is None
    assert receipt.allowed
    assert hold.set_by_name == "system"

    # and once the dispute is answered and the hold lifted, calls may resume
    lift_hold(hold=hold, reason="verification sent", clock=ny_clock)
    later = FixedClock(ny_clock.now() + dt.timedelta(minutes=1))
    assert ask(us_card, later, channel="call", address=US_MOBILE_E164).allowed


def test_a_hold_on_another_account_does_not_stop_this_one(us_card, ny_clock):
    from tests.factories import make_card_account

    other = make_card_account(product_code="us_card_rewards", borrower=us_card.borrower)
    set_hold(
        borrower=us_card.borrower,
        account=other,
        kind="dispute",
        start_on=dt.date(2025, 1, 14),
        review_on=dt.date(2025, 2, 14),
        reason="disputes the other card",
        clock=ny_clock,
    )

    assert ask(us_card, ny_clock, address=US_MOBILE_E164).allowed
    assert ask(other, ny_clock, address=US_MOBILE_E164).allowed is False


def test_a_hold_that_ends_lifts_itself_the_next_day(cn_loan, cn_clock):
    set_hold(
        borrower=cn_loan.borrower,
        kind="cease_communication",
        start_on=dt.date(2025, 1, 10),
        end_on=dt.date(2025, 1, 16),
        reason="agreed pause",
        clock=cn_clock,
    )

    decision = ask(cn_loan, cn_clock)

    assert decision.denied_rule_ids == ["hold.cease_communication"]
    # 17 January 00:00 Beijing time; then the 08:00 window opens
    assert decision.next_permitted_at == dt.datetime(2025, 1, 17, 0, 0, tzinfo=dt.UTC)


def test_a_hold_must_say_when_it_ends_or_is_reviewed(cn_loan, cn_clock):
    with pytest.raises(ValidationError) as refused:
        set_hold(
            borrower=cn_loan.borrower,
            kind="dispute",
            start_on=dt.date(2025, 1, 10),
            reason="dispute",
            clock=cn_clock,
        )
    assert refused.value.field == "review_on"
    with pytest.raises(ValidationError) as backwards:
        set_hold(
            borrower=cn_loan.borrower,
            kind="dispute",
            start_on=dt.date(2025, 1, 10),
            end_on=dt.date(2025, 1, 9),
            reason="dispute",
            clock=cn_clock,
        )
    assert backwards.value.field == "end_on"
    assert not Hold.objects.exists()


def test_a_hold_is_lifted_once_and_never_deleted(cn_loan, cn_clock):
    hold = set_hold(
        borrower=cn_loan.borrower,
        kind="deceased",
        start_on=dt.date(2025, 1, 10),
        review_on=dt.date(2025, 3, 1),
        reason="death certificate received",
        clock=cn_clock,
    )
    lift_hold(hold=hold, reason="recorded in error", clock=cn_clock)

    with pytest.raises(Conflict):
        lift_hold(hold=hold, reason="again", clock=cn_clock)
    with pytest.raises(Conflict):
        hold.delete()
    assert Hold.objects.get(pk=hold.pk).lift_reason == "recorded in error"


def test_an_autodialled_call_needs_prior_express_consent_and_stops_when_revoked(us_card, ny_clock):
    # given no consent to autodialled calls (TCPA 47 USC 227(b))
    borrower = us_card.borrower
    refused = ask(us_card, ny_clock, address=US_MOBILE_E164, automated=True)
    assert refused.denied_rule_ids == ["channel.automated_consent"]

    # when the borrower gives consent on the application form
    record_consent(
        borrower=borrower,
        channel="call",
        address=US_MOBILE_E164,
        how="application form",
        given_at=ny_clock.now() - dt.timedelta(days=30),
        clock=ny_clock,
    )
    allowed = ask(us_card, ny_clock, address=US_MOBILE_E164, automated=True)
    assert allowed.allowed

    # then revoked "by any reasonable means": at once, and the permit already issued is void
    revoke_consent(
        borrower=borrower,
        channel="call",
        address=US_MOBILE_E164,
        how="said stop calling me",
        clock=ny_clock,
    )
    assert ask(us_card, ny_clock, address=US_MOBILE_E164, automated=True).allowed is False
    with pytest.raises(PermitVoided):
        use_permit(
            permit_id=allowed.issued_permit.pk,  # type: ignore[union-attr]
            borrower=borrower,
            channel="call",
            address=US_MOBILE_E164,
            clock=ny_clock,
        )
    # a person calling by hand is not an automated call
    assert ask(us_card, ny_clock, address=US_MOBILE_E164).allowed


def test_no_call_at_work_when_the_borrower_said_so(us_card, ny_clock):
    set_contact_preference(
        borrower=us_card.borrower,
        no_workplace_contact=True,
        workplace_addresses=["+12127363100"],
    )

    at_work = ask(us_card, ny_clock, address="+12127363100")
    at_home = ask(us_card, ny_clock, address=US_MOBILE_E164)

    assert at_work.denied_rule_ids == ["place.workplace"]
    assert at_home.allowed


def test_the_borrower_s_stated_inconvenient_times_are_honoured(us_card, ny_clock):
    # 10:00 New York on a Wednesday; the borrower said weekday mornings 09:00–12:00 are bad
    set_contact_preference(
        borrower=us_card.borrower,
        inconvenient_times=[{"start": "09:00", "end": "12:00", "weekdays": [0, 1, 2, 3, 4]}],
    )

    decision = ask(us_card, ny_clock, address=US_MOBILE_E164)

    assert decision.denied_rule_ids == ["hours.inconvenient"]
    assert decision.next_permitted_at == dt.datetime(2025, 1, 15, 17, 0, tzinfo=dt.UTC)


def test_stated_times_are_checked_naming_the_entry(us_card):
    with pytest.raises(ValidationError) as refused:
        set_contact_preference(
            borrower=us_card.borrower,
            inconvenient_times=[{"start": "09:00", "end": "25:00"}],
        )
    assert refused.value.field == "inconvenient_times[0].end"
