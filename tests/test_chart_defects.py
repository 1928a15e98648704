"""Stranger-review defects of the charts."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from pyhotline import charts  # noqa: E402


@pytest.mark.parametrize("bars, assessed", [(1, True), (2, True), (3, False), (15, True)])
def test_overdue_legend_does_not_overlap_the_x_label(bars, assessed):
    frame = pd.DataFrame({
        "label": [f"单位{i}" for i in range(bars)], "overdue": [3] * bars, "unjustified": [1] * bars,
        "assessed": [assessed] * bars, "group": ["县直单位"] * bars,
    })
    ax = charts.overdue_bar(frame)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    label = ax.xaxis.label.get_window_extent(renderer)
    ticks = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    assert not legend.overlaps(label)
    assert not any(legend.overlaps(t) for t in ticks)
    assert legend.y1 < label.y0 and legend.y0 >= fig.bbox.y0  # below the label, inside the figure
    matplotlib.pyplot.close(fig)
