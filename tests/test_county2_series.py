"""云溪县 (tests/county2/, its own generator and scheme) over periods and months in a row: issue 12 item 8
on the second county. Its quarter 2024Q1 is the sum of its months with rates recomputed, its grade changes
are those of its monthly tables, under its own grade names (优秀/良好/合格/不合格), all against the
independent computation of tests/county2/expected.py."""

from __future__ import annotations

import dataclasses

import pytest

import pyhotline as ph
from pyhotline import period as P
from pyhotline import period_load as L
from pyhotline.series import text

from county2.expected import GRADES, evaluation, printed
from county2.generate import generate

Q1 = [(2024, 1), (2024, 2), (2024, 3)]


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("yunxi-series"))


@pytest.fixture(scope="module")
def rules(county):
    return ph.load_scheme(county.scheme_file)


@pytest.fixture(scope="module")
def store(county, rules):
    from pyhotline.store import import_files

    path = county.folder / "store" / "yunxi.duckdb"
    import_files(path, orders=[county.orders_file], units=[county.units_file], letters=[county.letters_file],
                 scheme=rules)
    return path


@pytest.fixture(scope="module")
def quarter(store, rules):
    return P.period_report("2024Q1", L.load_period("2024Q1", store=store, scheme=rules), rules)


def test_the_quarter_is_its_months_summed_with_rates_recomputed(county, quarter):
    assert quarter.appendix().values.tolist() == printed(evaluation(county, Q1))


def test_grade_changes_month_to_month_are_those_of_the_monthly_tables(county, store, rules):
    report = ph.monthly_report("2024-03", ph.load_month("2024-03", store=store, scheme=rules, history=1), rules)
    before = {r["部门名称"]: r["等级评价"] for r in evaluation(county, [(2024, 2)])}
    now = {r["部门名称"]: r["等级评价"] for r in evaluation(county, [(2024, 3)])}
    expected = {(u, before[u], g) for u, g in now.items() if g and before.get(u) and before[u] != g}
    changes = report.series_parts.grade_changes
    assert {(r.unit, r.from_grade, r.to_grade) for r in changes.itertuples()} == expected and expected
    assert set(changes["from_grade"]) | set(changes["to_grade"]) <= {g[0] for g in GRADES}
    said = "".join(text.basic_paragraphs(report))
    assert f"较上月考评等级有变动的单位共{len(expected)}个：" in said and "”变为“" in said  # its own wording


def test_the_quarters_series_parts_under_its_own_grade_names(county, quarter):
    parts = quarter.series_parts
    rows = evaluation(county, Q1)
    for group in ("镇街", "县直部门"):
        counts = parts.grade_counts.set_index("group").loc[group]
        for name, _, _ in GRADES:
            assert counts[name] == sum(r["单位类型"] == group and r["等级评价"] == name for r in rows)
    assert "第一季度，县直部门" in "".join(text.basic_paragraphs(quarter))
    # 2023Q4 is not in the store whole (the export starts on 2023-12-01): no grade changes, said why
    assert parts.grade_changes is None and "上期（2023Q4）的数据不全，不列与上期相比的等级变化" in parts.notes
    assert parts.below_top is None and parts.follow_up is None  # monthly parts only


def test_the_quarters_ranking_rules(county, store, rules):
    ranked_rules = dataclasses.replace(rules, raw={**rules.raw, "ranking": {**rules.raw["ranking"], "min_orders": 3,
                                                                            "quarter_min_orders": 12, "ties": "share",
                                                                            "red_list": 2}})
    report = P.period_report("2024Q1", L.load_period("2024Q1", store=store, scheme=ranked_rules), ranked_rules)
    rows = [r for r in evaluation(county, Q1) if r["综合指标值"] is not None]
    few = {r["部门名称"] for r in rows if r["应办理数"] < 12}
    assert set(report.series_parts.too_few["unit"]) == few and few
    for row in report.series_parts.ranked.itertuples():
        peers = [r["综合指标值"] for r in rows if r["单位类型"] == row.group and r["应办理数"] >= 12]
        assert row.rank == 1 + sum(p > row.composite for p in peers)
    assert "工单量不足12件，不参与排名" in "".join(text.basic_paragraphs(report))


def test_units_below_the_top_grade_two_months_running_are_those_of_the_monthly_tables(county, store, rules):
    """continuity.months = 2 in its scheme: the units below 优秀 in both 2024-02 and 2024-03, as its
    independent monthly tables grade them, said in its own words, and last month's follow-up present."""
    report = ph.monthly_report("2024-03", ph.load_month("2024-03", store=store, scheme=rules, history=1), rules)
    top = GRADES[0][0]
    graded = [{r["部门名称"]: r["等级评价"] for r in evaluation(county, [m])} for m in [(2024, 2), (2024, 3)]]
    expected = {u for u in graded[1] if all(g.get(u) not in (None, top) for g in graded)}
    streak = report.series_parts.below_top
    assert set(streak["unit"]) == expected and expected
    assert all((graded[0][u], graded[1][u]) == tuple(g) for u, g in zip(streak["unit"], streak["grades"]))
    said = "".join(text.problem_paragraphs(report))
    assert f"连续2个月未评为“{top}”的单位{len(expected)}个：" in said
    assert "上月点名的" in said and "本月仍有问题" in said  # last month's follow-up, its own wording
