"""Explore on the store: the bulletin's figures, the orders behind them, the widgets driven by their callbacks."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest

import pyhotline as ph
from pyhotline.explore import FLAG_COLUMNS, FLAGS, Explorer, parse_period
from pyhotline.runner import ensure_kernel

ROOT = Path(__file__).resolve().parents[1]
MONTHS = ("2024-03", "2024-04", "2024-05", "2024-06")


@pytest.fixture(scope="module")
def explorer():
    x = Explorer()
    yield x
    x.close()


@pytest.fixture(scope="module")
def app(explorer):
    pytest.importorskip("ipywidgets")
    import matplotlib

    matplotlib.use("Agg")
    from pyhotline.explore_ui import ExploreApp

    return ExploreApp(explorer, period="2024-05")


def _report(month):
    return ph.monthly_report(month, ph.load_month(month), "pingjiang")


@pytest.mark.parametrize("month", MONTHS)
def test_overdue_per_unit_is_the_bulletins(explorer, month):
    """超期 / 无故超期 per unit: the bulletin's overdue table (open orders not due at the cut-off are not 超期)."""
    report = _report(month)
    summary = explorer.unit_summary(month)
    info = explorer.registry.info()
    label = summary["单位名称"].map(lambda u: info.at[u, "short"] if info.at[u, "assessed"] else report.scheme.unassessed_label)
    mine = summary.assign(label=label).groupby("label")[["超期", "无故超期"]].sum()
    mine = mine.loc[mine["超期"] > 0]
    theirs = report.overdue.set_index("label")[["overdue", "unjustified"]].rename(
        columns={"overdue": "超期", "unjustified": "无故超期"})
    assert mine.sort_index().astype(int).to_dict() == theirs.sort_index().astype(int).to_dict()
    assert int(summary["超期"].sum()) == report.overdue_total


@pytest.mark.parametrize("month", MONTHS)
def test_counts_rates_and_grades_are_the_appendix(explorer, month):
    report = _report(month)
    summary = explorer.unit_summary(month).set_index("单位名称")
    for row in report.evaluation.itertuples(index=False):
        mine = summary.loc[row.unit]
        assert (mine["受理案件数"], mine["应办理数"], mine["按期办理数"], mine["返工"], mine["不满意"]) == (
            row.accepted, row.due, row.on_time, row.reworked, row.dissatisfied)
        assert mine["综合指标值"] == row.composite and mine["等级评价"] == row.grade
        assert mine["按期办结率"] == row.on_time_rate


def test_violations_are_the_bulletins(explorer):
    report = _report("2024-05")
    summary = explorer.unit_summary("2024-05")
    assert int(summary["延期违规"].sum()) == int((report.violations["rule"] == "延期").sum())
    assert int(summary["回退违规"].sum()) == int((report.violations["rule"] == "回退").sum())


def test_the_orders_behind_each_figure(explorer):
    """Each unit's figure is the number of orders listed behind it."""
    summary = explorer.unit_summary("2024Q2").set_index("单位名称")
    for flag in FLAGS:
        for unit in summary.index[summary[flag] > 0][:5]:
            total, rows = explorer.orders("2024Q2", unit=unit, flags=[flag], limit=None)
            assert total == len(rows) == summary.at[unit, flag]
            assert rows["标记"].str.contains(flag).all() and set(rows["承办单位"]) == {unit}


def test_a_quarter_is_the_sum_of_its_months(explorer):
    quarter = explorer.unit_summary("2024Q2").set_index("单位名称")
    months = sum(explorer.unit_counts(m) for m in ("2024-04", "2024-05", "2024-06"))
    assert (quarter["超期"] == months["overdue"].reindex(quarter.index).fillna(0)).all()
    assert parse_period("2024Q2").months[-1] == parse_period("2024-06").months[0]


def test_unit_trend_matches_each_months_appendix(explorer):
    trend = explorer.unit_trend("住建局").set_index("月份")
    for month in MONTHS:
        row = _report(month).evaluation.set_index("unit").loc["平江县住建局"]
        assert trend.at[month, "综合指标值"] == row["composite"] and trend.at[month, "应办理数"] == row["due"]


def test_the_store_is_read_lazily_the_months_asked_for():
    import pandas as pd

    x = Explorer()
    try:
        assert x._cubes == {} and x.months[0] == pd.Period("2024-02", "M")  # opening: no counts queried
        x.unit_summary("2024-05")
        assert set(x._cubes) == {"2024-05"}
        one = x.unit_trend("住建局")  # a unit over months not queried: its own orders only, nothing kept
        assert set(x._cubes) == {"2024-05"}
        whole = x.cube  # every month, kept
        assert set(x._cubes) == {str(m) for m in x.months}
        pd.testing.assert_frame_equal(one, x.unit_trend("住建局"))
        assert int(whole["due"].sum()) == sum(int(x.unit_counts(m)["due"].sum()) for m in x.months)
    finally:
        x.close()


def test_the_unit_page_is_computed_when_shown(explorer):
    from pyhotline.explore_ui import ExploreApp

    app = ExploreApp(explorer, period="2024-05", unit="住建局")
    assert app.trend.frame.empty and app._trend_stale
    app.tabs.selected_index = 1
    assert list(app.trend.frame["月份"]) == ["2024-02", "2024-03", "2024-04", "2024-05"]
    app.period.value = "2024-04"  # shown: refreshed at once
    assert list(app.trend.frame["月份"]) == ["2024-02", "2024-03", "2024-04"]


def test_widgets_drive_the_tables(app):
    assert app.status.value == "筛选出 2040 件工单"
    app.unit.value = "平江县住建局"
    assert set(app.summary.frame["单位名称"]) == {"平江县住建局"}
    app.tabs.selected_index = 1  # the unit page
    assert list(app.trend.frame["月份"]) == ["2024-02", "2024-03", "2024-04", "2024-05"]
    app.flags["超期"].value = True
    expected = int(app.summary.frame["超期"].iloc[0])
    assert app.orders_total == len(app.orders.frame) == expected > 0
    app.orders.sort_by.value = "办理时限"
    app.orders.descending.value = False
    assert app.orders.frame["办理时限"].is_monotonic_increasing
    app.flags["超期"].value = False
    app.unit.value = "全部"
    app.group.value = "乡镇(街道)"
    assert set(app.summary.frame["单位类型"]) == {"乡镇(街道)"}
    assert all(u in app.x.unit_names("乡镇(街道)") for u in app.unit.options[1:])
    app.summary.sort_by.value = "综合指标值"
    app.summary.descending.value = True
    rated = [v for v in app.summary.frame["综合指标值"] if v is not None]
    assert rated == sorted(rated, reverse=True) and app.summary.frame["综合指标值"].iloc[-1] is None or rated
    app.period.value = "2024Q2"
    assert app.letter_units.frame["来信数"].sum() == int(app.letters.caption.value.split()[1])
    app.group.value = "全部"


def _personal_values():
    values = set()
    with open(ROOT / "data" / "sample" / "orders.csv", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            values |= {row["联系电话"], row["诉求内容"]}
    return values


def test_no_personal_data_in_any_table(app):
    personal = _personal_values()
    app.period.value = "全部"
    shown = " ".join(t.body.value for t in app.tables.values())
    assert "来电人" not in shown and "联系电话" not in shown and "诉求内容" not in shown
    assert not any(v and v in shown for v in personal)


def test_explore_notebook_shows_charts_not_axes_text(tmp_path):
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "explore.ipynb"), str(out),
        parameters={"month": "2024Q2", "unit": "住建局", "flags": ["无故超期"]},
        kernel_name=ensure_kernel(), progress_bar=False, cwd=str(tmp_path),
    )
    nb = nbformat.read(str(out), as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    text = json.dumps(outputs, ensure_ascii=False)
    assert "<Axes" not in text and "Glyph" not in text and "Traceback" not in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3
    assert "无故超期工单" in text and "平江县住建局" in text
    assert not any(c.cell_type == "code" and "def " in c.source for c in nb.cells)
    # the static tables print as the widget's (stranger finding 14): no NaN/None/NaT, rates with %, letters' 超期;
    # one rank chart per unit type
    snapshot = next(c for c in nb.cells if c.cell_type == "code" and "app.snapshot()" in c.source)
    shown = "".join(o.get("data", {}).get("text/html", "") for o in snapshot.outputs)
    assert shown and not re.search(r">(NaN|None|NaT|<NA>)<", shown), shown[:500]
    assert re.search(r"<td>\d+(\.\d+)?%</td>", shown) and "<th>超期</th>" in shown
    appendix = next(c for c in nb.cells if c.cell_type == "code" and "explorer.appendix(" in c.source)
    shown = "".join(o.get("data", {}).get("text/html", "") for o in appendix.outputs)
    assert "<th>综合指标值</th>" in shown and "<th></th>" not in shown  # 附件1's columns, no bare pandas index
    rank = next(c for c in nb.cells if c.cell_type == "code" and "composite_rank" in c.source)
    groups = ph.load_scheme().appendix_groups
    assert sum("image/png" in o.get("data", {}) for o in rank.outputs) == len(groups) == 2


@pytest.mark.parametrize("month", MONTHS)
def test_the_bulletins_tables_from_the_store_are_the_bulletins(explorer, month):
    import pandas as pd

    report = _report(month)
    pd.testing.assert_frame_equal(explorer.evaluation(month), report.evaluation)
    pd.testing.assert_frame_equal(explorer.appendix(month), report.appendix())
    pd.testing.assert_frame_equal(explorer.category_table(month), report.categories, check_dtype=False)
    assert explorer.totals(month) == report.totals


def test_the_trend_counted_in_duckdb_is_the_monthly_series():
    import pandas as pd

    from pyhotline import period as P, trends
    from pyhotline.store import memory_store, import_oneoff

    scheme = ph.load_scheme("pingjiang")
    months = [pd.Period(m, "M") for m in MONTHS]
    data = ph.load_month("2024-06", scheme=scheme, history=4)
    expected = P.monthly_series(data.orders, data.registry, months, scheme)
    with memory_store() as con:
        import_oneoff(con, scheme=scheme)
        got = trends.store_series(con, months, scheme)
    pd.testing.assert_frame_equal(got, expected)


def _may_orders_in(category_part, direct=False):
    """The sample's May orders given to a unit whose 事件分类 holds ``category_part``, counted from the raw file."""
    import collections

    counts = collections.Counter()
    with open(ROOT / "data" / "sample" / "orders.csv", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row["受理时间"].startswith("2024-05") and category_part in row["事件分类"] and bool(row["承办单位"]) != direct:
                counts[row["承办单位"]] += 1
    return counts


def test_a_category_filter_counts_the_orders_of_that_category(explorer):
    """Choosing a category (or a few of its characters) filters every table: it crashed on pandas 3."""
    expected = _may_orders_in("市场")
    summary = explorer.unit_summary("2024-05", category="市场")
    assert int(summary["受理案件数"].sum()) == sum(expected.values()) > 0
    assert set(summary.loc[summary["受理案件数"] > 0, "单位名称"]) <= set(explorer.registry.info().index)
    total, orders = explorer.orders("2024-05", category="市场")  # every order, the directly handled too; 200 shown
    assert total == sum(expected.values()) + _may_orders_in("市场", direct=True)[""] and 0 < len(orders) <= total
    assert orders["事件分类"].str.contains("市场", regex=False).all()
    assert explorer.unit_summary("2024-05", category="没有这个分类的字")["受理案件数"].sum() == 0
    trend = explorer.unit_trend(None, period="2024-05", category="市场")
    assert int(trend.loc[trend["月份"] == "2024-05", "受理案件数"].iloc[0]) == sum(expected.values())


def test_the_category_widget_filters_the_tables(app):
    app.category.value = next(c for c in app.x.categories if "市场" in c)
    assert app.summary.frame["受理案件数"].sum() < app.x.unit_summary("2024-05")["受理案件数"].sum()
    assert "Traceback" not in app.status.value
    app.category.value = app.category.options[0]


def test_explore_notebook_runs_with_a_category(tmp_path):
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "explore.ipynb"), str(out), parameters={"month": "2024-05", "category": "市场"},
        kernel_name=ensure_kernel(), progress_bar=False, cwd=str(tmp_path),
    )
    text = json.dumps([o for c in nbformat.read(str(out), as_version=4).cells for o in c.get("outputs", [])],
                      ensure_ascii=False)
    assert "Traceback" not in text and "平江县市场监督管理局" in text
