"""The `/status` chart: a unit's tasks by status category and its reporting rate over recent
periods, as a PNG sized for a phone screen.

matplotlib's object API with the Agg canvas (no pyplot and its global state), so a chart can be
drawn in a worker thread while the event loop carries on. DejaVu Sans, which ships with
matplotlib, has every Vietnamese glyph.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.i18n import Translator
from storage.status import CATEGORY_LABELS, Category, Tally

COLORS = {
    Category.completed_on_time: "#2e7d32",
    Category.completed_late: "#9ccc65",
    Category.open_within_deadline: "#1e88e5",
    Category.open_overdue: "#e53935",
    Category.not_started: "#9e9e9e",
}
# 720 × 900 pixels: a phone screen's width, legible without zooming.
SIZE_INCHES = (8.0, 10.0)
DPI = 90
STYLE = {"font.family": "DejaVu Sans", "font.size": 13}


def status_chart(
    t: Translator, title: str, tally: Tally, rates: Sequence[tuple[str, float | None]]
) -> bytes:
    """A PNG: tasks per category (bars with counts), then the reporting rate per period."""
    with matplotlib.rc_context(STYLE):
        # Fixed positions, not a layout engine: that would double the drawing time.
        figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
        FigureCanvasAgg(figure)
        figure.suptitle(title, fontsize=16, fontweight="bold", y=0.98)
        _categories(figure.add_axes((0.38, 0.44, 0.56, 0.46)), t, tally)
        _rates(figure.add_axes((0.04, 0.05, 0.92, 0.28)), t, rates)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def render_status_chart(
    t: Translator, title: str, tally: Tally, rates: Sequence[tuple[str, float | None]]
) -> bytes:
    """`status_chart` in a worker thread: drawing takes tens of milliseconds of CPU."""
    return await asyncio.to_thread(status_chart, t, title, tally, rates)


def _categories(axes: Axes, t: Translator, tally: Tally) -> None:
    order = list(reversed(Category))  # first category on top
    counts = [tally.counts[c] for c in order]
    bars = axes.barh(
        [t(CATEGORY_LABELS[c]) for c in order], counts, color=[COLORS[c] for c in order]
    )
    axes.bar_label(bars, labels=[t.number(n) for n in counts], padding=4)
    axes.set_title(
        t.ngettext("{n} task", "{n} tasks", tally.total).format(n=t.number(tally.total)),
        loc="left",
    )
    axes.set_xlim(0, max(counts, default=0) * 1.15 + 1)
    axes.xaxis.set_visible(False)
    axes.spines[["top", "right", "bottom"]].set_visible(False)


def _rates(axes: Axes, t: Translator, rates: Sequence[tuple[str, float | None]]) -> None:
    labels = [label for label, _ in rates]
    values = [100 * rate if rate is not None else 0 for _, rate in rates]
    bars = axes.bar(labels, values, color="#1e88e5")
    axes.bar_label(
        bars, labels=[t.percent(rate) if rate is not None else "—" for _, rate in rates], padding=3
    )
    axes.set_title(t("Reporting rate"), loc="left")
    axes.set_ylim(0, 115)
    axes.yaxis.set_visible(False)
    axes.spines[["top", "right", "left"]].set_visible(False)
