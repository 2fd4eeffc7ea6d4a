"""Every key the hardship core returns has an English and a Chinese label."""

import string

import pytest

from arrears.core.hardship import labels
from arrears.core.hardship.assessment import (
    Employment,
    ExpenseCategory,
    HardshipReason,
    IncomeSource,
    Vulnerability,
)
from arrears.core.hardship.offer import price_options
from arrears.core.hardship.policy import EssentialSpendingRule, InterestTreatment, OptionKind
from arrears.core.schedule import RepaymentMethod

from .builders import card, loan, lost_job, statement

ENUMS = {
    "option": OptionKind,
    "category": ExpenseCategory,
    "income_source": IncomeSource,
    "employment": Employment,
    "hardship_reason": HardshipReason,
    "vulnerability": Vulnerability,
    "interest_treatment": InterestTreatment,
    "method": RepaymentMethod,
    "rule": EssentialSpendingRule,
}


def test_every_value_of_every_enum_has_both_labels() -> None:
    for namespace, kind in ENUMS.items():
        for member in kind:
            entry = labels.LABELS[f"{namespace}.{member.value}"]
            assert entry["en"].strip() and entry["zh"].strip()


def test_chinese_labels_use_the_glossary_terms() -> None:
    assert labels.label("option", "personalised_instalment", "zh") == "个性化分期"
    assert labels.label("option", "interest_freeze", "zh") == "停息挂账"
    assert labels.label("method", "annuity", "zh") == "等额本息"
    assert labels.label("line", "disposable_income", "zh") == "可支配收入"


def test_both_languages_use_the_same_placeholders() -> None:
    for key, entry in labels.LABELS.items():
        fields = [
            {name for _, name, _, _ in string.Formatter().parse(entry[lang]) if name}
            for lang in labels.LANGUAGES
        ]
        assert fields[0] == fields[1], key


@pytest.mark.parametrize("language", labels.LANGUAGES)
def test_everything_an_offer_returns_can_be_shown(language: str) -> None:
    for position, borrower in ((loan(), lost_job()), (card(), statement())):
        offer = price_options(position=position, statement=borrower)
        for line in offer.affordability.explanation:
            assert "—" not in labels.label("line", line.key, language, line.params)
        for option in offer.options:
            assert labels.option_label(option, language)
            for phase in option.phases:
                assert "—" not in labels.phase_label(phase, language)
            for note in option.notes:
                assert "—" not in labels.label("reason", note.key, language, note.params)
        for reason in offer.recommendation.reasons:
            assert labels.label("reason", reason.key, language, reason.params)


def test_enum_parameters_are_shown_by_their_own_label() -> None:
    shown = labels.label("line", "income", "zh", {"source": IncomeSource.BENEFITS})
    assert shown == "收入：社会保障及补助"
    assert labels.label("reason", "no_affordable_option", "en", {}).count("—") == 3


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(KeyError):
        labels.label("option", "payment_holiday", "fr")
