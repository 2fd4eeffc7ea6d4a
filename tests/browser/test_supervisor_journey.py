"""A supervisor looks at the dashboard and dry-runs a strategy, in English and in Chinese: the
charts are drawn (no script error, no CSP violation), the dry run shows what would change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from arrears.collection.models import Case, Strategy
from arrears.collection.services.strategies import load_bundled_strategies
from arrears.core.strategy.document import bundled_strategy_codes
from tests.browser.conftest import screenshot, sign_in
from tests.console.test_strategies import edited_ladder
from tests.factories import make_collection_case, make_overdue_loan, make_staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"dashboard": "Collection dashboard", "strategies": "Collection strategies",
           "changed": "1 of 4 open cases would be treated differently.", "fewer": "B better"},
    "zh-hans": {"dashboard": "催收看板", "strategies": "催收策略",
                "changed": "4 个未结案件中有 1 个的处置将会不同。", "fewer": "B 更优"},
}  # fmt: skip


def todays_book() -> None:
    """Four open cases today, at 3, 20, 40 and 70 days past due, under the bundled ladder."""
    load_bundled_strategies()
    today = timezone.localdate()
    for dpd in (3, 20, 40, 70):
        account = make_overdue_loan(today, dpd)
        make_collection_case(account, on=today - dt.timedelta(days=dpd - 1))
    ladder = Strategy.objects.get(is_active=True)
    Case.objects.update(segment="delinquent", path="ladder", strategy=ladder)
    Case.objects.filter(pk=Case.objects.order_by("pk").first().pk).update(path="call_first")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_supervisor_looks_at_the_dashboard_and_dry_runs_a_strategy(page, language, settings):
    settings.ARREARS_STRATEGY_SIMULATION = {"seeds": 2, "borrowers": 150, "days": 8}
    todays_book()
    make_staff_user("supervisor", "wu.supervisor")
    page.goto("/login/", timeout=90_000)  # the live server's first page: slow on a busy machine
    sign_in(page, "wu.supervisor")
    if language != "en":
        page.select_option("#language-select", language)
        page.wait_for_selector(f"html[lang={language}]")
    words = WORDS[language]
    short = "zh" if language != "en" else "en"

    page.goto("/console/dashboard/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("heading", name=words["dashboard"]).wait_for()
    drawn = page.locator("canvas[data-chart][data-drawn=true]")
    drawn.first.wait_for()
    assert drawn.count() == 7
    box = page.locator("canvas[data-chart=delinquency-by-bucket]").bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    screenshot(page, f"console-dashboard-{short}")

    # the filters change the numbers: a product the book does not hold
    page.select_option("#id_product", "cn_card_classic")
    page.locator("[data-testid=dashboard-filters] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-kpi=accounts]").inner_text().strip() == "0"

    page.goto("/console/strategies/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("heading", name=words["strategies"], exact=True).wait_for()
    screenshot(page, f"console-strategies-{short}")

    page.fill("#id_yaml_text", edited_ladder())
    page.locator("[data-testid=dry-run-submit]").click()
    result = page.locator("[data-testid=dry-run-result]")
    result.wait_for()
    assert words["changed"] in page.locator("[data-testid=dry-run-changed]").inner_text()
    result.scroll_into_view_if_needed()
    page.locator("#dry-run-result-heading").click()  # out of the text box: no caret to hide
    screenshot(page, f"console-dry-run-{short}")

    # the same kind of edit simulated against the strategy in force, before it goes live
    quiet = edited_ladder().replace("between 1 and 5", "between 1 and 400")
    page.fill("#id_yaml_text", quiet)
    page.locator("[data-testid=simulate]").click()
    simulated = page.locator("[data-testid=simulation-result]")
    simulated.wait_for(timeout=60_000)
    assert words["fewer"] in page.locator("tr[data-metric=contacts]").inner_text()
    simulated.scroll_into_view_if_needed()
    screenshot(page, f"console-simulation-{short}")
    assert Strategy.objects.count() == len(bundled_strategy_codes())  # nothing saved

    # a mistake is shown next to the text, and the result goes away
    page.fill("#id_yaml_text", edited_ladder().replace("days_past_due between 1 and 5", "dpd < 5"))
    page.locator("[data-testid=dry-run-submit]").click()
    page.locator("[data-testid=dry-run-error]").wait_for()
    assert "segments[4].when" in page.locator("[data-testid=dry-run-error]").inner_text()
