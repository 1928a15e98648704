"""Trend charts (pyhotline.trends) and the period's bulletin part: data computed apart from drawing,
the charts checked on what they plot; --quarter / --year on the command line."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import pyhotline as ph  # noqa: E402
from pyhotline import charts, period as P, period_bulletin, period_load as L, trends  # noqa: E402
from pyhotline.figures import figures  # noqa: E402


@pytest.fixture(scope="module")
def rules():
    return ph.load_scheme("pingjiang")


@pytest.fixture(scope="module")
def trend(rules):
    return ph.trend_for("2024-05", scheme=rules)


def test_trend_months_of_the_sample(trend, rules):
    # February holds only part of its orders (the sample starts on 2月18日): left out
    assert [str(m) for m in trend["month"]] == ["2024-03", "2024-04", "2024-05"]
    assert trend["current"].tolist() == [False, False, True]
    assert trend["complete"].tolist() == [False, False, True]  # 3, 4 月: orders accepted in February are missing
    for month, row in zip(trend["month"], trend.itertuples()):
        report = ph.monthly_report(month, ph.load_month(month, scheme=rules), rules)
        assert row.requests == report.totals["requests"]
        assert row.due == report.evaluation["due"].sum() and row.on_time == report.evaluation["on_time"].sum()
    assert ph.trend_for("2024Q2", scheme=rules) is None  # a period's report carries its months


def test_trend_chart_plots_the_table(trend):
    ax = trends.trend_chart(trend)
    bars = ax.containers[0]
    assert [b.get_height() for b in bars] == [int(n) for n in trend["requests"]]
    assert [matplotlib.colors.to_hex(b.get_facecolor()) for b in bars] == [
        charts.SECONDARY.lower(), charts.SECONDARY.lower(), charts.PRIMARY.lower()]
    assert [bool(b.get_hatch()) for b in bars] == [True, True, False]
    rates = [a for a in ax.figure.axes if a is not ax][0]
    on_time, dissatisfied = rates.get_lines()
    assert list(on_time.get_ydata()) == [float(v) for v in trend["on_time_rate"]]
    assert list(dissatisfied.get_ydata()) == [float(v) for v in trend["dissatisfaction_rate"]]
    marks = [t for t in ax.texts if t.get_text() == "本月"]
    assert len(marks) == 1 and marks[0].xy[0] == 2
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2024年3月", "4月", "5月"]
    # the legend: the bars' key plain (the first month is hatched here), the hatch its own key
    legend = ax.get_legend()
    keys = dict(zip((t.get_text() for t in legend.get_texts()), legend.legend_handles))
    assert not keys["热线诉求总量"].get_hatch()
    assert matplotlib.colors.to_hex(keys["热线诉求总量"].get_facecolor()) == charts.SECONDARY.lower()
    assert keys["数据不全"].get_hatch() == "///"
    plt.close(ax.figure)


def test_group_trend_plots_each_group(rules):
    report = P.period_report("2024Q2", L.load_period("2024Q2", scheme=rules), rules)
    ax = trends.group_trend(report.groups)
    lines = {line.get_label(): list(line.get_ydata()) for line in ax.get_lines()}
    for group in rules.appendix_groups:
        expected = report.groups.loc[report.groups["group"] == group, "composite"]
        assert lines[group] == [float(v) for v in expected]
    plt.close(ax.figure)


def test_period_figures_and_sentence(rules):
    data = L.load_period("2024Q2", scheme=rules)
    report = P.period_report("2024Q2", data, rules)
    out = figures(report)
    assert out["month"] == "2024Q2" and out["period"]["kind"] == "quarter"
    assert sum(r["requests"] for r in out["period"]["by_month"]) == report.totals["requests"]
    assert out["period"]["previous_period"] is None
    assert "上期、上年同期数据不全，未作对比" in period_bulletin.comparison_sentence(report)
    covered = P.PeriodDataset(**{**data.__dict__, "covered": tuple(pd.period_range("2024-01", "2024-06", freq="M"))})
    report = P.period_report("2024Q2", covered, rules)
    previous = P.period_report("2024Q1", L.load_period("2024Q1", scheme=rules), rules).totals["requests"]
    change = report.totals["requests"] - previous
    sentence = period_bulletin.comparison_sentence(report)
    assert sentence.startswith(f"第二季度共受理热线诉求{report.totals['requests']}件，较上期（2024年第一季度）增加{change}件")
    assert "上年同期数据不全" in sentence


def test_cli_quarter_with_missing_months_warns(monkeypatch, capsys, tmp_path):
    from pyhotline import cli, runner

    ran = []
    monkeypatch.setattr(runner, "run_month", lambda month, **kw: ran.append(month) or tmp_path / month)
    assert cli.main(["bulletin", "--quarter", "2024Q1", "--out-dir", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "注意：2024Q1：2024Q1 中 2024-01 没有任何工单记录：第一季度各项数字只含已导入的月份" in err
    assert ran == ["2024Q1"]
    assert cli.main(["bulletin", "--year", "2024", "--out-dir", str(tmp_path)]) == 0
    assert ran[-1] == "2024"


def test_cli_period_arguments_are_checked(capsys):
    from pyhotline import cli

    assert cli.main(["bulletin", "--quarter", "2024-05"]) == 2
    assert "不是季度" in capsys.readouterr().err
    assert cli.main(["bulletin", "--year", "2024Q5"]) == 2
    assert "YYYYQn" in capsys.readouterr().err


def test_quarter_bulletin_end_to_end(tmp_path, capsys, rules):
    """`pyhotline bulletin --quarter 2024Q2`: outputs/2024Q2/ holds what a month's run holds, its figures
    are the quarter's."""
    import json

    from pyhotline import cli

    assert cli.main(["bulletin", "--quarter", "2024Q2", "--out-dir", str(tmp_path)]) == 0
    folder = tmp_path / "2024Q2"
    assert {"bulletin.pdf", "bulletin.html", "bulletin.docx", "evaluation.xlsx", "figures.json"} <= {p.name for p in folder.iterdir()}
    out = json.loads((folder / "figures.json").read_text(encoding="utf-8"))
    months = [ph.monthly_report(m, ph.load_month(m, scheme=rules), rules) for m in ("2024-04", "2024-05", "2024-06")]
    assert out["hotline"]["work_orders_accepted"] == sum(r.totals["work_orders"] for r in months)
    assert [r["month"] for r in out["period"]["by_month"]] == ["2024-04", "2024-05", "2024-06"]
    assert any("上期（2024Q1）的数据不全" in n for n in out["data_notes"])
    html = (folder / "bulletin.html").read_text(encoding="utf-8")
    assert "2024年第二季度平江县12345热线" in html and "第二季度各月趋势与对比" in html.replace("2024年第二季度各月", "第二季度各月")
    assert "注意：2024Q2：" in capsys.readouterr().err


def test_a_range_shares_the_trend_tables_each_month_would_count(rules, tmp_path):
    # bulletin --months counts every month's trend once (runner._shared_trends); each notebook reads its
    # month's table back, the same table trend_for counts on its own, cell for cell and type for type
    from pyhotline.store import prepared_store

    months = ["2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    with prepared_store() as (store, _):
        tables = trends.range_trends(store, months, rules)
        trends.write_shared_trends(tmp_path / "trends.json", tables)
        for month in months:
            own = ph.trend_for(month, store=store, scheme=rules)
            shared = ph.trend_for(month, store=store, scheme=rules, shared=tmp_path / "trends.json")
            for table in (tables[month], shared):
                pd.testing.assert_frame_equal(table, own)
                assert table.dtypes.tolist() == own.dtypes.tolist()
                assert [list(map(type, r)) for r in table.itertuples(index=False)] == [
                    list(map(type, r)) for r in own.itertuples(index=False)]
                assert trends.series_rows(table) == trends.series_rows(own)


def test_the_trend_counted_in_a_thread_is_trend_for(trend, rules):
    # the bulletin notebook starts it once the month's rows are read (trends.start_trend)
    pd.testing.assert_frame_equal(trends.start_trend("2024-05", scheme=rules).result(), trend)
    with pytest.raises(ph.PyhotlineError, match="不存在"):  # its error comes out of .result()
        trends.start_trend("2024-05", scheme=rules, store="/nonexistent/x.duckdb").result()
