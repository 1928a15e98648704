"""Quarterly and annual reports (pyhotline.period): on the sample (2024-03..06) 2024Q2 equals the sums
of its months, rates recomputed with Decimal half-up; a period with months missing from the store warns."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

import pyhotline as ph
from pyhotline import period as P
from pyhotline import period_load as L
from pyhotline.bulletin import quality_warnings
from pyhotline.errors import MonthError
from pyhotline.scheme import RATES


@pytest.fixture(scope="module")
def rules():
    return ph.load_scheme("pingjiang")


@pytest.fixture(scope="module")
def months(rules):
    out = {}
    for m in ("2024-04", "2024-05", "2024-06"):
        out[m] = ph.monthly_report(m, ph.load_month(m, scheme=rules), rules)
    return out


@pytest.fixture(scope="module")
def quarter(rules):
    return P.period_report("2024Q2", L.load_period("2024Q2", scheme=rules), rules)


def _rate(num: int, den: int) -> Decimal:
    return (Decimal(int(num)) * 100 / Decimal(int(den))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_parse_period():
    assert P.parse_period("2024Q2") == pd.Period("2024Q2", "Q")
    assert P.parse_period("2024") == pd.Period("2024", "Y")
    assert P.parse_period("2024-05") == pd.Period("2024-05", "M")
    assert [str(m) for m in P.months_of(P.parse_period("2024Q2"))] == ["2024-04", "2024-05", "2024-06"]
    assert len(P.months_of(P.parse_period("2024"))) == 12
    assert P.period_title(P.parse_period("2024Q2")) == "2024年第二季度"
    assert P.period_title(P.parse_period("2024")) == "2024年度"
    assert P.period_title(P.parse_period("2024-05")) == "2024年5月份"
    with pytest.raises(MonthError, match="YYYYQn"):
        P.parse_period("2024Q5")


def test_quarter_totals_and_categories_are_the_months_summed(quarter, months):
    for key in ("requests", "work_orders", "direct"):
        assert quarter.totals[key] == sum(r.totals[key] for r in months.values())
    summed = pd.concat([r.categories.set_index("category")["count"] for r in months.values()]).groupby(level=0).sum()
    assert quarter.categories.set_index("category")["count"].sort_index().to_dict() == summed.sort_index().to_dict()
    total = quarter.totals["requests"]
    for cat, count, share in zip(quarter.categories["category"], quarter.categories["count"], quarter.categories["share"]):
        assert share == _rate(count, total), cat


def test_quarter_table_is_recomputed_from_summed_counts(quarter, months, rules):
    counts = ["accepted", "due", "handled", "on_time", "reworked", "visited", "dissatisfied"]
    monthly = pd.concat([r.evaluation.set_index("unit")[counts] for r in months.values()]).groupby(level=0).sum()
    table = quarter.evaluation.set_index("unit")
    assert set(table.index) == set(monthly.index)
    for unit, row in table.iterrows():
        assert row[counts].astype(int).to_dict() == monthly.loc[unit].astype(int).to_dict(), unit
        if row["due"] == 0:
            assert row["composite"] is None
            continue
        rates = {
            "办结率": _rate(row["handled"], row["due"]), "按期办结率": _rate(row["on_time"], row["due"]),
            "返工率": _rate(row["reworked"], row["due"]), "回访不满意率": _rate(row["dissatisfied"], row["visited"]),
        }
        assert (row["completion_rate"], row["on_time_rate"], row["rework_rate"], row["dissatisfaction_rate"]) == tuple(rates.values())
        composite = sum(rules.weights[k] * (v if RATES[k] else 100 - v) for k, v in rates.items())
        assert row["composite"] == composite.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), unit
        assert row["grade"] == rules.grade_for(row["composite"]).name
    # the same table as the evaluation computed straight over the quarter
    direct = ph.monthly_report(pd.Period("2024Q2", "Q"), L.load_period("2024Q2", scheme=rules), rules).evaluation
    pd.testing.assert_frame_equal(quarter.evaluation.reset_index(drop=True), direct.reset_index(drop=True))


def test_quarter_series_and_groups(quarter, months):
    series = quarter.series.set_index("month")
    for m, r in months.items():
        row = series.loc[pd.Period(m, "M")]
        assert row["requests"] == r.totals["requests"]
        assert row["due"] == r.evaluation["due"].sum()
        assert row["on_time_rate"] == _rate(r.evaluation["on_time"].sum(), r.evaluation["due"].sum())
        assert row["dissatisfaction_rate"] == _rate(r.evaluation["dissatisfied"].sum(), r.evaluation["visited"].sum())
    assert set(quarter.groups["group"]) == set(quarter.scheme.appendix_groups)
    assert len(quarter.groups) == 3 * len(quarter.scheme.appendix_groups)


def test_comparisons_left_out_when_not_covered_and_said_in_data_notes(quarter):
    assert quarter.previous is None and quarter.year_ago is None
    notes = quality_warnings(quarter)
    assert any("上期（2024Q1）的数据不全" in w for w in notes)
    assert any("上年同期（2023Q2）" in w for w in notes)


def test_comparison_when_covered(rules):
    data = L.load_period("2024Q2", scheme=rules)
    covered = P.PeriodDataset(**{**data.__dict__, "covered": tuple(pd.period_range("2024-01", "2024-06", freq="M"))})
    report = P.period_report("2024Q2", covered, rules)
    assert report.previous is not None
    row = report.previous.set_index("item").loc["热线诉求总量"]
    assert row["current"] == report.totals["requests"]
    assert row["previous"] == P.period_report("2024Q1", L.load_period("2024Q1", scheme=rules), rules).totals["requests"]


def test_quarter_with_months_missing_warns(rules):
    data = L.load_period("2024Q1", scheme=rules)
    report = P.period_report("2024Q1", data, rules)
    notes = quality_warnings(report)
    assert "2024Q1 中 2024-01 没有任何工单记录：第一季度各项数字只含已导入的月份" in notes
    assert any("2月1日至2月17日" in w for w in notes)  # February is there only in part
    march = ph.monthly_report("2024-03", ph.load_month("2024-03", scheme=rules), rules)
    assert report.totals["requests"] == march.totals["requests"] + 176  # the sample's 176 orders of February
    with pytest.raises(Exception, match="2024Q1 的数据不全"):
        L.load_period("2024Q1", scheme=rules, strict=True)


def test_period_without_any_order(rules):
    with pytest.raises(MonthError, match="2023Q4 没有任何工单记录"):
        L.load_period("2023Q4", scheme=rules)


def test_year_is_the_sum_of_the_months(rules, quarter):
    year = P.period_report("2024", L.load_period("2024", scheme=rules), rules)
    march = ph.monthly_report("2024-03", ph.load_month("2024-03", scheme=rules), rules)
    assert year.totals["requests"] == quarter.totals["requests"] + march.totals["requests"] + 176  # 176 in February
    assert len(year.series) == 12 and year.series["requests"].sum() == year.totals["requests"]


def test_mean_of_monthly_composites(tmp_path, months, rules):
    text = rules.path.read_text(encoding="utf-8").replace('composite = "summed"', 'composite = "mean"')
    path = tmp_path / "mean.toml"
    path.write_text(text, encoding="utf-8")
    mean_rules = ph.load_scheme(path)
    report = P.period_report("2024Q2", L.load_period("2024Q2", scheme=mean_rules), mean_rules)
    assert report.composite_mode == "mean"
    for unit, value in zip(report.evaluation["unit"], report.evaluation["composite"]):
        values = [r.evaluation.set_index("unit")["composite"].get(unit) for r in months.values()]
        values = [v for v in values if v is not None and not pd.isna(v)]
        if not values:
            assert value is None
            continue
        expected = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert value == expected, unit
    composites = [Decimal(-1) if v is None else v for v in report.evaluation["composite"]]
    for group in report.evaluation["group"].unique():
        part = [c for c, g in zip(composites, report.evaluation["group"]) if g == group]
        assert part == sorted(part, reverse=True)


def test_bad_composite_mode(tmp_path, rules):
    path = tmp_path / "bad.toml"
    path.write_text(rules.path.read_text(encoding="utf-8").replace('composite = "summed"', 'composite = "median"'), encoding="utf-8")
    with pytest.raises(Exception, match="period.composite"):
        P.composite_mode(ph.load_scheme(path))


def test_the_appendix_note_names_the_period_not_the_month(quarter, months, rules):
    """Stranger finding 13: a quarterly bulletin's 附件1 said "“—”表示当月无应办理工单"."""
    from pyhotline.bulletin import appendix_html

    assert "“—”表示本季度无应办理工单，不参与评价。" in appendix_html(quarter)
    assert "“—”表示当月无应办理工单，不参与评价。" in appendix_html(months["2024-05"])
    year = P.period_report("2024", L.load_period("2024", scheme=rules), rules)
    assert "“—”表示本年度无应办理工单" in appendix_html(year)
