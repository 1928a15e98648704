"""Long 事件分类 names: chart labels cut at 28 display units with "…", full names everywhere else, one
data-quality warning for all of them (issue 10, second-county polish). The tests read the plotted tick
labels and sizes, not images."""

from __future__ import annotations

import dataclasses
import json

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import pyhotline as ph  # noqa: E402
from pyhotline import charts  # noqa: E402
from pyhotline.bulletin import bulletin_chart, quality_warnings  # noqa: E402
from pyhotline.bulletin_text import para_work_orders  # noqa: E402
from pyhotline.figures import figures  # noqa: E402
from pyhotline.numbers import chart_label, display_width  # noqa: E402

LONG = "农村集体经济组织成员资格认定及土地承包经营权流转纠纷"  # 26 characters: kept under 30, cut in charts
LONGER = "城市管理综合行政执法类：占道经营、违规停车及夜间施工噪音扰民投诉"  # over 30
HUGE = "超" * 10_000


def yticks(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


@pytest.mark.parametrize("name, expected", [
    ("市场管理类", "市场管理类"),
    ("一二三四五六七八九十一二三四", "一二三四五六七八九十一二三四"),  # 14 CJK = 28 units: fits
    ("一二三四五六七八九十一二三四五", "一二三四五六七八九十一二三…"),  # 30 units: 13 kept + …
    ("x" * 28, "x" * 28),
    ("x" * 29, "x" * 27 + "…"),
    ("A类" + "甲" * 20, "A类" + "甲" * 12 + "…"),  # A 1 + 类 2 + 12 × 2 = 27, + … 1 = 28
])
def test_chart_label_cuts_at_28_display_units(name, expected):
    assert chart_label(name) == expected
    assert display_width(chart_label(name)) <= 28


def test_display_width_counts_wide_characters_twice():
    assert display_width("abc") == 3 and display_width("平江") == 4 and display_width("（）") == 4


def _report_with(categories: dict[str, str]):
    """The sample's May with some categories renamed (old name -> new name)."""
    data = ph.load_dataset()
    orders = data.orders.copy()
    orders["category"] = orders["category"].replace(categories)
    return ph.monthly_report("2024-05", dataclasses.replace(data, orders=orders))


@pytest.fixture(scope="module")
def long_report():
    plain = ph.monthly_report("2024-05", ph.load_dataset())
    names = list(plain.categories["category"])
    return _report_with({names[0]: HUGE, names[1]: LONGER, names[2]: LONG})


def test_bulletin_charts_draw_cut_labels(long_report):
    ax, _ = bulletin_chart(long_report, "categories")
    ticks = yticks(ax)
    assert ticks[:3] == [chart_label(HUGE), chart_label(LONGER), chart_label(LONG)]
    assert ticks[0] == "超" * 13 + "…" and ticks[2].endswith("…")
    assert all(display_width(t) <= 28 for t in ticks)
    plt.close("all")
    if long_report.month_over_month is not None:
        ax, _ = bulletin_chart(long_report, "month_over_month")
        assert all(display_width(t) <= 28 for t in yticks(ax))
        assert chart_label(HUGE) in yticks(ax)
        plt.close("all")


def test_a_10000_character_category_leaves_the_chart_as_wide_as_usual(long_report):
    plain = ph.monthly_report("2024-05", ph.load_dataset())
    boxes = []
    for report in (plain, long_report):
        ax, _ = bulletin_chart(report, "categories")
        fig = ax.figure
        fig.canvas.draw()
        boxes.append((tuple(fig.get_size_inches()), ax.get_position().width))
        plt.close(fig)
    (size_plain, width_plain), (size_long, width_long) = boxes
    assert size_long == size_plain  # same figure
    assert width_long > 0.5 and width_long > width_plain - 0.25  # the bars keep most of the width


def test_full_names_kept_in_text_and_figures(long_report):
    text = para_work_orders(long_report)
    assert HUGE in text and LONGER in text
    payload = figures(long_report)
    names = [c["category"] for c in payload["hotline"]["categories"]]
    assert names[:3] == [HUGE, LONGER, LONG]
    json.dumps(payload, ensure_ascii=False)


def test_one_warning_for_all_long_categories(long_report):
    warnings = [w for w in quality_warnings(long_report) if "事件分类" in w]
    assert len(warnings) == 1
    (warning,) = warnings
    assert "2个" in warning and "30" in warning  # HUGE and LONGER; LONG has 26 characters
    assert len(warning) < 200 and chart_label(HUGE) in warning  # bounded: the example as the chart shows it
    assert sum(w.count("事件分类") for w in figures(long_report)["data_notes"]) == 1


def test_no_warning_when_every_category_is_short():
    report = ph.monthly_report("2024-05", ph.load_dataset())
    assert not any("事件分类" in w for w in quality_warnings(report))


def test_category_bar_with_many_long_names_keeps_one_label_per_row():
    import pandas as pd
    from decimal import Decimal

    cats = pd.DataFrame({"category": [f"{i}" + "长" * 40 for i in range(12)], "count": list(range(12, 0, -1)),
                         "share": [Decimal("1.00")] * 12, "total": 78})
    ax = charts.category_bar(cats, top=None)
    assert len(yticks(ax)) == 12 and all(t.endswith("…") and display_width(t) <= 28 for t in yticks(ax))
    plt.close("all")
