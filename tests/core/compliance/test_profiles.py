"""Profiles are data: cited rules, validation naming the field, stricter-only house rules."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from arrears.core.compliance import (
    RULES,
    Channel,
    Citation,
    Verification,
    apply_house_rules,
    bundled_house_rules,
    bundled_profile,
    load_profile,
)
from arrears.core.compliance._schema import Section
from arrears.core.errors import ValidationError

from .builders import denied_by, profile, request, run, utc

CODES = ("US", "CN", "UK", "EU", "IE")


def sections(code: str) -> list[tuple[str, Section]]:
    found: list[tuple[str, Section]] = []
    prof = bundled_profile(code)
    for f in dataclasses.fields(prof):
        value = getattr(prof, f.name)
        if isinstance(value, Section):
            found.append((f.name, value))
        elif f.name in ("contact_hours", "holds", "electronic_caps"):
            found.extend((f"{f.name}.{name}", part) for name, part in value.items())
    return found


def changed(code: str, path: str, value: Any) -> dict[str, Any]:
    """The profile's YAML data with one value at a dotted path replaced."""
    data = copy.deepcopy(dict(bundled_profile(code).raw))
    *parents, last = path.split(".")
    node = data
    for key in parents:
        node = node[key]
    node[last] = value
    return data


def field_of(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return error.value.field


# --- the bundled profiles ---------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_every_rule_of_every_profile_cites_a_source_with_its_verification(code):
    prof = bundled_profile(code)
    assert sections(code)
    for name, section in sections(code):
        for citation in (section.cite, *section.cites.values()):
            assert isinstance(citation, Citation), name
            assert citation.source.strip(), name
            assert citation.status in Verification, name
            assert prof.sources[citation.ref] == citation


@pytest.mark.parametrize("code", CODES)
def test_every_declared_source_is_cited_by_a_rule(code):
    prof = bundled_profile(code)
    cited = {c.ref for _, s in sections(code) for c in (s.cite, *s.cites.values())}
    assert set(prof.sources) == cited


def test_unverified_points_are_the_conservative_way_round():
    us = bundled_profile("US")
    assert us.zone_basis == "all_candidates"
    assert us.sources["US-COMM-01-ZONES"].status is Verification.UNVERIFIED
    assert Channel.EMAIL in us.workplace.consent_required_channels
    assert us.workplace.citation_for("consent_required_channels").status is Verification.UNVERIFIED
    assert Channel.SMS in us.automated_consent.channels
    assert us.automated_consent.citation_for("sms").status is Verification.UNVERIFIED
    assert us.holds["bankruptcy"].serial_filer_auto_lift is False
    uk = bundled_profile("UK")
    assert uk.contact_hours["firm_window"].cite.status is Verification.UNVERIFIED
    cn = bundled_profile("CN")
    assert cn.opt_out.cite.status is Verification.UNVERIFIED


def test_us_reg_f_parameters_are_the_regulations():
    rule = bundled_profile("US").call_frequency
    assert (rule.max_calls, rule.window_days, rule.quiet_days_after_conversation) == (7, 7, 7)
    assert rule.cite.status is Verification.PRIMARY
    assert rule.citation_for("count_unconnected").status is Verification.SECONDARY


def test_ireland_is_laid_over_the_eu_base():
    ie = bundled_profile("IE")
    assert ie.layers == ("EU@2025.1", "IE@2025.1")
    assert set(ie.contact_hours) == {"firm_window", "s46"}  # the EU window stays for texts
    s46 = ie.contact_hours["s46"]
    assert (s46.start.hour, s46.end.hour, s46.holiday_calendar) == (9, 21, "IE")
    assert s46.blocked_weekdays == frozenset({6})
    assert ie.country == "IE" and bundled_profile("EU").country is None
    assert "EU-GDPR-03" in ie.sources  # inherited


def test_every_rule_runs_in_some_profile():
    from arrears.core.compliance.rules import active_rules

    ran = {rule.rule_id for code in CODES for rule in active_rules(profile(code, house=True))}
    assert ran == {rule.rule_id for rule in RULES}


# --- house rules may only be stricter ---------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_bundled_house_rules_apply_to_every_profile(code):
    strict = profile(code, house=True)
    assert strict.layers[-1] == "house@2025.1"
    assert strict.electronic_caps[Channel.SMS].per_day == 2


def test_a_narrower_house_window_is_accepted_and_applied():
    narrower = apply_house_rules(
        bundled_profile("US"),
        {"rules": {"contact_hours": {"reg_f": {"start": "09:00", "end": "20:00"}}}},
    )
    assert narrower.contact_hours["reg_f"].start.hour == 9
    at_half_eight = request("US", utc(2025, 1, 15, 13, 30))  # 08:30 EST
    assert run(at_half_eight).allowed
    assert denied_by(run(at_half_eight, prof=narrower)) == {"hours.window"}


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"contact_hours": {"reg_f": {"end": "21:30"}}}, "house.rules.contact_hours.reg_f.end"),
        ({"contact_hours": {"reg_f": {"start": "07:30"}}}, "house.rules.contact_hours.reg_f.start"),
        (
            {"contact_hours": {"reg_f": {"channels": ["call"]}}},
            "house.rules.contact_hours.reg_f.channels",
        ),
        ({"contact_hours": {"reg_f": None}}, "house.rules.contact_hours.reg_f"),
        ({"call_frequency": {"max_calls": 8}}, "house.rules.call_frequency.max_calls"),
        (
            {"call_frequency": {"quiet_days_after_conversation": 6}},
            "house.rules.call_frequency.quiet_days_after_conversation",
        ),
        (
            {"call_frequency": {"direct_consent_days": 10}},
            "house.rules.call_frequency.direct_consent_days",
        ),
        ({"parties": None}, "house.rules.parties"),
        (
            {"parties": {"allowed_roles": ["debtor", "debt_adviser"]}},
            "house.rules.parties.allowed_roles",
        ),
        (
            {"parties": {"location_only_roles": ["third_party", "debt_adviser"]}},
            "house.rules.parties.location_only_roles",
        ),
        (
            {
                "holds": {
                    "cease_communication": {
                        "allowed_messages": ["termination_notice", "payment_reminder"]
                    }
                }
            },
            "house.rules.holds.cease_communication.allowed_messages",
        ),
        (
            {"holds": {"bankruptcy": {"serial_filer_auto_lift": True}}},
            "house.rules.holds.bankruptcy.serial_filer_auto_lift",
        ),
        (
            {"workplace": {"honour_stated_prohibition": False}},
            "house.rules.workplace.honour_stated_prohibition",
        ),
        (
            {"automated_consent": {"required_for": ["autodialled"]}},
            "house.rules.automated_consent.required_for",
        ),
    ],
)
def test_house_rules_that_loosen_the_profile_are_refused_naming_the_field(rules, field):
    with pytest.raises(ValidationError) as error:
        apply_house_rules(bundled_profile("US"), {"code": "house", "version": "1", "rules": rules})
    assert field_of(error) == field
    assert "stricter" in error.value.reason or "remove" in error.value.reason


def test_house_caps_may_not_be_raised_once_set():
    capped = profile("US", house=True)
    with pytest.raises(ValidationError) as error:
        apply_house_rules(capped, {"rules": {"electronic_caps": {"sms": {"per_day": 5}}}})
    assert field_of(error) == "house.rules.electronic_caps.sms.per_day"
    with pytest.raises(ValidationError) as error:
        apply_house_rules(capped, {"rules": {"electronic_caps": {"sms": {"per_week": None}}}})
    assert "cannot remove" in error.value.reason


def test_stricter_choices_are_accepted():
    stricter = apply_house_rules(
        bundled_profile("US"),
        {
            "rules": {
                "holds": {"servicemember": {"action": "deny"}},
                "opt_out": {"scope": "channel"},
                "call_frequency": {"count_unconnected": True, "max_calls": 5},
                "parties": {"allowed_roles": ["debtor", "guarantor", "attorney"]},
            }
        },
    )
    assert stricter.holds["servicemember"].action == "deny"
    assert stricter.call_frequency.max_calls == 5


def test_house_rules_for_other_profiles_are_refused():
    with pytest.raises(ValidationError) as error:
        apply_house_rules(bundled_profile("CN"), {"applies_to": ["US"], "rules": {}})
    assert field_of(error) == "house.applies_to"
    with pytest.raises(ValidationError) as error:
        apply_house_rules(bundled_profile("CN"), {"zone_basis": "address_first"})
    assert field_of(error) == "house.zone_basis"


def test_bundled_house_rules_name_their_profiles():
    assert bundled_house_rules()["applies_to"] == ["CN", "US", "UK", "EU", "IE"]


# --- validation on load names the field ---------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "path", "value", "field", "words"),
    [
        ("US", "rules.contact_hours.reg_f.end", 1260, "rules.contact_hours.reg_f.end", '"21:00"'),
        ("US", "rules.contact_hours.reg_f.end", "25:00", "rules.contact_hours.reg_f.end", "HH:MM"),
        (
            "US",
            "rules.contact_hours.reg_f.start",
            "21:30",
            "rules.contact_hours.reg_f.start",
            "before",
        ),
        (
            "US",
            "rules.contact_hours.reg_f.channels",
            ["call", "fax"],
            "rules.contact_hours.reg_f.channels[1]",
            "fax",
        ),
        (
            "IE",
            "rules.contact_hours.s46.blocked_weekdays",
            ["sun"],
            "rules.contact_hours.s46.blocked_weekdays[0]",
            "weekday",
        ),
        ("US", "rules.call_frequency.max_calls", 0, "rules.call_frequency.max_calls", "between"),
        (
            "US",
            "rules.call_frequency.max_calls",
            "7",
            "rules.call_frequency.max_calls",
            "whole number",
        ),
        (
            "US",
            "rules.call_frequency.count_unconnected",
            "no",
            "rules.call_frequency.count_unconnected",
            "true or false",
        ),
        ("US", "rules.parties.cite", "US-NOPE", "rules.parties.cite", "sources"),
        ("US", "sources.US-COMM-01.status", "PRIMARY", "sources.US-COMM-01.status", "V-PRIMARY"),
        ("US", "sources.US-COMM-01.source", "", "sources.US-COMM-01.source", "required"),
        (
            "US",
            "rules.holds.vacation",
            {"cite": "US-COMM-05"},
            "rules.holds.vacation",
            "cease_communication",
        ),
        (
            "US",
            "rules.electronic_caps",
            {"fax": {"cite": "US-FREQ-02", "per_day": 1}},
            "rules.electronic_caps.fax",
            "sms",
        ),
        (
            "US",
            "rules.parties.location_only_roles",
            ["debtor"],
            "rules.parties.location_only_roles",
            "allowed_roles",
        ),
        (
            "US",
            "rules.holds.servicemember.action",
            "ignore",
            "rules.holds.servicemember.action",
            "flag, deny",
        ),
        ("US", "rules.opt_out.scope", "everything", "rules.opt_out.scope", "address"),
        ("US", "country", "XX", "country", "XX"),
        ("US", "zone_basis", "guess", "zone_basis", "all_candidates"),
        ("US", "version", 2025.1, "version", "text"),
    ],
)
def test_invalid_profile_data_names_the_field(code, path, value, field, words):
    with pytest.raises(ValidationError) as error:
        load_profile(changed(code, path, value))
    assert field_of(error) == field
    assert words in str(error.value)


def test_unknown_fields_and_sections_are_refused():
    data = changed("US", "rules.call_frequency.max_call", 7)
    with pytest.raises(ValidationError) as error:
        load_profile(data)
    assert field_of(error) == "rules.call_frequency.max_call"
    with pytest.raises(ValidationError) as error:
        load_profile(changed("US", "rules.frequency", {}))
    assert field_of(error) == "rules.frequency"
    with pytest.raises(ValidationError) as error:
        load_profile(changed("US", "colour", "blue"))
    assert field_of(error) == "colour"


def test_required_parameters_are_named():
    data = changed("US", "rules.call_frequency", {"cite": "US-FREQ-01", "max_calls": 7})
    with pytest.raises(ValidationError) as error:
        load_profile(data)
    assert field_of(error) == "rules.call_frequency.window_days"
    assert error.value.reason == "is required"


def test_yaml_text_with_an_unquoted_time_is_explained():
    text = """
code: XX
version: "1"
name_en: Test
name_zh: 测试
country: US
sources:
  S: {source: "a rule", status: POLICY}
rules:
  contact_hours:
    w: {cite: S, start: "08:00", end: 21:00, channels: [call], purposes: [collection]}
"""
    with pytest.raises(ValidationError) as error:
        load_profile(text)
    assert field_of(error) == "rules.contact_hours.w.end"
    assert 'quotes, e.g. "21:00"' in error.value.reason


def test_unknown_bundled_profile_is_named():
    with pytest.raises(ValidationError) as error:
        bundled_profile("FR")
    assert field_of(error) == "profile_code"


def test_a_citation_for_an_unknown_parameter_is_refused():
    with pytest.raises(ValidationError) as error:
        load_profile(
            changed("US", "rules.call_frequency.cites", {"count_unconected": "US-FREQ-01-EXCL"})
        )
    assert field_of(error) == "rules.call_frequency.cites.count_unconected"


def test_a_loaded_profile_cannot_be_changed_by_accident():
    with pytest.raises(TypeError):
        bundled_profile("US").holds["deceased"] = None  # type: ignore[index]
