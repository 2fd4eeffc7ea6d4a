"""The app's choices are the core's values, so every row turns into the core's value."""

from __future__ import annotations

import pytest

from arrears.compliance import choices
from arrears.core import compliance as core


@pytest.mark.parametrize(
    ("django_choices", "core_enum"),
    [
        (choices.Channel, core.Channel),
        (choices.Role, core.Role),
        (choices.Purpose, core.Purpose),
        (choices.AttemptOutcome, core.AttemptOutcome),
        (choices.Direction, core.Direction),
        (choices.HoldKind, core.HoldKind),
        (choices.BreathingSpaceKind, core.BreathingSpaceKind),
    ],
)
def test_the_choices_are_the_core_s_values(django_choices, core_enum):
    assert set(django_choices.values) == {member.value for member in core_enum}


def test_the_profile_codes_are_the_bundled_profiles():
    from arrears.core.compliance.jurisdictions import PROFILE_CODES

    assert tuple(choices.ProfileCode.values) == PROFILE_CODES
