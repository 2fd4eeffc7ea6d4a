"""`arrears sim compare`: strategy A against strategy B in the lab, over paired seeds.

For each behaviour parameter set and each seed, the lab (`core.sim.lab.run_lab`) runs A and B on
the same population with the same random numbers; `core.sim.compare` turns the pairs into
means, differences and bootstrap intervals; `write_report` writes `comparison.json`, the PNG
plots and a self-contained `report.html`. See docs/simulation.md, "Comparing strategies".
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import polars as pl
from django.utils.translation import gettext as _

from arrears.analytics.simulation import (
    column_titles,
    comparison_rows,
    metric_definition,
    metric_label,
)
from arrears.core.errors import ValidationError
from arrears.core.sim import BehaviourParams, bundled_behaviour, load_behaviour
from arrears.core.sim.compare import (
    Comparison,
    compare,
    recovery_curves,
    roll_matrix,
)
from arrears.core.sim.lab.run import LabOptions, LabRun
from arrears.core.strategy.document import Strategy, load_strategy

ARMS = ("A", "B")
MAX_SEEDS = 1_000
BUNDLED = "bundled"
#: (runs done, runs in all): called after each lab run, for a progress bar.
Progress = Callable[[int, int], None]


# --- what is asked ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CompareOptions:
    """What `arrears sim compare` is asked; `check` names the first bad field."""

    strategy_a: Path
    strategy_b: Path
    out: Path
    seeds: int = 10
    borrowers: int = 20_000
    days: int = 90
    params: tuple[Path, ...] = ()  # empty: the bundled behaviour
    agents: int = 20
    calls_per_agent: int = 80
    resamples: int = 10_000
    bootstrap_seed: int = 0

    def check(self) -> CompareOptions:
        if not 1 <= self.seeds <= MAX_SEEDS:
            raise ValidationError(
                "seeds",
                _("must be from %(low)d to %(high)d, not %(value)d")
                % {"low": 1, "high": MAX_SEEDS, "value": self.seeds},
            )
        for name, path in (("A", self.strategy_a), ("B", self.strategy_b), *self._params()):
            if not path.is_file():
                raise ValidationError(name, _("no such file: %(path)s") % {"path": path})
        if self.out.exists() and not self.out.is_dir():
            raise ValidationError(
                "out", _("is a file, not a folder: %(path)s") % {"path": self.out}
            )
        if (self.out / "comparison.json").exists():
            raise ValidationError(
                "out",
                _("already holds a comparison; give an empty folder: %(path)s")
                % {"path": self.out},
            )
        names = [path.stem for path in self.params]
        if len(set(names)) != len(names):
            message = _("two parameter files have the same name: %(names)s")
            raise ValidationError("params", message % {"names": ", ".join(names)})
        return self

    def _params(self) -> list[tuple[str, Path]]:
        return [("params", path) for path in self.params]


@dataclass(frozen=True, kw_only=True)
class Loaded:
    """The checked inputs: both strategies and every behaviour parameter set, by name."""

    strategy_a: Strategy
    strategy_b: Strategy
    params: tuple[tuple[str, BehaviourParams], ...]


def load_inputs(options: CompareOptions) -> Loaded:
    """Read and check both strategies and the parameter sets; errors name A, B or params."""
    strategies = []
    for name, path in (("A", options.strategy_a), ("B", options.strategy_b)):
        try:
            strategies.append(load_strategy(path))
        except ValidationError as error:
            raise ValidationError(name, f"{error.field}: {error.reason}") from None
    params: list[tuple[str, BehaviourParams]] = []
    for path in options.params:
        try:
            params.append((path.stem, load_behaviour(path)))
        except ValidationError as error:
            raise ValidationError("params", f"{path}: {error.field}: {error.reason}") from None
    if not params:
        params.append((BUNDLED, bundled_behaviour()))
    lab_options(options, strategies[0], params[0][1], seed=1).check()  # borrowers, days, …
    return Loaded(strategy_a=strategies[0], strategy_b=strategies[1], params=tuple(params))


def lab_options(
    options: CompareOptions,
    strategy: Strategy,
    params: BehaviourParams,
    *,
    seed: int,
    arm: str = "",
) -> LabOptions:
    return LabOptions(
        strategy=strategy,
        params=params,
        borrowers=options.borrowers,
        days=options.days,
        seed=seed,
        agents=options.agents,
        calls_per_agent=options.calls_per_agent,
        label=arm,
    )


# --- what comes back --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ParamsComparison:
    """A against B under one behaviour parameter set."""

    params: str
    currency: str
    comparison: Comparison
    curves: pl.DataFrame  # arm, day, mean, low, high (recovery_curves per arm)
    matrices: dict[str, pl.DataFrame]  # arm → roll_matrix

    def as_dict(self) -> dict[str, Any]:
        return {
            "params": self.params,
            "currency": self.currency,
            **self.comparison.as_dict(),
            "recovery": self.curves.to_dicts(),
            "roll_rates": {arm: matrix.to_dicts() for arm, matrix in self.matrices.items()},
        }


@dataclass(frozen=True, kw_only=True)
class CompareResult:
    """Everything `write_report` writes: the options and one comparison per parameter set."""

    options: dict[str, Any]
    sets: tuple[ParamsComparison, ...]
    strategies: dict[str, str] = field(default_factory=dict)  # arm → "code version (file)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "options": self.options,
            "strategies": self.strategies,
            "comparisons": [s.as_dict() for s in self.sets],
        }


def summarise(
    params: str,
    pairs: Sequence[tuple[LabRun, LabRun]],
    *,
    currency: str,
    resamples: int = 10_000,
    seed: int = 0,
) -> ParamsComparison:
    """The comparison, recovery curves and roll-rate matrices of one parameter set's pairs."""
    arms = {"A": [a for a, _b in pairs], "B": [b for _a, b in pairs]}
    curves = pl.concat(
        [
            recovery_curves(runs).select(pl.lit(arm).alias("arm"), pl.all())
            for arm, runs in arms.items()
        ]
    )
    return ParamsComparison(
        params=params,
        currency=currency,
        comparison=compare(pairs, resamples=resamples, seed=seed),
        curves=curves,
        matrices={arm: roll_matrix(runs) for arm, runs in arms.items()},
    )


def run_comparison(options: CompareOptions, *, progress: Progress | None = None) -> CompareResult:
    """Run A and B for every parameter set and seed (1 … seeds) and compare them."""
    from arrears.core.sim.lab import run_lab

    options.check()
    loaded = load_inputs(options)
    strategies = {"A": loaded.strategy_a, "B": loaded.strategy_b}
    total = len(loaded.params) * options.seeds * 2
    done = 0
    sets = []
    for name, params in loaded.params:
        pairs = []
        for seed in range(1, options.seeds + 1):
            runs = []
            for arm in ARMS:
                runs.append(
                    run_lab(lab_options(options, strategies[arm], params, seed=seed, arm=arm))
                )
                done += 1
                if progress:
                    progress(done, total)
            pairs.append((runs[0], runs[1]))
        sets.append(
            summarise(
                name,
                pairs,
                currency=params.currency,
                resamples=options.resamples,
                seed=options.bootstrap_seed,
            )
        )
    files = {"A": options.strategy_a, "B": options.strategy_b}
    return CompareResult(
        options={
            "seeds": options.seeds,
            "borrowers": options.borrowers,
            "days": options.days,
            "params": [name for name, _p in loaded.params],
            "agents": options.agents,
            "calls_per_agent": options.calls_per_agent,
            "resamples": options.resamples,
            "bootstrap_seed": options.bootstrap_seed,
        },
        strategies={
            arm: f"{s.code} {s.version} ({files[arm].name})" for arm, s in strategies.items()
        },
        sets=tuple(sets),
    )


# --- words and numbers (arrears.analytics.simulation, shared with the console) ----------------


def table_rows(result: ParamsComparison) -> list[dict[str, str]]:
    """The comparison as text cells, one row per metric (`comparison_rows`)."""
    return comparison_rows(result.comparison, result.currency)


# --- the report -------------------------------------------------------------------------------


def set_folder(out: Path, result: CompareResult, index: int) -> Path:
    """Where a parameter set's PNGs go: `out` itself with one set, `out/<params>` with several."""
    if len(result.sets) == 1:
        return out
    return out / result.sets[index].params


def write_report(result: CompareResult, out_dir: Path) -> dict[str, Path]:
    """Write comparison.json, recovery.png, roll_rates_A.png, roll_rates_B.png and report.html
    (with several parameter sets, each set's PNGs in a folder named after it). Returns the
    files by name."""
    from arrears.demo.sim.plots import recovery_plot, roll_matrix_plot

    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    sections = []
    for index, one in enumerate(result.sets):
        folder = set_folder(out_dir, result, index)
        folder.mkdir(parents=True, exist_ok=True)
        prefix = "" if folder == out_dir else f"{one.params}/"
        images = {"recovery": recovery_plot(one.curves, folder / "recovery.png")}
        for arm in ARMS:
            title = _("Roll rates, strategy %(arm)s") % {"arm": arm}
            images[f"roll_rates_{arm}"] = roll_matrix_plot(
                one.matrices[arm], folder / f"roll_rates_{arm}.png", title=title
            )
        written.update({f"{prefix}{path.name}": path for path in images.values()})
        sections.append(_section(one, images))
    comparison = out_dir / "comparison.json"
    comparison.write_text(
        json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str) + "\n",
        encoding="utf-8",
    )
    written["comparison.json"] = comparison
    html = out_dir / "report.html"
    html.write_text(_render_html(result, sections), encoding="utf-8")
    written["report.html"] = html
    return written


def read_comparison(path: Path) -> dict[str, Any]:
    """A `comparison.json` back as plain data."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _section(one: ParamsComparison, images: dict[str, Path]) -> dict[str, Any]:
    rows = table_rows(one)
    level = f"{one.comparison.level:.0%}"
    return {
        "params": one.params,
        "heading": _("Behaviour parameters: %(params)s") % {"params": one.params},
        "titles": column_titles(level),
        "rows": rows,
        "images": [
            {"src": _data_uri(images["recovery"]), "alt": _("Recovery curves")},
            *(
                {
                    "src": _data_uri(images[f"roll_rates_{arm}"]),
                    "alt": _("Roll rates, strategy %(arm)s") % {"arm": arm},
                }
                for arm in ARMS
            ),
        ],
    }


_HTML = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
    """<!DOCTYPE html>
<html lang="{{ language }}">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>
body { font-family: system-ui, "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif;
       margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1b1b1b; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .35rem .6rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td.b_better { background: #e3f2e1; } td.a_better { background: #fbe3dc; }
img { max-width: 100%; display: block; margin: 1rem 0; }
dt { font-weight: 600; margin-top: .5rem; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<h2>{{ options_heading }}</h2>
<table>
{% for name, value in options %}<tr><th>{{ name }}</th><td>{{ value }}</td></tr>
{% endfor %}</table>
<p>{{ method }}</p>
{% for section in sections %}
<section id="params-{{ section.params }}">
<h2>{{ section.heading }}</h2>
<table>
<thead><tr>{% for key in columns %}<th>{{ section.titles[key] }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in section.rows %}<tr>{% for key in columns %}
<td{% if key == "verdict" %} class="{{ row.verdict_code }}"{% endif %}>{{ row[key] }}</td>
{%- endfor %}</tr>
{% endfor %}</tbody>
</table>
{% for image in section.images %}<img src="{{ image.src }}" alt="{{ image.alt }}">
{% endfor %}</section>
{% endfor %}
<h2>{{ definitions_heading }}</h2>
<dl>
{% for label, text in definitions %}<dt>{{ label }}</dt><dd>{{ text }}</dd>
{% endfor %}</dl>
</body>
</html>
"""
)

_COLUMNS = ("label", "a", "b", "difference", "interval", "change", "verdict")


def _render_html(result: CompareResult, sections: list[dict[str, Any]]) -> str:
    from django.utils.translation import get_language

    from arrears.core.sim.compare import METRICS

    options = result.options
    rows = [
        (_("Strategy A"), result.strategies.get("A", "")),
        (_("Strategy B"), result.strategies.get("B", "")),
        (_("Seeds"), options.get("seeds", "")),
        (_("Borrowers"), options.get("borrowers", "")),
        (_("Simulated days"), options.get("days", "")),
        (_("Behaviour parameters"), ", ".join(options.get("params", []))),
        (_("Collectors"), options.get("agents", "")),
        (_("Calls per collector a day"), options.get("calls_per_agent", "")),
        (_("Bootstrap resamples"), options.get("resamples", "")),
    ]
    return _HTML.render(
        language="zh-Hans" if (get_language() or "").startswith("zh") else "en",
        title=_("Strategy comparison: A against B"),
        options_heading=_("Options"),
        options=rows,
        method=_(
            "Each seed runs A and B on the same borrowers with the same random numbers. A and B "
            "are the means per run over the seeds; the interval of B − A is a paired bootstrap "
            "over the seeds (percentile interval). A verdict names the better strategy only when "
            "the whole interval lies on one side of zero."
        ),
        sections=sections,
        columns=_COLUMNS,
        definitions_heading=_("What each measure means"),
        definitions=[(metric_label(m), metric_definition(m)) for m in METRICS],
    )
