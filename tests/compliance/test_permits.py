"""A permit allows one contact, to one recipient, for a short time; no channel sends without."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from arrears.compliance.models import ContactAttempt, Permit
from arrears.compliance.services import (
    PermitAlreadyUsed,
    PermitExpired,
    PermitMismatch,
    PermitMissing,
    PermitNotYetValid,
    PermitRefused,
    record_contact_attempt,
    request_permit,
    use_permit,
)
from arrears.core.clock import FixedClock
from arrears.engagement.channels import OutboundMessage, RecordingAdapter
from tests.compliance.conftest import mobile_of, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def sms_permit(cn_loan, cn_clock):  # type: ignore[no-untyped-def]
    """A permit to text the borrower's mobile a reminder, issued at 10:00 Beijing time."""
    decision = request_permit(
        borrower=cn_loan.borrower,
        account=cn_loan,
        channel="sms",
        address=mobile_of(cn_loan.borrower),
        purpose="servicing",
        clock=cn_clock,
    )
    assert decision.issued_permit is not None
    return decision.issued_permit


def message_to(borrower, address: str | None = None) -> OutboundMessage:  # type: ignore[no-untyped-def]
    return OutboundMessage(
        borrower_id=borrower.pk,
        address=address or mobile_of(borrower),
        body="您的账单已出，请按时还款。回复TD退订",
    )


def test_a_permit_is_used_once(sms_permit, cn_clock):
    used = use_permit(
        permit_id=sms_permit.pk,
        borrower=sms_permit.borrower,
        channel="sms",
        address=sms_permit.address,
        clock=cn_clock,
    )
    assert used.used_at == cn_clock.now()

    with pytest.raises(PermitAlreadyUsed):
        use_permit(
            permit_id=str(sms_permit.pk),
            borrower=sms_permit.borrower_id,
            channel="sms",
            address=sms_permit.address,
            clock=cn_clock,
        )


def test_a_permit_is_refused_after_it_expires_and_before_its_time(cn_loan, cn_clock):
    borrower = cn_loan.borrower
    scheduled = request_permit(
        borrower=borrower,
        account=cn_loan,
        channel="call",
        address=mobile_of(borrower),
        purpose="collection",
        at=cn_clock.now() + dt.timedelta(hours=2),
        clock=cn_clock,
    )
    permit = scheduled.issued_permit
    assert permit is not None

    with pytest.raises(PermitNotYetValid):
        use_permit(
            permit_id=permit.pk,
            borrower=borrower,
            channel="call",
            address=permit.address,
            clock=cn_clock,
        )
    too_late = FixedClock(permit.valid_until)
    with pytest.raises(PermitExpired):
        use_permit(
            permit_id=permit.pk,
            borrower=borrower,
            channel="call",
            address=permit.address,
            clock=too_late,
        )
    assert Permit.objects.get(pk=permit.pk).used_at is None


@pytest.mark.parametrize("permit_id", [None, "not-a-permit", uuid.uuid4()])
def test_a_send_without_a_permit_fails_and_delivers_nothing(cn_loan, cn_clock, permit_id):
    adapter = RecordingAdapter("sms", clock=cn_clock)

    with pytest.raises(PermitMissing):
        adapter.send(permit_id=permit_id, message=message_to(cn_loan.borrower))

    assert adapter.outbox == []
    assert not ContactAttempt.objects.exists()


def test_a_send_with_a_used_permit_fails_and_delivers_nothing_more(sms_permit, cn_clock):
    adapter = RecordingAdapter("sms", clock=cn_clock)
    adapter.send(permit_id=sms_permit.pk, message=message_to(sms_permit.borrower))

    with pytest.raises(PermitAlreadyUsed):
        adapter.send(permit_id=sms_permit.pk, message=message_to(sms_permit.borrower))

    assert len(adapter.outbox) == 1
    assert ContactAttempt.objects.count() == 1


def test_a_send_with_an_expired_permit_fails_and_delivers_nothing(sms_permit, cn_clock):
    adapter = RecordingAdapter("sms", clock=FixedClock(cn_clock.now() + dt.timedelta(minutes=15)))

    with pytest.raises(PermitExpired):
        adapter.send(permit_id=sms_permit.pk, message=message_to(sms_permit.borrower))

    assert adapter.outbox == []


def test_a_send_with_a_permit_for_another_address_fails_and_delivers_nothing(sms_permit, cn_clock):
    adapter = RecordingAdapter("sms", clock=cn_clock)

    with pytest.raises(PermitMismatch):
        adapter.send(
            permit_id=sms_permit.pk,
            message=message_to(sms_permit.borrower, address="+8613900139000"),
        )

    assert adapter.outbox == []
    assert Permit.objects.get(pk=sms_permit.pk).used_at is None  # still good for its own number


def test_a_send_on_another_channel_or_for_another_borrower_fails(sms_permit, cn_clock):
    from tests.factories import make_borrower

    email = RecordingAdapter("email", clock=cn_clock)
    sms = RecordingAdapter("sms", clock=cn_clock)
    stranger = make_borrower()

    with pytest.raises(PermitMismatch):
        email.send(permit_id=sms_permit.pk, message=message_to(sms_permit.borrower))
    with pytest.raises(PermitMismatch):
        sms.send(
            permit_id=sms_permit.pk,
            message=message_to(stranger, address=sms_permit.address),
        )
    assert email.outbox == sms.outbox == []


def test_a_send_on_a_valid_permit_is_delivered_once_and_written_to_the_contact_history(
    sms_permit, cn_loan, cn_clock
):
    adapter = RecordingAdapter("sms", clock=cn_clock)

    delivery = adapter.send(permit_id=sms_permit.pk, message=message_to(cn_loan.borrower))

    assert delivery.permit_id == sms_permit.pk
    assert [m.body for m, _d in adapter.outbox] == ["您的账单已出，请按时还款。回复TD退订"]
    attempt = ContactAttempt.objects.get()
    assert (attempt.channel, attempt.outcome, attempt.permit_id) == ("sms", "sent", sms_permit.pk)
    assert list(attempt.accounts.all()) == [cn_loan]
    assert attempt.purpose == "servicing" and attempt.automated


def test_every_refusal_is_a_permit_refused(sms_permit, cn_clock):
    for error in (PermitMissing, PermitAlreadyUsed, PermitExpired, PermitMismatch):
        assert issubclass(error, PermitRefused)


def test_sent_texts_count_toward_the_house_cap(cn_loan, cn_clock):
    # given the house rule: at most 2 texts a day (HOUSE-ELECTRONIC)
    borrower = cn_loan.borrower
    adapter = RecordingAdapter("sms", clock=cn_clock)
    for _ in range(2):
        permit = request_permit(
            borrower=borrower,
            account=cn_loan,
            channel="sms",
            address=mobile_of(borrower),
            purpose="servicing",
            clock=cn_clock,
        ).issued_permit
        adapter.send(permit_id=permit.pk, message=message_to(borrower))  # type: ignore[union-attr]

    # when a third text is asked for the same day
    third = request_permit(
        borrower=borrower,
        account=cn_loan,
        channel="sms",
        address=mobile_of(borrower),
        purpose="servicing",
        clock=cn_clock,
    )

    # then it waits for the next day (Beijing time) and the window's opening
    assert third.denied_rule_ids == ["frequency.electronic_caps"]
    assert third.next_permitted_at == utc(2025, 1, 16, 0, 0)


def test_connected_calls_count_across_the_lender_and_its_agencies(cn_loan, cn_clock):
    # given three answered calls today: two by the lender, one by an agency's AI voice
    borrower = cn_loan.borrower
    mobile = mobile_of(borrower)
    for minute, by, ai in ((10, "lender", False), (40, "agency-a", True), (70, "lender", False)):
        record_contact_attempt(
            borrower=borrower,
            channel="call",
            address=mobile,
            outcome="connected",
            accounts=[cn_loan],
            by=by,
            artificial_voice=ai,
            started_at=utc(2025, 1, 15, 0, 0) + dt.timedelta(minutes=minute),
            clock=cn_clock,
        )

    # when a fourth call is asked for
    decision = request_permit(
        borrower=borrower,
        account=cn_loan,
        channel="call",
        address=mobile,
        purpose="collection",
        clock=cn_clock,
    )

    # then CN's cap of 3 answered calls a day refuses it (GB/T 45251-2025)
    assert decision.denied_rule_ids == ["frequency.daily_connected_voice"]


def test_permits_not_yet_used_count_toward_the_cap(cn_loan, cn_clock):
    # given two texts permitted today and not yet sent (the house cap is 2 a day)
    borrower = cn_loan.borrower

    def ask():  # type: ignore[no-untyped-def]
        return request_permit(
            borrower=borrower,
            account=cn_loan,
            channel="sms",
            address=mobile_of(borrower),
            purpose="servicing",
            clock=cn_clock,
        )

    first, second = ask(), ask()

    # when a third is asked for before either went out
    third = ask()

    # then it is refused: the permits already given count as texts
    assert first.allowed and second.allowed
    assert third.denied_rule_ids == ["frequency.electronic_caps"]
    pending = [a for a in third.snapshot["history"] if a["by"] == "permitted, not yet logged"]
    assert len(pending) == 2
    # and once one is sent, it is counted once (as the text it became), not twice
    adapter = RecordingAdapter("sms", clock=cn_clock)
    adapter.send(permit_id=first.issued_permit.pk, message=message_to(borrower))  # type: ignore[union-attr]
    fourth = ask()
    assert len(fourth.snapshot["history"]) == 2
    assert fourth.denied_rule_ids == ["frequency.electronic_caps"]


def test_a_voided_permit_no_longer_counts(cn_loan, cn_clock):
    from arrears.compliance.services import record_opt_out

    borrower = cn_loan.borrower
    request_permit(
        borrower=borrower,
        account=cn_loan,
        channel="sms",
        address=mobile_of(borrower),
        purpose="servicing",
        clock=cn_clock,
    )
    record_opt_out(
        borrower=borrower, channel="sms", address="+8613900000000", source="x", clock=cn_clock
    )

    call = request_permit(
        borrower=borrower,
        account=cn_loan,
        channel="call",
        address=mobile_of(borrower),
        purpose="collection",
        clock=cn_clock,
    )

    assert call.snapshot["history"] == []
