"""The ranking step and the series parts on a quarter and a year (pyhotline.ranking.rank,
pyhotline.series.period_series): the same parts as a month, from the period's own table."""

from __future__ import annotations

import dataclasses
import shutil

import pandas as pd
import pytest

import pyhotline as ph
from pyhotline import period as P
from pyhotline import period_load as L
from pyhotline import ranking
from pyhotline.scheme import load_scheme
from pyhotline.series import period_series, text

from test_series import RANKING_ON, SERIES_ON


def _scheme(folder, extra_ranking: str = ""):
    bundled = load_scheme("pingjiang")
    shutil.copy(bundled.requirements_file, folder / bundled.requirements_file.name)
    body = bundled.path.read_text(encoding="utf-8").replace('unassessed_label = "无系统单位"\n', RANKING_ON + extra_ranking)
    path = folder / "series-on.toml"
    path.write_text(body + SERIES_ON, encoding="utf-8")
    return load_scheme(path)


@pytest.fixture(scope="module")
def scheme(tmp_path_factory):
    return _scheme(tmp_path_factory.mktemp("period-series"))


@pytest.fixture(scope="module")
def data():
    return {p: L.load_period(p, scheme=load_scheme("pingjiang")) for p in ("2024Q2", "2024")}


@pytest.fixture(scope="module")
def reports(scheme, data):
    return {p: P.period_report(p, d, scheme) for p, d in data.items()}


@pytest.mark.parametrize("period", ["2024Q2", "2024"])
def test_a_period_takes_the_same_ranking_step_as_a_month(reports, scheme, period):
    report = reports[period]
    table = report.evaluation
    ranks = ranking.rank(table, scheme, report.month)
    pd.testing.assert_frame_equal(report.composite_top, ranks.top)
    parts = report.series_parts
    # min_orders = 5 (应办理数 of the period's summed counts): the rest are set apart, never ranked
    rated = table.loc[table["composite"].notna()]
    assert set(parts.too_few["unit"]) == set(rated.loc[rated["due"] < 5, "unit"]) != set()
    assert set(parts.ranked["unit"]) == set(rated.loc[rated["due"] >= 5, "unit"])
    # 并列: equal 综合指标值 in a unit type share the rank, the next rank skips
    for group, part in parts.ranked.groupby("group"):
        for row in part.itertuples():
            assert row.rank == 1 + int((part["composite"] > row.composite).sum())
    # red list: every unit at rank <= 3 per type; black list: the 3 lowest overall, worst first
    assert set(parts.red_list["unit"]) == set(parts.ranked.loc[parts.ranked["rank"] <= 3, "unit"])
    lowest = sorted(parts.ranked["composite"])[:3]
    assert list(parts.black_list["composite"]) == lowest and "indicator" in parts.black_list


def test_quarter_ranking_parts_on_the_sample(reports):
    report = reports["2024Q2"]
    parts = report.series_parts
    assert parts.too_few["short"].tolist() == ["残联", "消防大队"]
    towns = report.composite_top.loc[report.composite_top["group"] == "乡镇(街道)"]
    assert towns[["short", "rank"]].values.tolist() == [["龙门镇", 1], ["向家镇", 2], ["童市镇", 3], ["大洲乡", 3]]
    basic = "".join(text.basic_paragraphs(report))
    assert basic.startswith("第二季度，乡镇（街道）A类21个、B类4个；县直单位A类24个。")
    assert "红榜（综合指标值排名前3位，相同分数排名不分先后）：乡镇（街道）：龙门镇、向家镇、童市镇、大洲乡" in basic
    assert "工单量不足5件，不参与排名：残联、消防大队。" in basic
    problems = "".join(text.problem_paragraphs(report))
    assert problems.startswith("黑榜（综合指标值排名后3位，相同分数排名不分先后）：加义镇（综合指标值87.6，失分最多的是返工率25%）")


def test_quarter_bulletin_html_and_figures_carry_the_parts(reports):
    from pyhotline import bulletin as bt
    from pyhotline.figures import figures

    report = reports["2024Q2"]
    assert "工单量不足5件，不参与排名" in bt.basic_html(report) and "黑榜" in bt.problems_html(report)
    assert "大洲乡" in bt.para_rankings(report) and "残联" not in bt.para_rankings(report)
    out = figures(report)["series"]
    assert out["ranking"]["min_orders"] == 5 and {"unit": "残联", "volume": 3} in out["ranking"]["too_few"]
    assert [u["unit"] for u in out["red_list"]["towns"]] == ["龙门镇", "向家镇", "童市镇", "大洲乡"]
    assert out["grade_counts"]["towns"] == {"A": 21, "B": 4, "C": 0, "D": 0, "unrated": 0}
    assert "follow_up" not in out and "below_top_grade" not in out  # monthly parts only
    note = "上期（2024Q1）的数据不全，不列与上期相比的等级变化"
    assert out["left_out"] == [note] and note in figures(report)["data_notes"]


def test_a_quarter_and_a_year_may_have_their_own_min_orders(tmp_path, data):
    scheme = _scheme(tmp_path, "quarter_min_orders = 40\nyear_min_orders = 0\n")
    quarter = P.period_report("2024Q2", data["2024Q2"], scheme)
    table = quarter.evaluation.loc[quarter.evaluation["composite"].notna()]
    assert quarter.series_parts.settings.min_orders == 40
    assert set(quarter.series_parts.too_few["unit"]) == set(table.loc[table["due"] < 40, "unit"])
    assert "工单量不足40件，不参与排名" in "".join(text.basic_paragraphs(quarter))
    year = P.period_report("2024", data["2024"], scheme)
    assert year.series_parts.too_few.empty and "不参与排名" not in "".join(text.basic_paragraphs(year))
    assert len(year.series_parts.ranked) == year.evaluation["composite"].notna().sum()  # all kept in the annual ranking
    month = ph.monthly_report("2024-05", ph.load_month("2024-05", scheme=scheme), scheme)
    assert month.series_parts.settings.min_orders == 5  # the month keeps ranking.min_orders


def test_grade_changes_against_the_previous_period_when_it_is_covered(scheme, data):
    quarter = P.parse_period("2024Q2")
    # the sample holds 2024-03 only of Q1: say the store covers Q1 to see the comparison itself
    covered = dataclasses.replace(data["2024Q2"], covered=(*data["2024Q2"].covered, *pd.period_range("2024-01", "2024-03", freq="M")))
    table = P.period_evaluation(covered.orders, covered.registry, quarter, scheme)
    before = P.period_evaluation(covered.orders, covered.registry, quarter - 1, scheme)
    parts = period_series(quarter, covered, scheme, table, ranking.rank(table, scheme, quarter))
    was, now = dict(zip(before["unit"], before["grade"])), dict(zip(table["unit"], table["grade"]))
    expected = {u for u, g in now.items() if g and was.get(u) and was[u] != g}
    assert set(parts.grade_changes["unit"]) == expected and expected
    for row in parts.grade_changes.itertuples():
        assert (row.from_grade, row.to_grade) == (was[row.unit], now[row.unit])
    report = dataclasses.replace(P.period_report(quarter, covered, scheme), series_parts=parts)
    assert "与上季度相比，考核等级发生变化的单位" in "".join(text.basic_paragraphs(report))
    assert parts.notes == ()


def test_year_over_year_of_a_period_is_its_comparison_with_a_year_earlier(scheme, data):
    quarter = P.parse_period("2024Q2")
    d = data["2024Q2"]
    table = P.period_evaluation(d.orders, d.registry, quarter, scheme)
    ago = P.comparison(d.orders, d.letters, quarter, quarter - 4, scheme)
    parts = period_series(quarter, d, scheme, table, ranking.rank(table, scheme, quarter), year_ago=ago)
    pd.testing.assert_frame_equal(parts.year_over_year, ago[parts.year_over_year.columns])
    report = dataclasses.replace(P.period_report(quarter, d, scheme), series_parts=parts)
    assert text.para_year_over_year(report).startswith("与上年同期相比，热线工单")


def test_the_bundled_scheme_adds_no_series_to_a_period(data):
    report = P.period_report("2024Q2", data["2024Q2"], load_scheme("pingjiang"))
    assert report.series_parts is None
    pd.testing.assert_frame_equal(report.composite_top, ranking.composite_ranking(report.evaluation, report.scheme))
