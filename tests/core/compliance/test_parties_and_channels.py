"""Who may be contacted, opt-outs, consent to automated calls, workplace and stated places."""

from __future__ import annotations

import datetime as dt

from arrears.core.compliance import (
    AttemptOutcome,
    AutomatedConsent,
    Channel,
    ContactPoint,
    OptOut,
    Party,
    Purpose,
    Role,
    apply_house_rules,
)

from .builders import CN_MOBILE, NY_NUMBER, call, denied_by, profile, request, result, run, utc

NOON_NY = utc(2025, 1, 15, 17, 0)
NOON_BEIJING = utc(2025, 1, 15, 4, 0)
NOON_DUBLIN = utc(2025, 1, 15, 12, 0)


# --- Who may be contacted -----------------------------------------------------------------------


def test_debtor_and_guarantor_may_be_contacted_everywhere():
    for code, at in (
        ("US", NOON_NY),
        ("CN", NOON_BEIJING),
        ("UK", NOON_DUBLIN),
        ("IE", NOON_DUBLIN),
    ):
        for role in (Role.DEBTOR, Role.GUARANTOR):
            assert run(request(code, at, party=Party("p1", role=role))).allowed, (code, role)


def test_us_third_party_only_for_location_information_and_only_once():
    neighbour = Party("n1", role=Role.THIRD_PARTY)
    collect = run(request("US", NOON_NY, party=neighbour, debtor_id="p1"))
    assert denied_by(collect) == {"party.role"}
    assert result(collect, "party.role").citation.ref == "US-COMM-06"
    locate = request("US", NOON_NY, party=neighbour, debtor_id="p1", purpose=Purpose.LOCATION)
    assert run(locate).allowed
    reached = (call(utc(2025, 1, 10, 17, 0), AttemptOutcome.CONNECTED, party_id="n1"),)
    again = run(locate, reached)
    assert denied_by(again) == {"party.location_once"}
    assert result(again, "party.location_once").citation.ref == "US-COMM-07"
    assert run(
        request("US", NOON_NY, party=neighbour, purpose=Purpose.LOCATION, recontact_exception=True),
        reached,
    ).allowed
    unanswered = (call(utc(2025, 1, 10, 17, 0), AttemptOutcome.NO_ANSWER, party_id="n1"),)
    assert run(locate, unanswered).allowed  # nothing reached them


def test_ireland_family_and_employer_are_not_contacted_without_written_consent():
    for role in (Role.SPOUSE, Role.EMPLOYER, Role.CONTACT_PERSON):
        decision = run(
            request("IE", NOON_DUBLIN, party=Party("x", role=role), purpose=Purpose.LOCATION)
        )
        assert denied_by(decision) == {"party.role"}, role
        assert result(decision, "party.role").citation.ref == "EU-IE-01"


# --- China: contact persons (联系人) -------------------------------------------------------------

CONTACT = Party("c1", role=Role.CONTACT_PERSON)


def test_cn_contact_person_only_when_the_debtor_is_unreachable():
    reachable = run(
        request("CN", NOON_BEIJING, party=CONTACT, debtor_id="p1", purpose=Purpose.LOCATION)
    )
    assert denied_by(reachable) == {"party.contact_person"}
    assert "失联" in result(reachable, "party.contact_person").reason_zh
    unreachable = request(
        "CN",
        NOON_BEIJING,
        party=CONTACT,
        debtor_id="p1",
        purpose=Purpose.LOCATION,
        debtor_unreachable=True,
    )
    assert run(unreachable).allowed


def test_cn_contact_person_is_never_asked_to_collect():
    collect = request("CN", NOON_BEIJING, party=CONTACT, debtor_id="p1", debtor_unreachable=True)
    assert denied_by(run(collect)) == {"party.role"}


def test_cn_contact_person_who_refused_is_never_contacted_again():
    ask = request(
        "CN",
        NOON_BEIJING,
        party=CONTACT,
        debtor_id="p1",
        purpose=Purpose.LOCATION,
        debtor_unreachable=True,
    )
    refused = (
        call(utc(2025, 1, 2, 4, 0), AttemptOutcome.REFUSED, party_id="c1", address=CN_MOBILE),
    )
    decision = run(ask, refused)
    assert denied_by(decision) == {"party.contact_person"}
    found = result(decision, "party.contact_person")
    assert found.next_permitted_at is None and decision.next_permitted_at is None
    flagged = request(
        "CN",
        NOON_BEIJING,
        party=Party("c1", role=Role.CONTACT_PERSON, refused_contact=True),
        purpose=Purpose.LOCATION,
        debtor_unreachable=True,
    )
    assert denied_by(run(flagged)) == {"party.contact_person"}


# --- Opt-outs: STOP / 退订 / unsubscribe ---------------------------------------------------------


def test_stop_by_text_stops_only_texts_to_that_number():
    stop = OptOut(Channel.SMS, utc(2025, 1, 14, 20, 0), address=NY_NUMBER)
    party = Party("p1", home_zones=("America/New_York",), opt_outs=(stop,))
    sms = run(request("US", NOON_NY, channel=Channel.SMS, party=party))
    assert denied_by(sms) == {"channel.opt_out"}
    assert result(sms, "channel.opt_out").next_permitted_at is None
    assert run(request("US", NOON_NY, channel=Channel.CALL, party=party)).allowed
    assert run(
        request("US", NOON_NY, channel=Channel.EMAIL, address="p@x.com", party=party)
    ).allowed
    # Reg F opt-outs are per address: another mobile of the person may still get texts.
    assert run(
        request("US", NOON_NY, channel=Channel.SMS, address="+12125550199", party=party)
    ).allowed


def test_do_not_email_me_stops_every_email_address():
    party = Party(
        "p1", home_zones=("America/New_York",), opt_outs=(OptOut(Channel.EMAIL, utc(2025, 1, 1)),)
    )
    decision = run(request("US", NOON_NY, channel=Channel.EMAIL, address="any@x.com", party=party))
    assert denied_by(decision) == {"channel.opt_out"}


def test_house_rules_may_widen_an_opt_out_to_the_whole_channel():
    stop = OptOut(Channel.SMS, utc(2025, 1, 14, 20, 0), address=NY_NUMBER)
    wide = apply_house_rules(profile("US"), {"rules": {"opt_out": {"scope": "channel"}}})
    other = request(
        "US",
        NOON_NY,
        channel=Channel.SMS,
        address="+12125550199",
        party=Party("p1", opt_outs=(stop,)),
    )
    assert denied_by(run(other, prof=wide)) == {"channel.opt_out"}


def test_cn_tuiding_stops_texts_at_once():
    party = Party("p1", opt_outs=(OptOut(Channel.SMS, utc(2025, 1, 15, 3, 59), address=CN_MOBILE),))
    decision = run(request("CN", NOON_BEIJING, channel=Channel.SMS, party=party))
    assert denied_by(decision) == {"channel.opt_out"}
    assert "退订" in result(decision, "channel.opt_out").reason_zh


# --- TCPA consent to autodialled, prerecorded and artificial-voice calls ------------------------


def test_autodialled_call_needs_prior_express_consent():
    bare = run(request("US", NOON_NY, autodialled=True))
    assert denied_by(bare) == {"channel.automated_consent"}
    assert result(bare, "channel.automated_consent").citation.ref == "US-TCPA-01"
    consented = ContactPoint(
        Channel.CALL, NY_NUMBER, automated_consent=AutomatedConsent(utc(2024, 5, 1))
    )
    assert run(request("US", NOON_NY, point=consented, autodialled=True)).allowed
    assert run(request("US", NOON_NY)).allowed  # a person dialling by hand needs none


def test_ai_voice_and_prerecorded_calls_need_consent_and_texts_conservatively_too():
    consent = {"channel.automated_consent"}
    assert denied_by(run(request("US", NOON_NY, artificial_voice=True))) == consent
    assert denied_by(run(request("US", NOON_NY, prerecorded=True))) == consent
    texts = run(request("US", NOON_NY, channel=Channel.SMS, autodialled=True))
    assert denied_by(texts) == consent
    assert result(texts, "channel.automated_consent").citation.status.value == "UNVERIFIED"


def test_revoked_consent_is_honoured_at_once():
    revoked = AutomatedConsent(utc(2024, 5, 1), revoked_at=utc(2025, 1, 15, 16, 0))
    point = ContactPoint(Channel.CALL, NY_NUMBER, automated_consent=revoked)
    decision = run(request("US", NOON_NY, point=point, autodialled=True))
    assert denied_by(decision) == {"channel.automated_consent"}
    assert "revoked" in result(decision, "channel.automated_consent").reason_en


# --- Workplace and places the person said are inconvenient -------------------------------------


def test_no_call_at_work_when_the_borrower_said_so():
    work = ContactPoint(Channel.CALL, "+12125550142", is_workplace=True)
    assert run(request("US", NOON_NY, point=work)).allowed
    told = Party("p1", no_workplace_contact=True)
    decision = run(request("US", NOON_NY, point=work, party=told))
    assert denied_by(decision) == {"place.workplace"}
    assert result(decision, "place.workplace").citation.ref == "US-COMM-03"


def test_us_employer_email_needs_consent_conservatively():
    new_yorker = Party("p1", home_zones=("America/New_York",))
    work_mail = ContactPoint(Channel.EMAIL, "p@employer.com", is_workplace=True)
    decision = run(request("US", NOON_NY, point=work_mail, party=new_yorker))
    assert denied_by(decision) == {"place.workplace"}
    assert result(decision, "place.workplace").citation.status.value == "UNVERIFIED"
    used = ContactPoint(Channel.EMAIL, "p@employer.com", is_workplace=True, workplace_consent=True)
    assert run(request("US", NOON_NY, point=used, party=new_yorker)).allowed


def test_email_with_no_known_location_must_suit_every_us_zone():
    # Noon in New York is 07:00 in Honolulu and on Adak: without an address, wait for 08:00 there.
    decision = run(request("US", NOON_NY, channel=Channel.EMAIL, address="p@x.com"))
    assert not decision.allowed
    assert decision.next_permitted_at == utc(2025, 1, 15, 18, 0)


def test_ireland_no_call_at_the_workplace_without_consent():
    work = ContactPoint(Channel.CALL, "+35312345678", is_workplace=True)
    assert denied_by(run(request("IE", NOON_DUBLIN, point=work))) == {"place.workplace"}


def test_stated_inconvenient_place_is_honoured():
    party = Party("p1", inconvenient_places=frozenset({"hospital"}))
    ward = ContactPoint(Channel.VISIT, "St Mary's", zones=("America/New_York",), place="hospital")
    decision = run(request("US", NOON_NY, point=ward, party=party))
    assert denied_by(decision) == {"place.inconvenient"}
    home = ContactPoint(Channel.VISIT, "1 Main St", zones=("America/New_York",), place="home")
    assert run(request("US", NOON_NY, point=home, party=party)).allowed


def test_times_use_the_request_debtor_and_not_the_clock():
    # Nothing in the gate reads the clock: the same inputs give the same decision any day.
    req = request("US", NOON_NY)
    assert run(req, now=NOON_NY - dt.timedelta(days=3)).allowed == run(req).allowed
