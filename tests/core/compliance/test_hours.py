"""Contact hours in the person's local time, in every zone they may be in."""

from __future__ import annotations

import datetime as dt

from arrears.core.compliance import Channel, Party, TimeRange, load_profile

from .builders import CN_MOBILE, IDAHO_NUMBER, IE_MOBILE, profile, request, result, run, utc

WINDOW = "hours.window"
INCONVENIENT = "hours.inconvenient"


# --- United States: after 08:00 and before 21:00 local time (US-COMM-01) ------------------------


def test_us_call_before_eight_in_new_york_waits_until_eight():
    decision = run(request("US", utc(2025, 1, 15, 12, 59)))  # 07:59 EST
    assert not decision.allowed
    assert result(decision, WINDOW).denied
    assert decision.next_permitted_at == utc(2025, 1, 15, 13, 0)  # 08:00 EST


def test_us_call_at_eight_is_allowed_and_at_nine_pm_is_not():
    assert run(request("US", utc(2025, 1, 15, 13, 0))).allowed  # 08:00 EST
    assert run(request("US", utc(2025, 1, 16, 1, 59))).allowed  # 20:59 EST
    late = run(request("US", utc(2025, 1, 16, 2, 0)))  # 21:00 EST: no longer "before 21:00"
    assert not late.allowed
    assert late.next_permitted_at == utc(2025, 1, 16, 13, 0)


def test_us_window_follows_the_spring_dst_change():
    # Saturday 8 March 2025 is still EST (UTC-5): 12:30 UTC is 07:30.
    saturday = run(request("US", utc(2025, 3, 8, 12, 30)))
    assert not saturday.allowed
    assert saturday.next_permitted_at == utc(2025, 3, 8, 13, 0)
    # Sunday 9 March is EDT (UTC-4): the same 12:30 UTC is 08:30, and 08:00 is 12:00 UTC.
    assert run(request("US", utc(2025, 3, 9, 12, 30))).allowed
    assert run(request("US", utc(2025, 3, 9, 12, 0))).allowed
    assert not run(request("US", utc(2025, 3, 9, 11, 59))).allowed
    # Refused late on Saturday evening, the next opening is 08:00 EDT = 12:00 UTC, not 13:00.
    evening = run(request("US", utc(2025, 3, 9, 2, 30)))  # Sat 21:30 EST
    assert evening.next_permitted_at == utc(2025, 3, 9, 12, 0)


def test_us_window_follows_the_autumn_dst_change():
    # Saturday 1 November 2025 21:30 EDT; clocks go back overnight, 08:00 EST is 13:00 UTC.
    decision = run(request("US", utc(2025, 11, 2, 1, 30)))
    assert not decision.allowed
    assert decision.next_permitted_at == utc(2025, 11, 2, 13, 0)


def test_idaho_area_code_spanning_two_zones_must_suit_both():
    # +1 208 covers Mountain (America/Boise) and Pacific (America/Los_Angeles) time.
    early = run(request("US", utc(2025, 1, 15, 15, 30), address=IDAHO_NUMBER))
    assert not early.allowed  # 08:30 in Boise but 07:30 in Los Angeles
    assert "America/Los_Angeles" in result(early, WINDOW).reason_en
    assert early.next_permitted_at == utc(2025, 1, 15, 16, 0)  # 08:00 Pacific
    assert run(request("US", utc(2025, 1, 16, 3, 59), address=IDAHO_NUMBER)).allowed
    late = run(request("US", utc(2025, 1, 16, 4, 0), address=IDAHO_NUMBER))
    assert not late.allowed  # 21:00 in Boise, 20:00 in Los Angeles
    assert "America/Boise" in result(late, WINDOW).reason_en
    assert late.next_permitted_at == utc(2025, 1, 16, 16, 0)


def test_us_address_zone_and_number_zone_both_count():
    # A New York address and a Los Angeles mobile: 09:00 in New York is 06:00 in Los Angeles.
    party = Party("p1", home_zones=("America/New_York",))
    req = request("US", utc(2025, 1, 15, 14, 0), party=party, address="+12135550100")
    assert not run(req).allowed
    address_first = load_profile({**profile("US").raw, "zone_basis": "address_first"})
    assert run(req, prof=address_first).allowed


def test_us_window_applies_to_texts_and_emails_but_not_letters():
    at = utc(2025, 1, 15, 12, 0)  # 07:00 EST
    assert not run(request("US", at, channel=Channel.SMS)).allowed
    assert not run(request("US", at, channel=Channel.EMAIL, address="a@example.com")).allowed
    assert run(request("US", at, channel=Channel.LETTER, address="1 Main St")).allowed


def test_time_the_person_agreed_to_overrides_the_window():
    party = Party("p1", agreed_times=(TimeRange(dt.time(6, 30), dt.time(7, 30)),))
    assert run(request("US", utc(2025, 1, 15, 11, 45), party=party)).allowed  # 06:45 EST
    assert not run(request("US", utc(2025, 1, 15, 12, 45), party=party)).allowed  # 07:45


# --- China: no collection 22:00–08:00 Beijing time (CN-TIME-01) --------------------------------


def test_cn_no_collection_call_at_ten_pm_beijing():
    at_ten = run(request("CN", utc(2025, 1, 15, 14, 0), address=CN_MOBILE))  # 22:00 北京时间
    assert not at_ten.allowed
    assert "Asia/Shanghai" in result(at_ten, WINDOW).reason_en
    assert "22:00" in result(at_ten, WINDOW).reason_zh
    assert at_ten.next_permitted_at == utc(2025, 1, 16, 0, 0)  # 08:00 next morning
    assert run(request("CN", utc(2025, 1, 15, 13, 59), address=CN_MOBILE)).allowed
    assert not run(request("CN", utc(2025, 1, 15, 23, 59), address=CN_MOBILE)).allowed


def test_cn_debtor_agreed_late_call_is_allowed():
    party = Party("p1", agreed_times=(TimeRange(dt.time(22, 0), dt.time(23, 0)),))
    assert run(request("CN", utc(2025, 1, 15, 14, 30), party=party)).allowed


# --- Ireland: 09:00–21:00, never Sundays or public holidays (CCA 1995 s.46) ---------------------


def test_ireland_no_call_on_sunday_nor_on_st_patricks_day():
    sunday = run(request("IE", utc(2025, 3, 16, 12, 0), address=IE_MOBILE))
    assert not sunday.allowed
    assert "Sunday" in result(sunday, WINDOW).reason_en
    # Monday 17 March is St Patrick's Day: the next permitted call is Tuesday 09:00 (GMT).
    assert sunday.next_permitted_at == utc(2025, 3, 18, 9, 0)
    patrick = run(request("IE", utc(2025, 3, 17, 10, 0), address=IE_MOBILE))
    assert not patrick.allowed
    assert "Patrick" in result(patrick, WINDOW).reason_en


def test_ireland_weekday_hours_and_saturday_evening():
    assert run(request("IE", utc(2025, 3, 15, 20, 59))).allowed  # Saturday 20:59
    late = run(request("IE", utc(2025, 3, 15, 21, 0)))
    assert not late.allowed
    assert late.next_permitted_at == utc(2025, 3, 18, 9, 0)
    assert not run(request("IE", utc(2025, 3, 18, 8, 59))).allowed


def test_ireland_s46_covers_calls_and_visits_not_texts():
    # A text on a Sunday morning falls under the EU base's lender window only.
    assert run(request("IE", utc(2025, 3, 16, 10, 0), channel=Channel.SMS)).allowed
    assert not run(
        request("IE", utc(2025, 3, 16, 10, 0), channel=Channel.VISIT, address="x")
    ).allowed


def test_ireland_follows_irish_summer_time():
    # 30 March 2025 clocks go forward: Tuesday 1 April 09:00 IST is 08:00 UTC.
    assert run(request("IE", utc(2025, 4, 1, 8, 0))).allowed
    assert not run(request("IE", utc(2025, 4, 1, 7, 59))).allowed


# --- UK: a window the firm sets (CONC 7.9) ------------------------------------------------------


def test_uk_firm_window_in_british_summer_time():
    assert run(request("UK", utc(2025, 7, 1, 7, 0))).allowed  # 08:00 BST
    early = run(request("UK", utc(2025, 7, 1, 6, 59)))
    assert not early.allowed
    assert early.next_permitted_at == utc(2025, 7, 1, 7, 0)
    assert result(early, WINDOW).citation.status.value == "UNVERIFIED"


def test_unknown_time_zone_is_refused_until_a_person_fixes_the_record():
    decision = run(request("EU", utc(2025, 1, 15, 12, 0), channel=Channel.EMAIL, address="a@b.eu"))
    assert not decision.allowed
    assert result(decision, WINDOW).next_permitted_at is None
    assert decision.next_permitted_at is None


# --- Times the person said are inconvenient (US-COMM-02) --------------------------------------


def test_stated_inconvenient_time_is_honoured_on_that_weekday_only():
    tuesdays = TimeRange(dt.time(12, 0), dt.time(14, 0), frozenset({1}))
    party = Party("p1", inconvenient_times=(tuesdays,))
    lunch = run(request("US", utc(2025, 1, 14, 17, 30), party=party))  # Tuesday 12:30 EST
    assert not lunch.allowed
    assert result(lunch, INCONVENIENT).denied
    assert lunch.next_permitted_at == utc(2025, 1, 14, 19, 0)  # 14:00 EST
    assert run(request("US", utc(2025, 1, 15, 17, 30), party=party)).allowed  # Wednesday


def test_inconvenient_evening_running_past_midnight():
    evenings = TimeRange(dt.time(18, 0), dt.time(9, 0))
    party = Party("p1", inconvenient_times=(evenings,))
    decision = run(request("US", utc(2025, 1, 15, 23, 30), party=party))  # 18:30 EST
    assert not decision.allowed
    assert decision.next_permitted_at == utc(2025, 1, 16, 14, 0)  # 09:00 EST next day


def test_refusal_that_rests_on_the_all_zones_policy_cites_it():
    split = run(request("US", utc(2025, 1, 15, 15, 30), address=IDAHO_NUMBER))  # open in Boise
    assert result(split, WINDOW).citation.ref == "US-COMM-01-ZONES"
    assert result(split, WINDOW).citation.status.value == "UNVERIFIED"
    night = run(request("US", utc(2025, 1, 15, 10, 0), address=IDAHO_NUMBER))  # 03:00 / 02:00
    assert result(night, WINDOW).citation.ref == "US-COMM-01"
