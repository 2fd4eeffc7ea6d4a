"""A compliance officer finds why a call was blocked: the decision log, its filters, the
decision's every rule, and the refusals counted by rule — in English and in Chinese."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from arrears.compliance.services import load_profiles, request_permit
from arrears.core.clock import FixedClock
from tests.browser.conftest import screenshot, sign_in
from tests.factories import make_borrower, make_loan_account, make_staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: 23:00 in Shanghai on Wednesday 15 January 2025 (inside the no-collection hours) and 10:00.
LATE_NIGHT = dt.datetime(2025, 1, 15, 15, 0, tzinfo=dt.UTC)
MORNING = dt.datetime(2025, 1, 15, 2, 0, tzinfo=dt.UTC)

WORDS = {
    "en": {
        "menu": "Compliance",
        "log": "Decision log",
        "decision": "Compliance decision",
        "blocked": "Blocked by rule",
        "blocked_heading": "Blocked contacts by rule",
        "filter": "Filter",
    },
    "zh-hans": {
        "menu": "合规",
        "log": "决策日志",
        "decision": "合规决策",
        "blocked": "按规则统计拦截",
        "blocked_heading": "按规则统计被拦截的联系",
        "filter": "筛选",
    },
}


def a_day_of_gate_decisions() -> tuple[str, str]:
    """Calls and texts the gate answered on 15 January 2025; returns the late call's borrower
    reference and the refused call's account number."""
    load_profiles()
    late = make_loan_account(borrower=make_borrower(full_name="王芳"))
    for borrower_name, clock in (
        ("李雷", FixedClock(MORNING)),
        ("韩梅梅", FixedClock(MORNING + dt.timedelta(hours=1))),
        ("张伟", FixedClock(LATE_NIGHT + dt.timedelta(minutes=20))),
    ):
        other = make_loan_account(borrower=make_borrower(full_name=borrower_name))
        mobile = other.borrower.contact_points.get(kind="mobile").value
        request_permit(
            borrower=other.borrower,
            account=other,
            channel="call",
            address=mobile,
            purpose="collection",
            clock=clock,
        )
    mobile = late.borrower.contact_points.get(kind="mobile").value
    request_permit(
        borrower=late.borrower,
        account=late,
        channel="call",
        address=mobile,
        purpose="collection",
        clock=FixedClock(LATE_NIGHT),
    )
    return late.borrower.reference, late.number


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_compliance_officer_finds_why_a_call_was_blocked(page, language):
    words = WORDS[language]
    suffix = "en" if language == "en" else "zh"
    reference, account_number = a_day_of_gate_decisions()
    make_staff_user("compliance", "zhou.compliance")

    # the officer signs in, in their language, and opens the compliance pages from the menu
    sign_in(page, "zhou.compliance")
    if language != "en":
        with page.expect_navigation():  # the switch submits its form
            page.select_option("#language-select", language)
    page.get_by_role("link", name=words["menu"], exact=True).first.click()
    expect(page.get_by_role("heading", name=words["log"])).to_be_visible()
    expect(page.locator("table.decision-log tbody tr")).to_have_count(4)

    # they narrow the log to blocked contacts on the account the borrower called about
    page.select_option("#id_outcome", "blocked")
    page.fill("#id_reference", account_number)
    page.get_by_role("button", name=words["filter"]).click()
    page.wait_for_url(f"**reference={account_number}**")
    rows = page.locator("table.decision-log tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(reference)
    expect(rows.first).to_contain_text("hours.window")
    screenshot(page, f"console-compliance-{suffix}")

    # the decision shows every rule's answer, the reason in their language and the citation
    rows.first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name=words["decision"])).to_be_visible()
    expect(page.locator("tr.row-refused").first).to_contain_text("hours.window")
    screenshot(page, f"console-compliance-decision-{suffix}")

    # the refusals by rule over January: the late calls, one link back to the filtered log
    page.goto("/console/compliance/")
    page.get_by_role("link", name=words["blocked"]).click()
    page.fill("#id_since", "2025-01-01")
    page.fill("#id_until", "2025-01-31")
    page.get_by_role("button", name=words["filter"]).click()
    page.wait_for_url("**since=2025-01-01**")
    expect(page.get_by_role("heading", name=words["blocked_heading"])).to_be_visible()
    expect(page.get_by_test_id("blocked-total")).to_have_text("2")
    screenshot(page, f"console-blocked-by-rule-{suffix}")
    page.get_by_test_id("rule-count").first.click()
    page.wait_for_url("**outcome=blocked**")
    expect(page.locator("table.decision-log tbody tr")).to_have_count(2)
