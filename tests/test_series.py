"""The bulletin series on small hand-made frames: continuity, ranking rules, 同比, settings."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pandas as pd
import pytest

from pyhotline.errors import SchemeError
from pyhotline.scheme import load_scheme
from pyhotline.series import continuity, ranking, series_settings, yoy
from pyhotline.series.settings import SeriesSettings

from conftest import order

D = Decimal


@pytest.fixture(scope="module")
def scheme():
    return load_scheme("pingjiang")


def _with(scheme, **tables):
    raw = dict(scheme.raw)
    for name, values in tables.items():
        raw[name] = {**raw.get(name, {}), **values}
    return dataclasses.replace(scheme, raw=raw)


def evaluation(rows):
    """rows: (group, unit, composite or None, grade or None, due[, rates]) in the appendix's order."""
    out = []
    for position, row in enumerate(rows):
        group, unit, composite, grade, due = row[:5]
        rates = row[5] if len(row) > 5 else (D("100"), D("100"), D("0"), D("0"))
        out.append({
            "group": group, "unit": unit, "short": unit, "position": position, "accepted": due, "due": due,
            "handled": due, "completion_rate": rates[0], "on_time_rate": rates[1], "rework_rate": rates[2],
            "dissatisfaction_rate": rates[3], "composite": None if composite is None else D(composite), "grade": grade,
        })
    return pd.DataFrame(out)


T, C = "乡镇(街道)", "县直单位"


# ---------------------------------------------------------------- settings
def test_the_bundled_scheme_turns_every_part_off(scheme):
    settings = series_settings(scheme)
    assert settings == SeriesSettings()
    assert not settings.any and settings.history == 0


def test_settings_are_read_and_checked(scheme):
    on = _with(scheme, continuity={"grade_changes": True, "months": 3}, ranking={"min_orders": 10, "ties": "share"},
               year_over_year={"enabled": True})
    settings = series_settings(on)
    assert (settings.grade_changes, settings.low_months, settings.min_orders, settings.ties) == (True, 3, 10, "share")
    assert settings.history == 2 and settings.year_over_year
    for bad in ({"continuity": {"months": 1}}, {"continuity": {"grade_changes": "yes"}},
                {"ranking": {"ties": "random"}}, {"ranking": {"min_orders": -1}},
                {"ranking": {"black_list_scope": "county"}}):
        with pytest.raises(SchemeError):
            series_settings(_with(scheme, **bad))


# ---------------------------------------------------------------- continuity
def test_grade_changes_from_to_and_direction(scheme):
    april = evaluation([(C, "甲局", "95", "A", 5), (C, "乙局", "86", "B", 5), (C, "丙局", None, None, 0),
                        (T, "一镇", "81", "C", 3), (T, "二镇", "92", "A", 3)])
    may = evaluation([(C, "乙局", "91", "A", 5), (C, "甲局", "88", "B", 5), (C, "丙局", "70", "D", 2),
                      (T, "一镇", "82", "C", 3), (T, "二镇", "79", "D", 3)])
    changes = continuity.grade_changes(april, may, scheme)
    # narrative order: 乡镇 first; 丙局 was unrated in April: no change to name; 一镇 stayed C
    assert changes[["unit", "from_grade", "to_grade", "direction"]].values.tolist() == [
        ["二镇", "A", "D", "降"], ["乙局", "B", "A", "升"], ["甲局", "A", "B", "降"]]


def test_below_top_grade_months_in_a_row(scheme):
    march = evaluation([(C, "甲局", "88", "B", 5), (C, "乙局", "86", "B", 5), (C, "丙局", "80", "C", 5)])
    april = evaluation([(C, "甲局", "85", "B", 5), (C, "乙局", "95", "A", 5), (C, "丙局", None, None, 0)])
    may = evaluation([(C, "甲局", "82", "C", 5), (C, "乙局", "87", "B", 5), (C, "丙局", "70", "D", 5)])
    low = continuity.below_top([march, april, may], scheme, 3)
    assert low["unit"].tolist() == ["甲局"] and low["grades"].tolist() == [("B", "B", "C")]
    assert continuity.below_top([april, may], scheme, 2)["unit"].tolist() == ["甲局"]  # 丙局 unrated in April
    assert continuity.below_top([april, may], scheme, 3) is None  # not enough months at hand


def test_follow_up_of_last_months_named_units(scheme):
    last_unj = pd.DataFrame({"label": ["甲局", "乙局"], "unjustified": [2, 1]})
    last_v = pd.DataFrame({"rule": ["延期", "回退"], "order_id": ["1", "2"], "label": ["丙局", "无系统单位"], "count": [2, 2]})
    now_unj = pd.DataFrame({"label": ["乙局"], "unjustified": [3]})
    now_v = pd.DataFrame(columns=["rule", "order_id", "label", "count"])
    current = evaluation([(C, "甲局", "95", "A", 5), (C, "乙局", "84", "C", 5), (C, "丙局", "91", "A", 5)])
    table = continuity.follow_up(last_unj, last_v, now_unj, now_v, current, scheme)
    assert table.values.tolist() == [
        ["甲局", 2, 0, 0, 0, "A", True], ["乙局", 1, 0, 3, 0, "C", False], ["丙局", 0, 1, 0, 0, "A", True]]


def test_grade_counts_per_group(scheme):
    may = evaluation([(C, "甲局", "95", "A", 5), (C, "乙局", "84", "C", 5), (C, "丙局", None, None, 0),
                      (T, "一镇", "91", "A", 3)])
    counts = continuity.grade_counts(may, scheme)
    assert counts.values.tolist() == [[T, 1, 0, 0, 0, 0], [C, 1, 0, 1, 0, 1]]


# ---------------------------------------------------------------- ranking rules
def _settings(**kw):
    return SeriesSettings(**kw)


def test_a_unit_exactly_at_min_orders_is_ranked(scheme):
    may = evaluation([(C, "甲局", "99", "A", 9), (C, "乙局", "95", "A", 10), (C, "丙局", "90", "A", 11),
                      (C, "丁局", None, None, 0)])
    settings = _settings(min_orders=10)
    table = ranking.ranked(may, scheme, settings)
    assert table[["unit", "rank"]].values.tolist() == [["乙局", 1], ["丙局", 2]]
    assert ranking.too_few(may, scheme, settings)[["unit", "volume"]].values.tolist() == [["甲局", 9]]
    assert ranking.too_few(may, scheme, _settings())[["unit"]].empty  # rule off


def test_ties_share_the_rank_or_are_broken(scheme):
    may = evaluation([(T, "一镇", "99", "A", 5), (T, "二镇", "95", "A", 5), (T, "三镇", "95", "A", 5),
                      (T, "四镇", "90", "A", 5)])
    assert ranking.ranked(may, scheme, _settings(ties="share"))["rank"].tolist() == [1, 2, 2, 4]
    assert ranking.ranked(may, scheme, _settings())["rank"].tolist() == [1, 2, 3, 4]


def test_a_tie_at_the_cut_of_the_red_list(scheme):
    may = evaluation([(T, "一镇", "99", "A", 5), (T, "二镇", "95", "A", 5), (T, "三镇", "95", "A", 5),
                      (T, "四镇", "90", "A", 5), (C, "甲局", "97", "A", 5)])
    share = _settings(ties="share", red_list=2)
    red = ranking.red_list(ranking.ranked(may, scheme, share), share)
    assert red["unit"].tolist() == ["一镇", "二镇", "三镇", "甲局"]  # 相同分数排名不分先后: both at the cut
    broken = _settings(red_list=2)
    assert ranking.red_list(ranking.ranked(may, scheme, broken), broken)["unit"].tolist() == ["一镇", "二镇", "甲局"]


def test_a_tie_at_the_cut_of_the_black_list(scheme):
    may = evaluation([(T, "一镇", "99", "A", 5), (T, "二镇", "85", "B", 5), (T, "三镇", "85", "B", 5),
                      (C, "甲局", "97", "A", 5), (C, "乙局", "80", "C", 5)])
    share = _settings(ties="share", black_list=1)
    black = ranking.black_list(ranking.ranked(may, scheme, share), scheme, share)
    assert black[["unit", "bottom_rank"]].values.tolist() == [["三镇", 1], ["二镇", 1], ["乙局", 1]]
    overall = _settings(ties="share", black_list=2, black_list_scope="overall")
    black = ranking.black_list(ranking.ranked(may, scheme, overall), scheme, overall)
    assert black[["unit", "bottom_rank"]].values.tolist() == [["乙局", 1], ["三镇", 2], ["二镇", 2]]
    broken = _settings(black_list=2, black_list_scope="overall")
    black = ranking.black_list(ranking.ranked(may, scheme, broken), scheme, broken)
    assert black["unit"].tolist() == ["乙局", "三镇"]  # the appendix's order breaks the tie


def test_the_indicator_that_cost_most(scheme):
    may = evaluation([(T, "一镇", "82.7", "C", 5, (D("100"), D("60.00"), D("10.00"), D("20.00"))),
                      (T, "二镇", "78", "D", 5, (D("100"), D("100"), D("80.00"), D("30.00")))])
    table = ranking.with_costliest(may, may, scheme)
    # 一镇: 0.3 × 40 = 12 on time beats 0.2 × 20 = 4; 二镇: 0.2 × 80 = 16 for rework
    assert table[["indicator", "indicator_rate", "indicator_points"]].values.tolist() == [
        ["按期办结率", D("60.00"), D("12.000")], ["返工率", D("80.00"), D("16.000")]]


# ---------------------------------------------------------------- 同比
def test_year_over_year_when_the_month_a_year_earlier_is_there(make_orders, scheme):
    orders = make_orders([
        order("1", "平江县教育局", "2023-05-02 09:00", "2023-05-10 09:00", category="城乡建设类"),
        order("2", "平江县教育局", "2023-05-03 09:00", "2023-05-10 09:00", category="教育类"),
        order("3", "平江县教育局", "2024-05-02 09:00", "2024-05-10 09:00", category="城乡建设类"),
        order("4", "平江县教育局", "2024-05-02 10:00", "2024-05-10 09:00", category="城乡建设类"),
        order("5", "平江县教育局", "2024-05-02 11:00", "", mode="直接办结", category="城乡建设类"),
    ])
    table, reason = yoy.year_over_year(orders, None, "2024-05", scheme)
    assert reason is None
    assert table.values.tolist() == [
        ["热线诉求总量", "总量", 3, 2, 1, D("50.00")], ["派单工单", "总量", 2, 2, 0, D("0.00")],
        ["直接办结", "总量", 1, 0, 1, None],
        ["城乡建设类", "事件分类", 3, 1, 2, D("200.00")], ["教育类", "事件分类", 0, 1, -1, D("-100.00")]]
    table, reason = yoy.year_over_year(orders, None, "2024-05", scheme, ["未导入 2023-04 受理的工单"])
    assert table is None and "2023-05 的数据不全" in reason


def test_no_year_over_year_without_the_month_a_year_earlier(make_orders, scheme):
    orders = make_orders([order("3", "平江县教育局", "2024-05-02 09:00", "2024-05-10 09:00")])
    table, reason = yoy.year_over_year(orders, None, "2024-05", scheme)
    assert table is None and reason == "数据库中没有2023年5月（2023-05）完整的工单数据，本月不作同比"


# ---------------------------------------------------------------- on the sample (2024-03..06)
def test_sample_grade_changes_april_to_may_are_those_of_the_monthly_tables(scheme):
    import pyhotline as ph
    from pyhotline.series import series_report

    on = _with(scheme, continuity={"grade_changes": True, "months": 2, "grade_counts": True, "follow_up": True})
    april = ph.monthly_report("2024-04", ph.load_month("2024-04", scheme=scheme), scheme).evaluation
    data = ph.load_month("2024-05", scheme=scheme, history=1)
    may = ph.monthly_report("2024-05", data, scheme)
    series = series_report("2024-05", data, on, may.evaluation, may.unjustified, may.violations)
    grade = {"4": dict(zip(april["unit"], april["grade"])), "5": dict(zip(may.evaluation["unit"], may.evaluation["grade"]))}
    expected = {u for u, g in grade["5"].items() if g and grade["4"].get(u) and grade["4"][u] != g}
    assert set(series.grade_changes["unit"]) == expected and len(expected) == 9
    for row in series.grade_changes.itertuples():
        assert (row.from_grade, row.to_grade) == (grade["4"][row.unit], grade["5"][row.unit])
    assert ("三墩乡", "A", "D") in {(r.short, r.from_grade, r.to_grade) for r in series.grade_changes.itertuples()}
    assert set(series.below_top["short"]) == {"木金乡", "加义镇", "梅仙镇"}
    assert series.grade_counts.set_index("group").loc["乡镇(街道)", ["A", "B", "C", "D"]].tolist() == [16, 6, 2, 1]


SERIES_ON = '''
[continuity]
grade_changes = true
months = 2
follow_up = true
grade_counts = true

[year_over_year]
enabled = true
'''
RANKING_ON = '''unassessed_label = "无系统单位"
min_orders = 5
ties = "share"
red_list = 3
black_list = 3
black_list_scope = "overall"
costliest_indicator = true
'''


@pytest.fixture(scope="module")
def series_scheme(tmp_path_factory):
    """The bundled scheme with every series part on (a copy beside its 工作要求 file)."""
    import shutil

    bundled = load_scheme("pingjiang")
    folder = tmp_path_factory.mktemp("series-scheme")
    shutil.copy(bundled.requirements_file, folder / bundled.requirements_file.name)
    text = bundled.path.read_text(encoding="utf-8")
    assert text.count('unassessed_label = "无系统单位"\n') == 1
    text = text.replace('unassessed_label = "无系统单位"\n', RANKING_ON) + SERIES_ON
    path = folder / "series-on.toml"
    path.write_text(text, encoding="utf-8")
    return load_scheme(path)


@pytest.fixture(scope="module")
def may_on(series_scheme):
    import pyhotline as ph

    return ph.monthly_report("2024-05", ph.load_month("2024-05", scheme=series_scheme), series_scheme)


def test_the_bundled_scheme_adds_nothing_to_the_report_or_figures(scheme):
    import pyhotline as ph
    from pyhotline.figures import figures

    report = ph.monthly_report("2024-05", ph.load_month("2024-05", scheme=scheme), scheme)
    assert report.series_parts is None and "series" not in figures(report)


def test_series_figures_on_the_sample(may_on):
    from pyhotline.figures import figures

    out = figures(may_on)["series"]
    assert ("三墩乡", "A", "D") in {(c["unit"], c["from"], c["to"]) for c in out["grade_changes"]}
    assert out["below_top_grade"]["units"][0] == {"unit": "木金乡", "grades": ["B", "B"]}
    assert out["grade_counts"]["towns"] == {"A": 16, "B": 6, "C": 2, "D": 1, "unrated": 0}
    assert {"unit": "岑川镇", "volume": 4} in out["ranking"]["too_few"]
    assert [u["unit"] for u in out["red_list"]["towns"]] == ["向家镇", "大洲乡", "童市镇"]
    assert out["black_list"]["units"][0] == {"unit": "三墩乡", "group": "乡镇(街道)", "composite": "78",
                                             "bottom_rank": 1, "indicator": "返工率", "indicator_rate": "80%",
                                             "indicator_points": 16}
    assert out["year_over_year"] is None  # the sample starts in 2024-03
    reason = "数据库中没有2023年5月（2023-05）完整的工单数据，本月不作同比"
    assert out["left_out"] == [reason] and reason in figures(may_on)["data_notes"]


def test_series_sentences_on_the_sample(may_on):
    from pyhotline.series import text

    basic = "".join(text.basic_paragraphs(may_on))
    assert "考核等级发生变化的单位9个：三市镇（A→B）" in basic and "三墩乡（A→D）" in basic and "上塔市镇（B→A）" in basic
    assert "工单量不足5件，不参与排名：岑川镇" in basic and "同比" not in basic
    problems = "".join(text.problem_paragraphs(may_on))
    assert "三墩乡（综合指标值78，失分最多的是返工率80%）" in problems
    assert "连续2个月未达到A类的单位3个：木金乡（B、B）、加义镇（C、C）、梅仙镇（B、C）" in problems
    assert "住建局（无故超期2件、违规0件）本月仍有问题" in problems


def test_series_wording_comes_from_the_scheme(may_on):
    from pyhotline.series import text

    scheme = dataclasses.replace(may_on.scheme, raw={**may_on.scheme.raw,
                                                     "series_wording": {"grade_change_item": "{unit}由{from_grade}变为{to_grade}"}})
    report = dataclasses.replace(may_on, scheme=scheme)
    assert "三墩乡由A变为D" in "".join(text.basic_paragraphs(report))
    bad = dataclasses.replace(may_on, scheme=dataclasses.replace(scheme, raw={**scheme.raw, "series_wording": {"nope": "x"}}))
    with pytest.raises(SchemeError):
        text.basic_paragraphs(bad)


def test_year_over_year_from_a_store_that_covers_the_month_a_year_earlier(tmp_path, series_scheme):
    import pyhotline as ph
    from pyhotline.store import import_files

    from conftest import write_orders, write_units

    def store_with(first_day: str) -> object:
        rows = [order("1", "平江县教育局", f"2023-05-{first_day} 09:00", "2023-05-20 09:00", "2023-05-19 09:00"),
                order("2", "平江县教育局", "2023-05-31 09:00", "2023-06-20 09:00", "2023-06-19 09:00", category="教育类")]
        rows += [order(str(10 + i), "平江县教育局", f"2024-05-{i + 1:02d} 09:00", "2024-05-31 09:00", "2024-05-30 09:00")
                 for i in range(3)]
        rows.append(order("99", "平江县教育局", "2024-06-05 09:00", "2024-06-20 09:00", "2024-06-10 09:00"))
        folder = tmp_path / first_day
        folder.mkdir()
        store = folder / "store.duckdb"
        import_files(store, orders=[write_orders(folder / "orders.csv", rows)],
                     units=[write_units(folder / "units.csv")], scheme=series_scheme)
        return store

    covered = store_with("01")
    report = ph.monthly_report("2024-05", ph.load_month("2024-05", store=covered, scheme=series_scheme), series_scheme)
    table = report.series_parts.year_over_year
    assert table.loc[table["item"] == "派单工单", ["current", "previous", "change"]].values.tolist() == [[3, 2, 1]]
    assert table.loc[table["item"] == "派单工单", "change_rate"].iloc[0] == D("50.00")
    from pyhotline.series import text

    assert text.para_year_over_year(report).startswith("与上年同月相比，热线工单增加1件，同比上升50%")
    partly = store_with("10")  # the export starts on 2023-05-10: 2023-05 is not complete, no 同比
    report = ph.monthly_report("2024-05", ph.load_month("2024-05", store=partly, scheme=series_scheme), series_scheme)
    assert report.series_parts.year_over_year is None
    assert "数据库中没有2023年5月（2023-05）完整的工单数据，本月不作同比" in report.series_parts.notes


def test_the_bulletin_shows_the_series_parts(may_on):
    from pyhotline import bulletin as bt

    basic, problems = bt.basic_html(may_on), bt.problems_html(may_on)
    assert "考核等级发生变化的单位9个" in basic and basic.index("综合指标值排名前") < basic.index("考核等级发生变化")
    assert "工单量不足5件，不参与排名" in basic and "红榜" in basic
    assert "4、综合指标值排名靠后：</span>黑榜" in problems
    assert "5、工单办理质量持续偏低：" in problems and "6、上月通报问题整改情况：" in problems


def test_a_bulletin_run_with_every_series_part_on(series_scheme, tmp_path):
    import json

    from pyhotline.runner import run_month

    out = run_month("2024-05", scheme=series_scheme.path, out_dir=tmp_path, issue=1, date="2024-06-10")
    html = (out / "bulletin.html").read_text(encoding="utf-8")
    for phrase in ("考核等级发生变化的单位9个", "三墩乡（A→D）", "工单量不足5件，不参与排名", "黑榜（综合指标值排名后3位",
                   "连续2个月未达到A类的单位3个", "上月通报问题整改情况", "本月不作同比"):
        assert phrase in html, phrase
    figures = json.loads((out / "figures.json").read_text(encoding="utf-8"))
    assert len(figures["series"]["grade_changes"]) == 9


def test_a_scheme_with_bad_series_settings_is_refused_when_loaded(tmp_path):
    text = load_scheme("pingjiang").path.read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text + "\n[continuity]\nmonths = 30\n", encoding="utf-8")
    with pytest.raises(SchemeError, match="continuity.months"):
        load_scheme(bad)
    def rewritten(template: str) -> str:  # the bundled [series_wording] table's grade_changes line rewritten
        return re.sub(r'(?m)^grade_changes = ".*"$', lambda _m: f'grade_changes = "{template}"', text, count=1)

    bad.write_text(rewritten("{oops"), encoding="utf-8")
    with pytest.raises(SchemeError, match="series_wording.grade_changes 的占位符不对"):
        load_scheme(bad)
    bad.write_text(rewritten("{unit}"), encoding="utf-8")
    with pytest.raises(SchemeError, match=r"可用的是 \{count\}、\{list\}"):
        load_scheme(bad)


def test_with_ranking_rules_the_top_ranking_names_only_ranked_units(may_on):
    from pyhotline import bulletin as bt

    departments = may_on.composite_top.loc[may_on.composite_top["group"] == "县直单位", "short"].tolist()
    # 民政局 (2 orders due) is under min_orders = 5: not ranked; 人社局 and 医保局 share third place
    assert departments == ["平江县第一人民医院", "税务局", "人社局", "医保局"]
    assert "民政局" not in bt.para_rankings(may_on) and "民政局" in "".join(bt.series_text.basic_paragraphs(may_on))


def test_grade_changes_and_streaks_under_another_countys_grade_names(scheme):
    from pyhotline.scheme import Grade

    other = dataclasses.replace(scheme, grades=(Grade("优秀", D("95"), D("0")), Grade("良好", D("85"), D("1")),
                                                Grade("合格", D("60"), D("2")), Grade("不合格", D("0"), D("3"))))
    april = evaluation([(C, "甲局", "96", "优秀", 5), (C, "乙局", "70", "合格", 5)])
    may = evaluation([(C, "甲局", "90", "良好", 5), (C, "乙局", "88", "良好", 5)])
    changes = continuity.grade_changes(april, may, other)
    assert changes[["unit", "from_grade", "to_grade", "direction"]].values.tolist() == [
        ["甲局", "优秀", "良好", "降"], ["乙局", "合格", "良好", "升"]]
    assert continuity.below_top([april, may], other, 2)["unit"].tolist() == ["乙局"]
    assert continuity.grade_counts(may, other).columns.tolist() == ["group", "优秀", "良好", "合格", "不合格", "unrated"]


def test_a_black_list_per_unit_type_is_said_per_unit_type(may_on):
    from pyhotline.series import ranking, text

    settings = dataclasses.replace(may_on.series_parts.settings, black_list_scope="group", black_list=1)
    black = ranking.black_list(may_on.series_parts.ranked, may_on.scheme, settings)
    parts = dataclasses.replace(may_on.series_parts, settings=settings, black_list=black)
    said = "".join(text.problem_paragraphs(dataclasses.replace(may_on, series_parts=parts)))
    assert "后1位，相同分数排名不分先后）：乡镇（街道）：三墩乡（" in said and "；县直单位：自然资源局（" in said


def test_one_ranking_step_for_a_month_a_quarter_and_a_year(scheme):
    from pyhotline import ranking as step

    table = evaluation([(C, "甲局", "99", "A", 20), (C, "乙局", "95", "A", 15), (C, "丙局", "95", "A", 9),
                        (T, "一镇", "90", "A", 30)])
    on = _with(scheme, ranking={"min_orders": 10, "quarter_min_orders": 15, "year_min_orders": 0, "ties": "share",
                                "red_list": 1})
    month = step.rank(table, on, pd.Period("2024-05", "M"))
    assert month.ranked["unit"].tolist() == ["一镇", "甲局", "乙局"] and month.too_few["unit"].tolist() == ["丙局"]
    quarter = step.rank(table, on, pd.Period("2024Q2", "Q"))  # its own minimum; a unit exactly at 15 is ranked
    assert quarter.settings.min_orders == 15 and quarter.too_few["unit"].tolist() == ["丙局"]
    year = step.rank(table, on, pd.Period("2024", "Y"))  # everyone in the annual ranking, ties shared
    assert year.too_few.empty and year.ranked[["unit", "rank"]].values.tolist() == [
        ["一镇", 1], ["甲局", 1], ["乙局", 2], ["丙局", 2]]
    assert year.red_list["unit"].tolist() == ["一镇", "甲局"] and year.black_list is None
    assert year.top["unit"].tolist() == ["一镇", "甲局", "乙局", "丙局"]  # top_n 3: both tied at 2nd place
    off = step.rank(table, scheme, pd.Period("2024Q2", "Q"))
    assert not off.rules_on and off.ranked is None
    pd.testing.assert_frame_equal(off.top, step.composite_ranking(table, scheme))


def test_a_unit_on_the_red_list_is_never_on_the_black_list(scheme):
    """Third review, finding 13: in a unit type of two with red_list = black_list = 2, 社保窗口2 was on both."""
    may = evaluation([(T, "一镇", "99", "A", 5), (T, "二镇", "85", "B", 5), (C, "甲局", "97", "A", 5),
                      (C, "乙局", "80", "C", 5), (C, "丙局", "70", "D", 5)])
    both = _settings(red_list=2, black_list=2)
    table = ranking.ranked(may, scheme, both)
    red = set(ranking.red_list(table, both)["unit"])
    black = set(ranking.black_list(table, scheme, both)["unit"])
    assert red == {"一镇", "二镇", "甲局", "乙局"} and black == {"丙局"}
    overall = _settings(red_list=2, black_list=2, black_list_scope="overall")
    assert set(ranking.black_list(ranking.ranked(may, scheme, overall), scheme, overall)["unit"]) == {"丙局"}
