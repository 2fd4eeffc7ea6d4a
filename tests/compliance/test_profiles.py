"""Profiles are data a compliance officer reads and changes: stored as versions, checked on save."""

from __future__ import annotations

import pytest
import yaml

from arrears.compliance.models import ProfileVersion
from arrears.compliance.services import (
    activate_profile_version,
    active_profile,
    load_profiles,
    request_permit,
    save_profile_version,
)
from arrears.compliance.services.profiles import bundled_text
from arrears.core.clock import FixedClock
from arrears.core.errors import ValidationError
from tests.compliance.conftest import mobile_of, utc

pytestmark = pytest.mark.django_db


def shipped_version(code: str) -> str:
    return str(yaml.safe_load(bundled_text(code))["version"])


def with_version(text: str, code: str, version: str) -> str:
    shipped = f'version: "{shipped_version(code)}"'
    assert shipped in text
    return text.replace(shipped, f'version: "{version}"', 1)


def narrower_cn(end: str = "20:00", version: str = "lender-1") -> str:
    """The bundled CN profile with the evening window ending at `end`."""
    text = bundled_text("CN")
    assert 'end: "22:00"' in text
    return with_version(text.replace('end: "22:00"', f'end: "{end}"', 1), "CN", version)


def test_the_bundled_profiles_are_stored_once_and_active(profiles):
    assert set(profiles) == {"CN", "US", "UK", "EU", "IE"}
    assert all(row.is_active and row.is_bundled for row in profiles.values())

    load_profiles()  # again: nothing new

    assert ProfileVersion.objects.count() == 5


def test_an_edited_profile_is_a_new_version_that_the_gate_uses_at_once(cn_loan):
    # given the lender narrows China's evening window to 20:00 (stricter than the law)
    old = ProfileVersion.objects.get(code="CN", is_active=True)
    edited = save_profile_version(code="CN", yaml_text=narrower_cn())

    # when a call is asked for at 21:00 Beijing time
    evening = FixedClock(utc(2025, 1, 15, 13, 0))
    decision = request_permit(
        borrower=cn_loan.borrower,
        account=cn_loan,
        channel="call",
        address=mobile_of(cn_loan.borrower),
        purpose="collection",
        clock=evening,
    )

    # then it is refused under the new version, which the decision names
    assert decision.denied_rule_ids == ["hours.window"]
    assert decision.profile_version.startswith("CN@lender-1+")
    # and the old version is kept, inactive, with its text
    old.refresh_from_db()
    assert (old.is_active, edited.is_active) == (False, True)
    assert old.yaml_text == bundled_text("CN")


def test_a_profile_that_does_not_load_is_refused_naming_the_field(profiles):
    with pytest.raises(ValidationError) as refused:
        save_profile_version(code="CN", yaml_text=narrower_cn(end="07:00"))
    assert refused.value.field.startswith("rules.contact_hours.")
    assert ProfileVersion.objects.filter(code="CN").count() == 1


def test_a_version_is_never_overwritten(profiles):
    with pytest.raises(ValidationError) as refused:
        save_profile_version(code="CN", yaml_text=narrower_cn(version=shipped_version("CN")))
    assert refused.value.field == "version"


def test_an_edit_the_house_rules_would_loosen_is_refused(profiles):
    # the house caps texts at 2 a day; a profile capping them at 1 would make the house looser
    text = bundled_text("US").replace(
        "rules:\n", "rules:\n  electronic_caps:\n    sms: {cite: US-FREQ-02, per_day: 1}\n", 1
    )
    text = with_version(text, "US", "lender-2")

    with pytest.raises(ValidationError) as refused:
        save_profile_version(code="US", yaml_text=text)

    assert refused.value.field == "house.rules.electronic_caps.sms.per_day"


def test_ireland_extends_the_active_eu_profile(profiles):
    # given the lender narrows the EU base window for texts to end at 20:00
    text = bundled_text("EU")
    assert 'end: "21:00"' in text
    edited = with_version(text.replace('end: "21:00"', 'end: "20:00"', 1), "EU", "lender")
    save_profile_version(code="EU", yaml_text=edited)

    ireland = active_profile("IE").profile

    assert ireland.layers[:2] == ("EU@lender", f"IE@{shipped_version('IE')}")
    assert any(window.end.hour == 20 for window in ireland.contact_hours.values())


def test_a_new_bundled_version_does_not_replace_a_person_s_edit(profiles):
    edited = save_profile_version(code="CN", yaml_text=narrower_cn())
    ProfileVersion.objects.filter(code="CN", is_bundled=True).update(version="older")

    load_profiles()  # the shipped version is new again, as if shipped in an upgrade

    edited.refresh_from_db()
    waiting = ProfileVersion.objects.get(code="CN", version=shipped_version("CN"))
    assert edited.is_active and not waiting.is_active
    activate_profile_version(profile_version=waiting)
    edited.refresh_from_db()
    assert not edited.is_active
    assert ProfileVersion.objects.get(code="CN", is_active=True) == waiting


def test_without_stored_profiles_the_bundled_ones_apply(db):
    us, house = f"US@{shipped_version('US')}", f"house@{shipped_version('house')}"
    assert active_profile("US").profile.layers == (us, house)
    assert active_profile("US", house_rules=False).profile.layers == (us,)


def test_house_rules_can_be_switched_off_or_read_from_a_file(db, settings, tmp_path):
    settings.ARREARS_HOUSE_RULES = "none"
    assert active_profile("CN").house_rules is False

    own = tmp_path / "house.yaml"
    own.write_text(with_version(bundled_text("house"), "house", "9"), encoding="utf-8")
    settings.ARREARS_HOUSE_RULES = str(own)
    assert active_profile("CN").profile.layers[-1] == "house@9"
