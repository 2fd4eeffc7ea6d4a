"""Holds come first: cease, dispute, bankruptcy, deceased, attorney, breathing space, SCRA."""

from __future__ import annotations

import datetime as dt

from arrears.core.compliance import (
    BreathingSpaceKind,
    Channel,
    Hold,
    HoldKind,
    Outcome,
    Party,
    Purpose,
    Role,
    load_profile,
)

from .builders import denied_by, profile, request, result, run, utc

NOON_NY = utc(2025, 1, 15, 17, 0)  # Wednesday 15 January 2025, 12:00 in New York
NOON_LONDON = utc(2025, 1, 15, 12, 0)


def hold(kind: HoldKind, **changes) -> Hold:
    fields = {"start_on": dt.date(2025, 1, 10), "set_by": "agent-42", **changes}
    return Hold(kind, **fields)


# --- Cease communication (15 USC 1692c(c)) -----------------------------------------------------


def test_cease_request_stops_collection_calls_for_good():
    decision = run(request("US", NOON_NY, holds=(hold(HoldKind.CEASE_COMMUNICATION),)))
    assert not decision.allowed
    found = result(decision, "hold.cease_communication")
    assert found.denied and found.next_permitted_at is None
    assert "agent-42" in found.reason_en
    assert found.citation.source.startswith("15 USC 1692c(c)")
    assert decision.next_permitted_at is None


def test_cease_request_still_allows_the_three_statutory_messages():
    for kind in ("termination_notice", "may_invoke_remedy", "will_invoke_remedy"):
        letter = request(
            "US",
            NOON_NY,
            channel=Channel.LETTER,
            address="1 Main St",
            message_kind=kind,
            holds=(hold(HoldKind.CEASE_COMMUNICATION),),
        )
        assert run(letter).allowed, kind
    reminder = request(
        "US", NOON_NY, message_kind="payment_reminder", holds=(hold(HoldKind.CEASE_COMMUNICATION),)
    )
    assert denied_by(run(reminder)) == {"hold.cease_communication"}


def test_hold_on_another_debt_does_not_apply():
    scoped = hold(HoldKind.CEASE_COMMUNICATION, debt_ids=frozenset({"d9"}))
    assert run(request("US", NOON_NY, holds=(scoped,))).allowed


def test_hold_that_ended_no_longer_applies_and_one_that_ends_names_the_day_after():
    ended = hold(HoldKind.DISPUTE, end_on=dt.date(2025, 1, 12))
    assert run(request("US", NOON_NY, holds=(ended,))).allowed
    ending = hold(HoldKind.DISPUTE, end_on=dt.date(2025, 1, 20))
    decision = run(request("US", NOON_NY, holds=(ending,)))
    assert result(decision, "hold.dispute").next_permitted_at == utc(2025, 1, 21, 5, 0)
    assert decision.next_permitted_at == utc(2025, 1, 21, 13, 0)  # 08:00 EST that day


def test_hold_starting_later_does_not_apply_yet():
    assert run(
        request("US", NOON_NY, holds=(hold(HoldKind.DISPUTE, start_on=dt.date(2025, 2, 1)),))
    ).allowed


# --- Dispute pending (15 USC 1692g(b)) ---------------------------------------------------------


def test_dispute_stops_collection_but_not_a_receipt():
    disputed = (hold(HoldKind.DISPUTE),)
    assert denied_by(run(request("US", NOON_NY, holds=disputed))) == {"hold.dispute"}
    receipt = request(
        "US",
        NOON_NY,
        channel=Channel.EMAIL,
        address="p@x.com",
        purpose=Purpose.TRANSACTIONAL,
        holds=disputed,
    )
    assert run(receipt).allowed


# --- Bankruptcy (11 USC 362, 524) --------------------------------------------------------------


def test_bankruptcy_petition_stays_all_collection():
    filed = hold(HoldKind.BANKRUPTCY, petition_on=dt.date(2025, 1, 10), chapter=7)
    decision = run(request("US", NOON_NY, holds=(filed,)))
    found = result(decision, "hold.bankruptcy")
    assert found.denied and found.next_permitted_at is None
    assert "automatic stay" in found.reason_en


def test_serial_filer_stay_is_explained_but_waits_for_legal_review_by_default():
    one = hold(HoldKind.BANKRUPTCY, petition_on=dt.date(2025, 1, 10), prior_dismissals_12m=1)
    two = hold(HoldKind.BANKRUPTCY, petition_on=dt.date(2025, 1, 10), prior_dismissals_12m=2)
    for filed, words in ((one, "day 30"), (two, "no stay took effect")):
        found = result(run(request("US", NOON_NY, holds=(filed,))), "hold.bankruptcy")
        assert found.denied and found.next_permitted_at is None
        assert words in found.reason_en and "legal review" in found.reason_en


def test_serial_filer_stay_lifts_itself_when_the_profile_says_so():
    raw = profile("US").raw
    holds = {
        **raw["rules"]["holds"],
        "bankruptcy": {"cite": "US-BK-01", "serial_filer_auto_lift": True},
    }
    auto = load_profile({**raw, "rules": {**raw["rules"], "holds": holds}})
    one = hold(HoldKind.BANKRUPTCY, petition_on=dt.date(2025, 1, 10), prior_dismissals_12m=1)
    decision = run(request("US", NOON_NY, holds=(one,)), prof=auto)
    assert denied_by(decision) == {"hold.bankruptcy"}
    assert decision.next_permitted_at == utc(2025, 2, 10, 13, 0)  # day 31 after filing, 08:00
    two = hold(HoldKind.BANKRUPTCY, petition_on=dt.date(2025, 1, 10), prior_dismissals_12m=2)
    assert run(request("US", NOON_NY, holds=(two,)), prof=auto).allowed


def test_discharged_debt_is_never_collected():
    discharged = hold(
        HoldKind.BANKRUPTCY, petition_on=dt.date(2024, 6, 1), discharged_on=dt.date(2024, 10, 1)
    )
    found = result(run(request("US", NOON_NY, holds=(discharged,))), "hold.bankruptcy")
    assert found.denied and found.next_permitted_at is None
    assert found.citation.source == "11 USC 524(a)(2)"


# --- Deceased and attorney ----------------------------------------------------------------------


def test_deceased_borrower_only_the_estate_representative_is_contacted():
    died = (hold(HoldKind.DECEASED),)
    assert denied_by(run(request("US", NOON_NY, holds=died))) == {"hold.deceased"}
    estate = Party("executor-1", role=Role.ESTATE_REPRESENTATIVE)
    assert run(request("US", NOON_NY, party=estate, holds=died, debtor_id="p1")).allowed


def test_represented_borrower_only_the_attorney_is_contacted():
    represented = (hold(HoldKind.ATTORNEY),)
    decision = run(request("US", NOON_NY, holds=represented))
    assert denied_by(decision) == {"hold.attorney"}
    assert result(decision, "hold.attorney").citation.ref == "US-COMM-04"
    lawyer = Party("lawyer-1", role=Role.ATTORNEY)
    assert run(request("US", NOON_NY, party=lawyer, holds=represented)).allowed


# --- UK breathing space (SI 2020/1311) ---------------------------------------------------------


def test_standard_breathing_space_stops_contact_until_it_ends():
    moratorium = hold(HoldKind.BREATHING_SPACE, breathing_space=BreathingSpaceKind.STANDARD)
    decision = run(request("UK", NOON_LONDON, holds=(moratorium,)))
    assert denied_by(decision) == {"hold.breathing_space"}
    found = result(decision, "hold.breathing_space")
    assert found.citation.ref == "UK-BS-02"
    # 60 days from 10 January, counted through day 61 to be safe: contact from 12 March 08:00.
    assert decision.next_permitted_at == utc(2025, 3, 12, 8, 0)


def test_breathing_space_allows_replies_and_the_debt_adviser():
    moratorium = (hold(HoldKind.BREATHING_SPACE, breathing_space=BreathingSpaceKind.STANDARD),)
    reply = request("UK", NOON_LONDON, message_kind="reply_to_debtor", holds=moratorium)
    assert run(reply).allowed
    adviser = Party("stepchange-1", role=Role.DEBT_ADVISER)
    assert run(request("UK", NOON_LONDON, party=adviser, holds=moratorium)).allowed


def test_mental_health_crisis_breathing_space_is_lifted_only_by_a_person():
    crisis = hold(HoldKind.BREATHING_SPACE, breathing_space=BreathingSpaceKind.MENTAL_HEALTH_CRISIS)
    decision = run(request("UK", NOON_LONDON, holds=(crisis,)))
    assert denied_by(decision) == {"hold.breathing_space"}
    assert decision.next_permitted_at is None


def test_a_hold_kind_the_profile_does_not_configure_still_blocks():
    moratorium = hold(HoldKind.BREATHING_SPACE, breathing_space=BreathingSpaceKind.STANDARD)
    decision = run(request("US", NOON_NY, holds=(moratorium,)))
    assert denied_by(decision) == {"hold.breathing_space"}
    assert result(decision, "hold.breathing_space").citation.ref == "LENDER-HOLD"


# --- Servicemember (SCRA) ------------------------------------------------------------------------


def test_servicemember_is_flagged_not_blocked():
    decision = run(request("US", NOON_NY, holds=(hold(HoldKind.SERVICEMEMBER),)))
    assert decision.allowed
    (flagged,) = decision.flags
    assert flagged.rule_id == "hold.servicemember" and flagged.outcome is Outcome.FLAG
    assert "SCRA" in flagged.reason_en and "SCRA" in flagged.reason_zh
