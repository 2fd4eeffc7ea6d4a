"""The comparison report: real PNG plots, an HTML page a supervisor can open anywhere (the plots
inside it, every value escaped) and a comparison.json that reads back to what was compared."""

from __future__ import annotations

import base64
import io
import re
import warnings
from pathlib import Path

import pytest
from django.utils import translation
from matplotlib import image as mpimg

from arrears.cli._runtime import to_jsonable
from arrears.demo.sim.comparison import (
    CompareResult,
    read_comparison,
    summarise,
    table_rows,
    write_report,
)
from arrears.demo.sim.plots import recovery_plot, roll_matrix_plot
from tests.sim.lab_runs import account, daily_rows, lab_run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _pairs():  # type: ignore[no-untyped-def]
    """Two seeds; B collects 500.00 more than A on each at the same cost, with fewer calls."""
    accounts = [
        account("M1", "current", balance=100_000),
        account("M1", "M2", balance=200_000),
        account("M2", "M2", balance=50_000),
        account("current", "current", balance=80_000),
    ]
    pairs = []
    for seed, collected in ((1, 120_000), (2, 90_000)):
        a = lab_run(
            seed=seed,
            daily=daily_rows(4, collected_minor=collected // 4, cost_minor=1_000, contacts_call=20),
            accounts=accounts,
        )
        b = lab_run(
            seed=seed,
            daily=daily_rows(
                4, collected_minor=(collected + 50_000) // 4, cost_minor=1_000, contacts_call=12
            ),
            accounts=[*accounts[:1], account("M1", "current", balance=200_000), *accounts[2:]],
        )
        pairs.append((a, b))
    return pairs


def _result(*params: str) -> CompareResult:
    return CompareResult(
        options={"seeds": 2, "borrowers": 4, "days": 4, "params": list(params), "agents": 1,
                 "calls_per_agent": 10, "resamples": 2_000, "bootstrap_seed": 0},
        strategies={"A": "ladder 2026-11 (<b>a.yaml</b>)", "B": "ladder 2026-12 (b.yaml)"},
        sets=tuple(
            summarise(name, _pairs(), currency="CNY", resamples=2_000) for name in params
        ),
    )  # fmt: skip


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    pixels = mpimg.imread(io.BytesIO(data), format="png")
    return pixels.shape[1], pixels.shape[0]


def test_the_report_folder_gets_the_json_the_plots_and_the_page(tmp_path):
    files = write_report(_result("bundled"), tmp_path)

    assert sorted(files) == [
        "comparison.json", "recovery.png", "report.html", "roll_rates_A.png", "roll_rates_B.png",
    ]  # fmt: skip
    for name in ("recovery.png", "roll_rates_A.png", "roll_rates_B.png"):
        width, height = _png_size(tmp_path / name)
        assert width >= 300 and height >= 200
        assert (tmp_path / name).stat().st_size > 5_000


def test_the_page_shows_the_table_and_holds_its_plots(tmp_path):
    result = _result("bundled")
    write_report(result, tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")

    net = next(r for r in table_rows(result.sets[0]) if r["metric"] == "net_minor")
    assert net["a"] == "1,010.00" and net["b"] == "1,510.00"  # (1,200 + 900)/2 − 40 a day × 4
    assert net["difference"] == "+500.00"
    assert net["a"] in page and net["b"] in page and net["difference"] in page
    cure = next(r for r in table_rows(result.sets[0]) if r["metric"] == "cure_rate")
    assert cure["a"] == "33.3%" and cure["b"] == "66.7%"
    assert cure["difference"] in page
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 3
    assert all(base64.b64decode(data).startswith(PNG_SIGNATURE) for data in images)
    assert "&lt;b&gt;a.yaml&lt;/b&gt;" in page and "<b>a.yaml" not in page
    assert "<script" not in page


def test_the_comparison_json_reads_back_as_written(tmp_path):
    result = _result("bundled")
    write_report(result, tmp_path)
    data = read_comparison(tmp_path / "comparison.json")

    assert data == to_jsonable(result.as_dict())
    (set_,) = data["comparisons"]
    net = next(m for m in set_["metrics"] if m["metric"] == "net_minor")
    assert net["values_a"] == [116_000, 86_000]
    assert net["values_b"] == [166_000, 136_000]
    assert net["difference"] == 50_000 and net["difference_interval"] == [50_000, 50_000]
    assert net["verdict"] == "b_better"
    assert set_["roll_rates"]["A"][0] == {
        "start_bucket": "current", "end_bucket": "current", "accounts": 2, "share": 1.0,
    }  # fmt: skip


def test_several_parameter_sets_each_get_a_table_and_their_own_plots(tmp_path):
    files = write_report(_result("base", "stressed"), tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")

    assert "base/recovery.png" in files and "stressed/roll_rates_B.png" in files
    assert (tmp_path / "stressed" / "roll_rates_A.png").read_bytes().startswith(PNG_SIGNATURE)
    assert page.count("<tbody>") == 2
    assert len(read_comparison(tmp_path / "comparison.json")["comparisons"]) == 2


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Strategy comparison"), ("zh-hans", "策略对比：A 与 B")]
)
def test_the_page_speaks_the_users_language(tmp_path, language, title):
    with translation.override(language):
        write_report(_result("bundled"), tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")

    assert f"<h1>{title}" in page


def test_the_plots_draw_from_the_comparisons_own_frames(tmp_path):
    one = _result("bundled").sets[0]

    recovery = recovery_plot(one.curves, tmp_path / "curves.png")
    matrix = roll_matrix_plot(one.matrices["B"], tmp_path / "matrix.png")

    assert _png_size(recovery)[0] > 300 and _png_size(matrix)[0] > 200


def test_chinese_plots_are_written_quietly_with_or_without_a_cjk_font(tmp_path):
    one = _result("bundled").sets[0]

    with translation.override("zh-hans"), warnings.catch_warnings():
        warnings.simplefilter("error")
        path = roll_matrix_plot(one.matrices["A"], tmp_path / "roll.png", title="迁移率，策略 A")

    assert _png_size(path)[0] > 200
