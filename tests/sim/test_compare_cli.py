"""`arrears sim compare`: the lab runs A and B on the same seeds and the report says what changed.

Small runs (2 seeds × 300 borrowers × 10 days) against the real lab engine."""

from __future__ import annotations

import json

import pytest

from tests.sim.conftest import STRATEGY

SMALL = ["--seeds", "2", "--borrowers", "300", "--days", "10", "--agents", "2",
         "--calls-per-agent", "40"]  # fmt: skip


@pytest.fixture(autouse=True)
def _english(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ARREARS_LANGUAGE", "en")


@pytest.fixture
def call_first(tmp_path):  # type: ignore[no-untyped-def]
    """The ladder with its arms swapped: 80 % of the delinquent accounts called from day 1."""
    text = STRATEGY.read_text(encoding="utf-8")
    changed = (
        text.replace("{path: ladder, share: 80}", "{path: ladder, share: 20}")
        .replace("{path: call_first, share: 20}", "{path: call_first, share: 80}")
        .replace('version: "2026-11"', 'version: "2026-11-call-first"')
    )
    assert changed.count("share: 80}") == 1 and "call_first, share: 80" in changed
    path = tmp_path / "call-first.yaml"
    path.write_text(changed, encoding="utf-8")
    return path


def test_the_help_of_sim_compare_has_an_example(run_cli):
    result = run_cli("sim", "compare", "--help")

    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert "arrears sim compare" in result.stdout and "--seeds 10" in result.stdout


def test_a_strategy_against_itself_differs_by_nothing(run_cli, tmp_path):
    out = tmp_path / "same"
    result = run_cli("sim", "compare", str(STRATEGY), str(STRATEGY), *SMALL, "--out", str(out),
                     "--json")  # fmt: skip

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (same,) = data["comparisons"]
    assert same["params"] == "bundled" and same["seeds"] == [1, 2]
    net = next(m for m in same["metrics"] if m["metric"] == "net_minor")
    assert net["values_a"] == net["values_b"] and net["mean_a"] > 0
    for metric in same["metrics"]:
        if metric["runs"] == 2:
            assert metric["difference"] == 0, metric["metric"]
            assert metric["difference_interval"] == [0, 0], metric["metric"]
            assert metric["verdict"] == "no_clear_difference", metric["metric"]
    assert sorted(p.name for p in out.iterdir()) == [
        "comparison.json", "recovery.png", "report.html", "roll_rates_A.png", "roll_rates_B.png",
    ]  # fmt: skip
    assert json.loads((out / "comparison.json").read_text(encoding="utf-8"))["comparisons"] == [
        same
    ]


def test_the_ladder_against_a_call_first_copy_shows_the_difference(run_cli, tmp_path, call_first):
    out = tmp_path / "ladder-vs-call-first"
    result = run_cli("sim", "compare", str(STRATEGY), str(call_first), *SMALL, "--out", str(out))

    assert result.exit_code == 0, result.output
    assert "Net money collected (CNY)" in result.stdout
    assert "conventional-ladder 2026-11-call-first (call-first.yaml)" in result.stdout
    data = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    (changed,) = data["comparisons"]
    contacts = next(m for m in changed["metrics"] if m["metric"] == "contacts")
    assert contacts["values_a"] != contacts["values_b"]
    assert contacts["difference"] == pytest.approx(contacts["mean_b"] - contacts["mean_a"])
    breaches = next(m for m in changed["metrics"] if m["metric"] == "breaches")
    assert breaches["values_a"] == [0, 0] and breaches["values_b"] == [0, 0]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Net money collected (CNY)" in page and page.count("data:image/png;base64,") == 3


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--seeds", "0", "seeds"),
        ("--borrowers", "0", "borrowers"),
        ("--days", "0", "days"),
        ("--agents", "-1", "agents"),
        ("--params", "no-such-behaviour.yaml", "params"),
    ],
)
def test_a_bad_option_is_named_and_nothing_is_written(run_cli, tmp_path, option, value, field):
    out = tmp_path / "compare"
    result = run_cli("sim", "compare", str(STRATEGY), str(STRATEGY), *SMALL, "--out", str(out),
                     option, value, "--json")  # fmt: skip

    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["field"] == field
    assert not out.exists()


def test_a_missing_or_broken_strategy_is_named_a_or_b(run_cli, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("code: broken\nversion: 1\n", encoding="utf-8")
    out = tmp_path / "compare"

    missing = run_cli("sim", "compare", str(tmp_path / "nope.yaml"), str(STRATEGY), *SMALL,
                      "--out", str(out), "--json")  # fmt: skip
    bad = run_cli("sim", "compare", str(STRATEGY), str(broken), *SMALL, "--out", str(out),
                  "--json")  # fmt: skip

    assert missing.exit_code == 2 and json.loads(missing.stdout)["error"]["field"] == "A"
    assert bad.exit_code == 2 and json.loads(bad.stdout)["error"]["field"] == "B"
    assert "name" in json.loads(bad.stdout)["error"]["message"]
    assert not out.exists()


def test_a_folder_holding_a_comparison_is_refused(run_cli, tmp_path):
    out = tmp_path / "compare"
    out.mkdir()
    (out / "comparison.json").write_text("{}", encoding="utf-8")
    result = run_cli("sim", "compare", str(STRATEGY), str(STRATEGY), *SMALL, "--out", str(out),
                     "--json")  # fmt: skip

    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["field"] == "out"
    assert (out / "comparison.json").read_text(encoding="utf-8") == "{}"


def test_each_parameter_set_gets_its_own_table(run_cli, tmp_path):
    bundled = STRATEGY.parents[1] / "sim_behaviour.yaml"
    base, stressed = tmp_path / "base.yaml", tmp_path / "stressed.yaml"
    base.write_text(bundled.read_text(encoding="utf-8"), encoding="utf-8")
    stressed.write_text(bundled.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "two-sets"
    result = run_cli("sim", "compare", str(STRATEGY), str(STRATEGY), "--seeds", "1",
                     "--borrowers", "100", "--days", "3", "--params", str(base), "--params",
                     str(stressed), "--out", str(out))  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Behaviour parameters: base" in result.stdout
    assert "Behaviour parameters: stressed" in result.stdout
    assert "Too few runs" in result.stdout  # one seed: no interval
    assert (out / "base" / "recovery.png").is_file()
    assert (out / "stressed" / "roll_rates_B.png").is_file()
    assert (out / "report.html").read_text(encoding="utf-8").count("<tbody>") == 2
