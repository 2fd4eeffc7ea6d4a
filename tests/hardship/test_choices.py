"""The app's choices are the core's values, so a row always turns into the core's enum."""

from __future__ import annotations

import pytest

from arrears.core.hardship import assessment, policy
from arrears.hardship import choices


@pytest.mark.parametrize(
    ("django_choices", "core_enum"),
    [
        (choices.Employment, assessment.Employment),
        (choices.HardshipReason, assessment.HardshipReason),
        (choices.Vulnerability, assessment.Vulnerability),
        (choices.OptionKind, policy.OptionKind),
    ],
)
def test_the_choices_are_the_cores_values(django_choices, core_enum):
    assert set(django_choices.values) == {member.value for member in core_enum}
