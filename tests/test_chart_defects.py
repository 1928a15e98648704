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


def test_one_spelling_of_a_unit_type_everywhere(pj_scheme):
    import pyhotline as ph
    from pyhotline.bulletin import appendix_html

    report = ph.monthly_report("2024-05", ph.load_dataset(), pj_scheme)
    assert "乡镇（街道）" in appendix_html(report) and "乡镇(街道)" not in appendix_html(report)
    ax = charts.overdue_bar(report.overdue)
    shown = [t.get_text() for t in ax.texts]
    assert "乡镇（街道）" in shown and "乡镇(街道)" not in shown
    assert charts.composite_rank(report.evaluation, group="乡镇(街道)").get_title().startswith("乡镇（街道）")
    matplotlib.pyplot.close("all")
