"""The comparison's pictures: recovery curves and roll-rate matrices as PNG files.

Matplotlib with the Agg backend (no display). Labels go through gettext, so a Chinese user gets
Chinese axes; Chinese needs a CJK font, which is used when one is installed (Debian's
fonts-wqy-zenhei, which `make browser` installs, or Noto CJK) and silently skipped when not.
"""

from __future__ import annotations

import functools
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import polars as pl
from django.utils.translation import gettext as _
from matplotlib import font_manager
from matplotlib.ticker import MaxNLocator

from arrears.core.sim.compare import bucket_order

#: CJK families, tried in order for the characters DejaVu Sans (matplotlib's default) lacks.
CJK_FAMILIES: tuple[str, ...] = (
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)
#: One colour per arm, readable by the colour-blind (Okabe–Ito blue and vermilion).
ARM_COLOURS: dict[str, str] = {"A": "#0072B2", "B": "#D55E00"}
DPI = 110


@functools.cache
def installed_cjk_families() -> tuple[str, ...]:
    """The CJK families of `CJK_FAMILIES` that this machine has."""
    found = _known_cjk(font_manager.fontManager.ttflist)
    if not found:  # matplotlib's font cache predates a font installed since: look on disk
        for path in font_manager.findSystemFonts():
            if _CJK_FILES.search(Path(path).name):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = _known_cjk(font_manager.fontManager.ttflist)
    return found


_CJK_FILES = re.compile(r"wqy|NotoSansCJK|NotoSerifCJK|SourceHanSans|DroidSansFallback", re.I)


def _known_cjk(fonts: list[font_manager.FontEntry]) -> tuple[str, ...]:
    names = {font.name for font in fonts}
    return tuple(family for family in CJK_FAMILIES if family in names)


@contextmanager
def _style() -> Iterator[None]:
    """Fonts with CJK fallback; the warnings about a missing glyph (no CJK font installed: the
    figure is still written, with boxes for the Chinese characters) and font weights are
    silenced, as the plots are written for a file, not a person at a terminal."""
    families = ["DejaVu Sans", *installed_cjk_families()]  # Latin in DejaVu, CJK falls back
    # a list of families (not the generic "sans-serif") is what matplotlib falls back along
    settings: dict[Any, Any] = {"font.family": families, "axes.unicode_minus": False}
    fonts_log = logging.getLogger("matplotlib.font_manager")
    level = fonts_log.level
    fonts_log.setLevel(logging.ERROR)  # "Failed to find font weight normal" for WenQuanYi
    try:
        with matplotlib.rc_context(settings), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
            warnings.filterwarnings("ignore", message=r"Matplotlib currently does not support")
            yield
    finally:
        fonts_log.setLevel(level)


def recovery_plot(curves: pl.DataFrame, path: Path, *, title: str | None = None) -> Path:
    """Cumulative recovery by day, one line per arm (column `arm`, else one line), with the band
    between the lowest and highest seed. `curves` as from `core.sim.compare.recovery_curves`."""
    if "arm" not in curves.columns:
        curves = curves.with_columns(pl.lit("").alias("arm"))
    with _style():
        figure, axes = plt.subplots(figsize=(8, 4.5), layout="constrained")
        try:
            for arm in curves.get_column("arm").unique(maintain_order=True).to_list():
                part = curves.filter(pl.col("arm") == arm).sort("day")
                day = part.get_column("day").to_numpy()
                colour = ARM_COLOURS.get(arm)
                axes.plot(day, 100 * part.get_column("mean").to_numpy(), label=arm or None,
                          color=colour, linewidth=2)  # fmt: skip
                axes.fill_between(
                    day,
                    100 * part.get_column("low").to_numpy(),
                    100 * part.get_column("high").to_numpy(),
                    color=colour,
                    alpha=0.2,
                    linewidth=0,
                )
            axes.set_title(title or _("Recovery: money collected over what the delinquent owed"))
            axes.set_xlabel(_("Simulated day"))
            axes.set_ylabel(_("Collected (percent of what the delinquent owed at the start)"))
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            axes.grid(alpha=0.3)
            if axes.get_legend_handles_labels()[0]:
                axes.legend(title=_("Strategy"))
            figure.savefig(path, dpi=DPI, format="png")
        finally:
            plt.close(figure)
    return path


def roll_matrix_plot(matrix: pl.DataFrame, path: Path, *, title: str | None = None) -> Path:
    """The roll-rate matrix as a heat map: rows the bucket at the start, columns the bucket at
    the end, each cell the share of the row's accounts (and their count). `matrix` as from
    `core.sim.compare.roll_matrix`."""
    buckets = bucket_order(
        matrix.get_column("start_bucket").to_list() + matrix.get_column("end_bucket").to_list()
    )
    starts = ends = buckets  # a square matrix: the diagonal is "stayed in its bucket"
    shares = np.zeros((len(starts), len(ends)))
    counts = np.zeros((len(starts), len(ends)), dtype=np.int64)
    for start, end, accounts, share in matrix.select(
        "start_bucket", "end_bucket", "accounts", "share"
    ).iter_rows():
        shares[starts.index(start), ends.index(end)] = share
        counts[starts.index(start), ends.index(end)] = accounts
    with _style():
        size = (1.2 + 0.9 * max(len(ends), 2), 1.2 + 0.7 * max(len(starts), 2))
        figure, axes = plt.subplots(figsize=size, layout="constrained")
        try:
            image = axes.imshow(shares, cmap="Blues", vmin=0, vmax=1, aspect="auto")
            axes.set_xticks(range(len(ends)), ends)
            axes.set_yticks(range(len(starts)), starts)
            for row in range(len(starts)):
                for column in range(len(ends)):
                    if counts[row, column]:
                        dark = shares[row, column] > 0.6
                        cell = f"{shares[row, column]:.0%}\n{counts[row, column]:,}"
                        axes.text(column, row, cell, ha="center", va="center", fontsize=8,
                                  color="white" if dark else "black")  # fmt: skip
            axes.set_title(title or _("Roll rates"))
            axes.set_xlabel(_("Bucket at the end"))
            axes.set_ylabel(_("Bucket at the start"))
            figure.colorbar(image, ax=axes, label=_("Share of the row's accounts"))
            figure.savefig(path, dpi=DPI, format="png")
        finally:
            plt.close(figure)
    return path
