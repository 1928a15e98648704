"""Metrics and exact rounding, on small hand-made order/letter tables."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pandas as pd
import pytest

from conftest import letter, order, scheme_variant, write_units
from pyhotline import metrics
from pyhotline.io import load_units
from pyhotline.numbers import pct, percent, plain, quantize
from pyhotline.report import appendix_table
from pyhotline.scheme import load_scheme

MAY = "2024-05"


def row_of(table: pd.DataFrame, unit: str) -> pd.Series:
    hits = table.loc[table["unit"] == unit]
    assert len(hits) == 1, f"{unit} appears {len(hits)} times"
    return hits.iloc[0]


# ====================================================================== numbers
class TestPercentAndQuantize:
    def test_half_up_at_zero_decimals(self):
        assert percent(1, 8, 0) == Decimal("13")  # 12.5 -> 13
        assert round(1 / 8 * 100) == 12  # float round() is half-even: it would print 12

    def test_exact_x_xx5_at_one_decimal(self):
        assert percent(1, 16, 1) == Decimal("6.3")  # 6.25
        assert percent(7, 16, 1) == Decimal("43.8")  # 43.75
        assert round(1 / 16 * 100, 1) == 6.2  # float round differs here

    def test_exact_x_xx5_at_two_and_three_decimals(self):
        assert percent(1, 160, 2) == Decimal("0.63")  # 0.625
        assert percent(1, 1600, 3) == Decimal("0.063")  # 0.0625
        assert quantize(Decimal("2.675"), 2) == Decimal("2.68")
        assert round(2.675, 2) == 2.67  # float: 2.675 is stored below the half

    def test_not_a_half_rounds_to_nearest(self):
        assert percent(2, 52) == Decimal("3.85")  # 3.846...
        assert percent(51, 52) == Decimal("98.08")  # 98.0769...
        assert percent(3, 46) == Decimal("6.52")  # 6.5217...
        assert percent(1, 3) == Decimal("33.33")
        assert percent(2, 3) == Decimal("66.67")

    def test_keeps_the_requested_places(self):
        assert str(percent(1, 8)) == "12.50"
        assert str(percent(52, 52)) == "100.00"
        assert str(percent(1, 8, 1)) == "12.5"

    def test_zero_denominator_is_zero(self):
        assert percent(0, 0) == Decimal("0")
        assert str(percent(0, 0)) == "0.00"
        assert str(percent(5, 0, 1)) == "0.0"

    def test_half_even_mode(self):
        assert percent(1, 8, 0, ROUND_HALF_EVEN) == Decimal("12")
        assert percent(3, 8, 0, ROUND_HALF_EVEN) == Decimal("38")  # 37.5 -> 38 (even)
        assert quantize(Decimal("97.35"), 1, ROUND_HALF_EVEN) == Decimal("97.4")
        assert quantize(Decimal("97.25"), 1, ROUND_HALF_EVEN) == Decimal("97.2")

    def test_quantize_half_up(self):
        assert quantize(Decimal("97.35"), 1) == Decimal("97.4")
        assert quantize(Decimal("97.3499999"), 1) == Decimal("97.3")
        assert quantize(Decimal("89.95"), 1) == Decimal("90.0")
        assert str(quantize(Decimal("100"), 1)) == "100.0"

    def test_numpy_integers_are_accepted(self):
        assert percent(pd.Series([1]).iloc[0], pd.Series([16]).iloc[0], 1) == Decimal("6.3")


class TestFormatting:
    @pytest.mark.parametrize(
        "value, text",
        [
            (Decimal("97.90"), "97.9"),
            (Decimal("100.00"), "100"),
            (Decimal("100"), "100"),
            (Decimal("0.00"), "0"),
            (Decimal("0"), "0"),
            (Decimal("20.88"), "20.88"),
            (Decimal("0.50"), "0.5"),
            (Decimal("10.0"), "10"),
            (Decimal("97.4"), "97.4"),
            (Decimal("1E+2"), "100"),
            (Decimal("-0.00"), "0"),
            (7, "7"),
            (0, "0"),
            (None, "—"),
        ],
    )
    def test_plain(self, value, text):
        assert plain(value) == text

    @pytest.mark.parametrize(
        "value, text",
        [
            (Decimal("97.90"), "97.9%"),
            (Decimal("100.00"), "100%"),
            (Decimal("0"), "0%"),
            (Decimal("0.00"), "0%"),
            (Decimal("20.88"), "20.88%"),
            (Decimal("4.35"), "4.35%"),
            (None, "—"),
        ],
    )
    def test_pct(self, value, text):
        assert pct(value) == text


# ====================================================================== months
class TestMonths:
    def test_parse_month(self):
        assert metrics.parse_month("2024-05") == pd.Period("2024-05", "M")
        assert metrics.parse_month(pd.Period("2024-05-17", "D")) == pd.Period("2024-05", "M")

    @pytest.mark.parametrize("bad", ["2024-5", "2024-13", "2024-00", "202405", "May", ""])
    def test_bad_month(self, bad):
        with pytest.raises(metrics.MonthError):
            metrics.parse_month(bad)

    def test_month_range(self):
        assert [str(p) for p in metrics.parse_month_range("2024-03:2024-06")] == [
            "2024-03", "2024-04", "2024-05", "2024-06",
        ]
        assert [str(p) for p in metrics.parse_month_range("2024-05")] == ["2024-05"]
        with pytest.raises(metrics.MonthError):
            metrics.parse_month_range("2024-06:2024-03")

    def test_in_month_boundaries(self):
        stamps = pd.Series(pd.to_datetime([
            "2024-04-30 23:59:59", "2024-05-01 00:00:00", "2024-05-31 23:59:59", "2024-06-01 00:00:00",
        ]))
        assert metrics.in_month(stamps, pd.Period(MAY, "M")).tolist() == [False, True, True, False]


# ====================================================================== counts
def police_case_rows() -> list[dict]:
    """平江县公安局 of the 2024-05 reference, order by order.

    52 due in May (all closed, 1 after its deadline), 2 reworked, 46 visited
    of which 3 不满意; 49 of them accepted in May, 3 in April.
    """
    rows = []
    for i in range(52):
        accepted = "2024-05-02 09:00:00" if i < 49 else "2024-04-28 09:00:00"
        closed = "2024-05-21 09:00:00" if i == 0 else "2024-05-10 10:00:00"
        reworks = {1: 1, 2: 2}.get(i, 0)  # 2 reworked orders, one of them twice
        if i in (3, 4, 5):
            visit = "不满意"
        elif i < 46:
            visit = "满意" if i % 2 else "基本满意"
        else:
            visit = "未回访" if i % 2 else ""
        rows.append(order(str(5000 + i), "公安局", accepted, "2024-05-20 18:00:00", closed, reworks=reworks, visit=visit))
    return rows


class TestComposite:
    def test_composite_uses_rounded_rates(self, make_orders, registry, pj_scheme):
        orders = make_orders(police_case_rows())
        table = metrics.evaluation(orders, registry, MAY, pj_scheme)
        police = row_of(table, "平江县公安局")
        counts = {c: int(police[c]) for c in metrics.COUNT_COLUMNS}
        assert counts == {
            "accepted": 49, "due": 52, "handled": 52, "on_time": 51, "reworked": 2,
            "visited": 46, "dissatisfied": 3,
        }
        assert [str(police[c]) for c in ("completion_rate", "on_time_rate", "rework_rate", "dissatisfaction_rate")] == [
            "100.00", "98.08", "3.85", "6.52",
        ]
        assert police["composite"] == Decimal("97.4")
        assert isinstance(police["composite"], Decimal)
        assert police["grade"] == "A"
        assert police["short"] == "公安局"
        assert police["group"] == "县直单位"

        # The case discriminates: from unrounded rates the composite would be 97.3.
        exact = (
            Fraction(3, 10) * 100 + Fraction(3, 10) * Fraction(5100, 52)
            + Fraction(2, 10) * (100 - Fraction(200, 52)) + Fraction(2, 10) * (100 - Fraction(300, 46))
        )
        unrounded = quantize(Decimal(exact.numerator) / Decimal(exact.denominator), 1)
        assert unrounded == Decimal("97.3")

    def test_appendix_row_text(self, make_orders, registry, pj_scheme):
        table = metrics.evaluation(make_orders(police_case_rows()), registry, MAY, pj_scheme)
        appendix = appendix_table(table, keep_zeros=pj_scheme.keep_trailing_zeros)
        assert appendix.iloc[0].tolist() == [
            "县直单位", "平江县公安局", "49", "52", "52", "100%", "51", "98.08%", "2", "3.85%", "3", "6.52%",
            "97.4", "A",
        ]
        assert list(appendix.columns) == [
            "单位类型", "部门名称", "受理案件数", "应办理数", "办理数", "办结率", "按期办理数", "按期办结率",
            "返工数", "返工率", "回访不满意数", "回访不满意率", "综合指标值", "等级评价",
        ]
        assert "单位类型" not in appendix_table(table, with_group=False).columns


class TestCounts:
    def test_open_orders_past_deadline(self, make_orders, registry, pj_scheme):
        orders = make_orders([
            order("1", "公安局", "2024-05-02 09:00:00", "2024-05-10 09:00:00", ""),  # still open
            order("2", "公安局", "2024-05-02 09:00:00", "2024-05-10 09:00:00", "2024-05-09 09:00:00"),
        ])
        counts = metrics.unit_counts(orders, MAY, pj_scheme).loc["平江县公安局"]
        assert counts[["accepted", "due", "handled", "on_time"]].tolist() == [2, 2, 1, 1]
        over = metrics.overdue(orders, registry, MAY, pj_scheme)
        assert over[["label", "overdue", "open", "unjustified"]].values.tolist() == [["公安局", 1, 1, 1]]
        assert over.iloc[0]["unjustified_ids"] == ("1",)
        police = row_of(metrics.evaluation(orders, registry, MAY, pj_scheme), "平江县公安局")
        assert police["completion_rate"] == Decimal("50.00")
        assert police["on_time_rate"] == Decimal("50.00")
        assert police["composite"] == Decimal("70.0")  # 15 + 15 + 20 + 20
        assert police["grade"] == "D"

    def test_month_boundaries(self, make_orders, pj_scheme, registry):
        orders = make_orders([
            # accepted at May's first second, due at its last, closed exactly at the deadline
            order("b1", "公安局", "2024-05-01 00:00:00", "2024-05-31 23:59:59", "2024-05-31 23:59:59"),
            # accepted at April's last second, due at June's first second, open
            order("b2", "公安局", "2024-04-30 23:59:59", "2024-06-01 00:00:00", ""),
            # due May, closed one second late (in June)
            order("b3", "公安局", "2024-05-31 23:59:59", "2024-05-31 23:59:59", "2024-06-01 00:00:00"),
        ])
        cols = ["accepted", "due", "handled", "on_time"]
        may = metrics.unit_counts(orders, MAY, pj_scheme).loc["平江县公安局", cols].tolist()
        june = metrics.unit_counts(orders, "2024-06", pj_scheme).loc["平江县公安局", cols].tolist()
        april = metrics.unit_counts(orders, "2024-04", pj_scheme).loc["平江县公安局", cols].tolist()
        assert may == [2, 2, 2, 1]
        assert june == [0, 1, 0, 0]
        assert april == [1, 0, 0, 0]
        assert metrics.overdue(orders, registry, MAY, pj_scheme)["overdue"].tolist() == [1]
        assert metrics.overdue(orders, registry, "2024-06", pj_scheme)["overdue"].tolist() == [1]
        assert metrics.due_orders(orders, MAY)["order_id"].tolist() == ["b1", "b3"]

    def test_only_dispatched_orders_count(self, make_orders, pj_scheme):
        orders = make_orders([
            order("1", "公安局", "2024-05-02 09:00:00", "2024-05-10 09:00:00", "2024-05-03 09:00:00"),
            order("2", "公安局", "2024-05-02 09:00:00", "2024-05-10 09:00:00", "2024-05-02 09:05:00",
                  mode="直接办结", visit="不满意"),
            order("3", "", "2024-05-02 09:00:00", "", "2024-05-02 09:05:00", mode="直接办结"),
        ])
        counts = metrics.unit_counts(orders, MAY, pj_scheme)
        assert list(counts.index) == ["平江县公安局"]
        assert counts.loc["平江县公安局"].tolist() == [1, 1, 1, 1, 0, 0, 0]

    def test_rework_and_visits(self, make_orders, pj_scheme):
        orders = make_orders([
            order("1", "公安局", "2024-05-02 09:00:00", "2024-05-10 09:00:00", "2024-05-03 09:00:00", reworks=3, visit="满意"),
            order("2", "公安局", "2024-05-02 09:00:00", "2024-05-10 09:00:00", "2024-05-03 09:00:00", visit="基本满意"),
            order("3", "公安局", "2024-05-02 09:00:00", "2024-05-10 09:00:00", "2024-05-03 09:00:00", visit="不满意"),
            order("4", "公安局", "2024-05-02 09:00:00", "2024-05-10 09:00:00", "2024-05-03 09:00:00", visit="未回访"),
        ])
        counts = metrics.unit_counts(orders, MAY, pj_scheme).loc["平江县公安局"]
        assert counts[["reworked", "visited", "dissatisfied"]].tolist() == [1, 3, 1]


class TestVisitBasis:
    ROWS = [
        # due May, closed April, 不满意: counts only on the 'due' basis
        order("v1", "公安局", "2024-04-20 09:00:00", "2024-05-05 09:00:00", "2024-04-25 09:00:00", visit="不满意"),
        # due June, closed May: counts only on the 'closed' basis
        order("v2", "公安局", "2024-05-02 09:00:00", "2024-06-05 09:00:00", "2024-05-20 09:00:00", visit="满意"),
        order("v5", "公安局", "2024-05-02 09:00:00", "2024-06-05 09:00:00", "2024-05-21 09:00:00", visit="满意"),
        # due May, closed May: counts on both
        order("v3", "公安局", "2024-05-02 09:00:00", "2024-05-10 09:00:00", "2024-05-08 09:00:00", visit="基本满意"),
        # due May, open, not visited
        order("v4", "公安局", "2024-05-02 09:00:00", "2024-05-10 09:00:00", "", visit="未回访"),
    ]

    def test_closed_basis(self, make_orders, registry, pj_scheme):
        assert pj_scheme.visit_basis == "closed"
        orders = make_orders(self.ROWS)
        counts = metrics.unit_counts(orders, MAY, pj_scheme).loc["平江县公安局"]
        assert counts[["due", "visited", "dissatisfied"]].tolist() == [3, 3, 0]
        police = row_of(metrics.evaluation(orders, registry, MAY, pj_scheme), "平江县公安局")
        assert police["dissatisfaction_rate"] == Decimal("0.00")

    def test_due_basis(self, tmp_path, make_orders, registry):
        scheme = load_scheme(scheme_variant(tmp_path, ('visit_basis = "closed"', 'visit_basis = "due"')))
        assert scheme.visit_basis == "due"
        orders = make_orders(self.ROWS)
        counts = metrics.unit_counts(orders, MAY, scheme).loc["平江县公安局"]
        assert counts[["due", "visited", "dissatisfied"]].tolist() == [3, 2, 1]
        police = row_of(metrics.evaluation(orders, registry, MAY, scheme), "平江县公安局")
        assert police["dissatisfaction_rate"] == Decimal("50.00")


# ====================================================================== evaluation table
def mixed_rows() -> list[dict]:
    on_time = dict(deadline="2024-05-20 09:00:00", closed="2024-05-10 09:00:00")
    return [
        order("1", "公安局", "2024-05-02 09:00:00", **on_time),
        order("2", "公安局", "2024-05-02 09:00:00", **on_time),
        order("3", "教育局", "2024-05-02 09:00:00", **on_time),
        order("4", "教育局", "2024-05-02 09:00:00", "2024-05-20 09:00:00", ""),  # open, overdue
        # 民政局: accepted in May, nothing due in May
        order("5", "民政局", "2024-05-03 09:00:00", "2024-06-03 09:00:00", ""),
        order("6", "平江县 民政局", "2024-05-04 09:00:00", "2024-06-04 09:00:00", ""),
        order("7", "安定镇", "2024-05-02 09:00:00", **on_time),
        # outside the assessment
        order("8", "邮政公司", "2024-05-02 09:00:00", "2024-05-20 09:00:00", ""),
        order("9", "邮政公司", "2024-05-02 09:00:00", **on_time),
        # April only
        order("10", "三市镇", "2024-04-02 09:00:00", "2024-04-20 09:00:00", "2024-04-10 09:00:00"),
    ]


class TestEvaluation:
    def test_units_order_and_unrated(self, make_orders, registry, pj_scheme):
        table = metrics.evaluation(make_orders(mixed_rows()), registry, MAY, pj_scheme)
        assert table["unit"].tolist() == ["平江县公安局", "平江县教育局", "平江县民政局", "安定镇"]
        assert table["group"].tolist() == ["县直单位", "县直单位", "县直单位", "乡镇(街道)"]
        assert table["composite"].tolist() == [Decimal("100.0"), Decimal("70.0"), None, Decimal("100.0")]
        assert table["grade"].tolist() == ["A", "D", None, "A"]
        civil = row_of(table, "平江县民政局")
        assert [int(civil[c]) for c in metrics.COUNT_COLUMNS] == [2, 0, 0, 0, 0, 0, 0]
        for column in ("completion_rate", "on_time_rate", "rework_rate", "dissatisfaction_rate", "composite", "grade"):
            assert civil[column] is None, column

    def test_unassessed_units_are_not_evaluated(self, make_orders, registry, pj_scheme):
        orders = make_orders(mixed_rows())
        table = metrics.evaluation(orders, registry, MAY, pj_scheme)
        assert "平江县邮政公司" not in set(table["unit"])
        over = metrics.overdue(orders, registry, MAY, pj_scheme)
        assert over[["label", "group", "overdue", "unjustified"]].values.tolist() == [
            ["教育局", "县直单位", 1, 1],
            ["无系统单位", "无系统单位", 1, 1],
        ]

    def test_appendix_dashes_for_unrated(self, make_orders, registry, pj_scheme):
        appendix = appendix_table(metrics.evaluation(make_orders(mixed_rows()), registry, MAY, pj_scheme),
                                  keep_zeros=pj_scheme.keep_trailing_zeros)
        assert appendix.iloc[2].tolist() == [
            "县直单位", "平江县民政局", "2", "0", "0", "—", "0", "—", "0", "—", "0", "—", "—", "—",
        ]
        assert appendix.iloc[1].tolist() == [
            "县直单位", "平江县教育局", "2", "2", "1", "50%", "1", "50%", "0", "0%", "0", "0%", "70", "D",
        ]
        assert appendix.iloc[0]["综合指标值"] == "100"

    def test_only_unrated_units(self, make_orders, registry, pj_scheme):
        orders = make_orders([order("5", "民政局", "2024-05-03 09:00:00", "2024-06-03 09:00:00", "")])
        table = metrics.evaluation(orders, registry, MAY, pj_scheme)
        assert table["unit"].tolist() == ["平江县民政局"]
        appendix = appendix_table(table, keep_zeros=pj_scheme.keep_trailing_zeros)
        assert appendix.iloc[0].tolist()[-3:] == ["—", "—", "—"]
        assert appendix.iloc[0]["办结率"] == "—"

    def test_empty_month(self, make_orders, registry, pj_scheme):
        orders = make_orders(mixed_rows())
        table = metrics.evaluation(orders, registry, "2023-01", pj_scheme)
        assert table.empty
        assert list(table.columns) == metrics.EVALUATION_COLUMNS

    def test_visit_only_unit_is_left_out(self, make_orders, registry, pj_scheme):
        # accepted and due in April, closed (late) in May: visited in May, nothing accepted/due
        orders = make_orders([
            order("1", "安定镇", "2024-04-02 09:00:00", "2024-04-20 09:00:00", "2024-05-03 09:00:00", visit="满意"),
            order("2", "公安局", "2024-05-02 09:00:00", "2024-05-20 09:00:00", "2024-05-03 09:00:00"),
        ])
        assert metrics.unit_counts(orders, MAY, pj_scheme).loc["安定镇", "visited"] == 1
        assert metrics.evaluation(orders, registry, MAY, pj_scheme)["unit"].tolist() == ["平江县公安局"]


# ====================================================================== overdue, deductions
def overdue_rows() -> list[dict]:
    late = dict(deadline="2024-05-10 09:00:00", closed="2024-05-12 09:00:00")
    return [
        order("998", "公安局", "2024-05-02 09:00:00", "2024-05-10 09:00:00", ""),  # open, unjustified
        order("1002", "公安局", "2024-05-02 09:00:00", **late),  # unjustified
        order("1005", "公安局", "2024-05-02 09:00:00", **late, returned="是"),  # justified
        order("1001", "公安局", "2024-05-02 09:00:00", "2024-05-10 09:00:00", "2024-05-10 09:00:00"),  # on time
        order("1009", "公安局", "2024-05-02 09:00:00", "2024-06-10 09:00:00", ""),  # due in June
        order("1100", "教育局", "2024-05-02 09:00:00", "2024-05-10 09:00:00", ""),
        order("1200", "安定镇", "2024-05-02 09:00:00", **late, returned="是"),
        order("1300", "三市镇", "2024-05-02 09:00:00", "2024-05-10 09:00:00", ""),
        order("1301", "三市镇", "2024-05-02 09:00:00", "2024-05-10 09:00:00", ""),
        order("1400", "邮政公司", "2024-05-02 09:00:00", "2024-05-10 09:00:00", ""),
        order("1401", "电信公司", "2024-05-02 09:00:00", "2024-05-10 09:00:00", ""),
    ]


class TestOverdue:
    def test_overdue_table(self, make_orders, registry, pj_scheme):
        over = metrics.overdue(make_orders(overdue_rows()), registry, MAY, pj_scheme)
        assert over[["label", "group", "overdue", "unjustified"]].values.tolist() == [
            ["三市镇", "乡镇(街道)", 2, 2],
            ["安定镇", "乡镇(街道)", 1, 0],
            ["公安局", "县直单位", 3, 2],
            ["教育局", "县直单位", 1, 1],
            ["无系统单位", "无系统单位", 2, 2],
        ]
        ids = dict(zip(over["label"], over["unjustified_ids"]))
        assert ids["公安局"] == ("1002", "998")  # numeric, latest first
        assert ids["三市镇"] == ("1301", "1300")
        assert ids["安定镇"] == ()
        assert ids["无系统单位"] == ("1401", "1400")

    def test_unjustified_overdue(self, make_orders, registry, pj_scheme):
        over = metrics.overdue(make_orders(overdue_rows()), registry, MAY, pj_scheme)
        table = metrics.unjustified_overdue(over)
        # units outside the assessment are counted as overdue but carry no deduction: not listed here
        assert table[["label", "unjustified"]].values.tolist() == [
            ["三市镇", 2], ["公安局", 2], ["教育局", 1],
        ]

    def test_no_overdue(self, make_orders, registry, pj_scheme):
        orders = make_orders([order("1", "公安局", "2024-05-02 09:00:00", "2024-05-10 09:00:00", "2024-05-03 09:00:00")])
        over = metrics.overdue(orders, registry, MAY, pj_scheme)
        assert over.empty
        assert list(over.columns) == ["label", "group", "assessed", "overdue", "open", "unjustified", "unjustified_ids"]

    def test_deductions_and_graded_units(self, make_orders, registry, pj_scheme):
        orders = make_orders(overdue_rows())
        table = metrics.evaluation(orders, registry, MAY, pj_scheme)
        # 公安局: 4 due, 3 handled, 1 on time -> 22.5 + 7.5 + 20 + 20 = 70.0
        assert dict(zip(table["short"], table["composite"])) == {
            "公安局": Decimal("70.0"), "教育局": Decimal("40.0"), "安定镇": Decimal("70.0"), "三市镇": Decimal("40.0"),
        }
        over = metrics.overdue(orders, registry, MAY, pj_scheme)
        deductions = metrics.deductions(table, over, pj_scheme)
        got = {
            r.label: (r.unjustified, r.overdue_points, None if pd.isna(r.grade) else r.grade, r.grade_points, r.total)
            for r in deductions.itertuples()
        }
        assert got == {
            "公安局": (2, Decimal("1.0"), "D", Decimal("6"), Decimal("7.0")),
            "教育局": (1, Decimal("0.5"), "D", Decimal("6"), Decimal("6.5")),
            "安定镇": (0, Decimal("0"), "D", Decimal("6"), Decimal("6")),
            "三市镇": (2, Decimal("1.0"), "D", Decimal("6"), Decimal("7.0")),
        }  # 无系统单位 is outside the assessment: nothing deducted
        assert metrics.graded_units(table, pj_scheme) == {
            "B": [], "C": [], "D": ["公安局", "教育局", "安定镇", "三市镇"],
        }


# ====================================================================== categories, totals
class TestCategories:
    ROWS = [
        order("1", "公安局", "2024-05-02 09:00:00", "2024-05-20 09:00:00", category="城乡建设类"),
        order("2", "公安局", "2024-05-02 09:00:00", "2024-05-20 09:00:00", category="城乡建设类"),
        order("3", "", "2024-05-02 09:00:00", "", "2024-05-02 09:10:00", mode="直接办结", category="城乡建设类"),
        order("4", "", "2024-05-31 23:59:59", "", "2024-05-31 23:59:59", mode="直接办结", category="城乡建设类"),
        order("5", "安定镇", "2024-05-02 09:00:00", "2024-05-20 09:00:00", category="市场管理类"),
        order("6", "安定镇", "2024-05-02 09:00:00", "2024-05-20 09:00:00", category="市场管理类"),
        order("7", "", "2024-05-02 09:00:00", "", "2024-05-02 09:10:00", mode="直接办结", category="公共服务类"),
        order("8", "", "2024-05-01 00:00:00", "", "2024-05-02 09:10:00", mode="直接办结", category="公共服务类"),
        order("9", "公安局", "2024-05-02 09:00:00", "2024-05-20 09:00:00", category="环境保护类"),
        # not in May
        order("10", "公安局", "2024-04-30 23:59:59", "2024-05-20 09:00:00", category="环境保护类"),
        order("11", "", "2024-06-01 00:00:00", "", "2024-06-01 00:10:00", mode="直接办结", category="环境保护类"),
    ]

    def test_shares_over_all_requests(self, make_orders, pj_scheme):
        table = metrics.categories(make_orders(self.ROWS), MAY, pj_scheme)
        assert table["category"].tolist() == ["城乡建设类", "公共服务类", "市场管理类", "环境保护类"]
        assert table["count"].tolist() == [4, 2, 2, 1]
        assert table["share"].tolist() == [Decimal("44.44"), Decimal("22.22"), Decimal("22.22"), Decimal("11.11")]
        assert table["total"].tolist() == [9, 9, 9, 9]

    def test_top(self, make_orders, pj_scheme):
        table = metrics.categories(make_orders(self.ROWS), MAY, pj_scheme, top=2)
        assert table["category"].tolist() == ["城乡建设类", "公共服务类"]

    def test_totals(self, make_orders):
        assert metrics.totals(make_orders(self.ROWS), MAY) == {"requests": 9, "work_orders": 5, "direct": 4}


# ====================================================================== violations
VIOLATION_ROWS = [
    order("2001", "公安局", "2024-05-02 09:00:00", "2024-05-20 09:00:00", extensions=2),
    order("2002", "公安局", "2024-05-02 09:00:00", "2024-05-20 09:00:00", extensions=1),
    order("2003", "公安局", "2024-05-02 09:00:00", "2024-05-20 09:00:00", send_backs=2),
    order("2004", "公安局", "2024-05-02 09:00:00", "2024-05-20 09:00:00", send_backs=1),
    order("2005", "公安局", "2024-05-02 09:00:00", "2024-05-20 09:00:00", extensions=3, send_backs=2),
    order("2006", "邮政公司", "2024-05-02 09:00:00", "2024-05-20 09:00:00", extensions=2),
    order("2007", "公安局", "2024-05-02 09:00:00", "2024-06-20 09:00:00", extensions=5),  # due in June
]
EXPECTED_VIOLATIONS = [
    ["回退", "2003", "公安局", 2],
    ["回退", "2005", "公安局", 2],
    ["延期", "2001", "公安局", 2],
    ["延期", "2005", "公安局", 3],
    ["延期", "2006", "无系统单位", 2],
]


class TestViolations:
    def test_rules(self, make_orders, registry, pj_scheme):
        table = metrics.violations(make_orders(VIOLATION_ROWS), registry, MAY, pj_scheme)
        assert table[["rule", "order_id", "label", "count"]].values.tolist() == EXPECTED_VIOLATIONS

    def test_sorted_by_order_id_whatever_the_file_order(self, make_orders, registry, pj_scheme):
        table = metrics.violations(make_orders(list(reversed(VIOLATION_ROWS))), registry, MAY, pj_scheme)
        assert table[["rule", "order_id", "label", "count"]].values.tolist() == EXPECTED_VIOLATIONS

    def test_none(self, make_orders, registry, pj_scheme):
        table = metrics.violations(make_orders(VIOLATION_ROWS[1:2]), registry, MAY, pj_scheme)
        assert table.empty
        assert list(table.columns) == ["rule", "order_id", "label", "count"]


# ====================================================================== rankings
RANK_UNITS = [
    ("甲局", "县直单位", "", "是"),
    ("乙局", "县直单位", "", "是"),
    ("丙局", "县直单位", "", "是"),
    ("丁局", "县直单位", "", "是"),
    ("戊局", "县直单位", "", "是"),
    ("己局", "县直单位", "", "是"),
    ("东镇", "乡镇(街道)", "", "是"),
    ("西镇", "乡镇(街道)", "", "是"),
]


def rank_rows() -> list[dict]:
    rows: list[dict] = []

    def add(unit, *, on_time=0, open_=0, late=0, later=0):
        for kind, n in (("on_time", on_time), ("open", open_), ("late", late), ("later", later)):
            for _ in range(n):
                deadline = "2024-06-20 09:00:00" if kind == "later" else "2024-05-20 09:00:00"
                closed = {"on_time": "2024-05-10 09:00:00", "late": "2024-05-25 09:00:00"}.get(kind, "")
                rows.append(order(str(3000 + len(rows)), unit, "2024-05-02 09:00:00", deadline, closed))

    add("甲局", on_time=1)  # 100, accepted 1
    add("乙局", on_time=3)  # 100, accepted 3
    add("丙局", on_time=3)  # 100, accepted 3
    add("丁局", on_time=2)  # 100, accepted 2
    add("戊局", on_time=1, open_=1, later=8)  # 70, accepted 10
    add("己局", later=5)  # unrated, accepted 5
    add("东镇", on_time=1)  # 100, accepted 1
    add("西镇", on_time=1, late=1)  # 85 (B), accepted 2
    return rows


class TestRankings:
    @pytest.fixture
    def table(self, tmp_path, make_orders, pj_scheme):
        reg = load_units(write_units(tmp_path / "rank-units.csv", RANK_UNITS))
        return metrics.evaluation(make_orders(rank_rows(), reg), reg, MAY, pj_scheme)

    def test_evaluation_order(self, table):
        assert table["unit"].tolist() == ["乙局", "丙局", "丁局", "甲局", "戊局", "己局", "东镇", "西镇"]
        assert table["composite"].tolist()[:5] == [Decimal("100.0")] * 4 + [Decimal("70.0")]
        assert table["accepted"].tolist() == [3, 3, 2, 1, 10, 5, 1, 2]
        assert row_of(table, "西镇")["composite"] == Decimal("85.0")
        assert row_of(table, "西镇")["grade"] == "B"

    def test_composite_ranking(self, table, pj_scheme):
        top = metrics.composite_ranking(table, pj_scheme)
        assert top["unit"].tolist() == ["东镇", "西镇", "乙局", "丙局", "丁局"]
        assert metrics.composite_ranking(table, pj_scheme, top=1)["unit"].tolist() == ["东镇", "乙局"]

    def test_volume_ranking(self, table, pj_scheme):
        top = metrics.volume_ranking(table, pj_scheme)
        assert top[["unit", "accepted"]].values.tolist() == [
            ["西镇", 2], ["东镇", 1], ["戊局", 10], ["己局", 5], ["乙局", 3],
        ]
        four = metrics.volume_ranking(table, pj_scheme, top=4)
        assert four["unit"].tolist() == ["西镇", "东镇", "戊局", "己局", "乙局", "丙局"]


# ====================================================================== mailbox
class TestMailbox:
    ROWS = [
        letter("L1", "县长信箱", "2024-05-02 09:00:00", "2024-05-17 09:00:00", "2024-05-10 09:00:00", "公安局", "满意"),
        letter("L2", "县长信箱", "2024-05-02 09:00:00", "2024-05-17 09:00:00", "2024-05-17 09:00:00", "公安局", "基本满意"),
        letter("L3", "县长信箱", "2024-05-02 09:00:00", "2024-05-17 09:00:00", "2024-05-18 09:00:00", "安定镇", "不满意"),
        letter("L4", "县长信箱", "2024-05-02 09:00:00", "2024-05-17 09:00:00", "", "安定镇", "未评价"),
        letter("L5", "市长信箱", "2024-05-31 23:59:59", "2024-06-15 09:00:00", "2024-06-01 09:00:00", "教育", "非常满意"),
        letter("L6", "市长信箱", "2024-05-03 09:00:00", "2024-05-18 09:00:00", "2024-05-04 09:00:00", "安定镇", "非常满意"),
        letter("L7", "微信公众号", "2024-05-03 09:00:00", "2024-05-18 09:00:00", "2024-05-04 09:00:00", "公安局", ""),
        letter("L8", "省长信箱", "2024-04-30 23:59:59", "2024-05-15 09:00:00", "2024-05-04 09:00:00", "公安局", "满意"),
    ]

    def test_mailbox(self, make_letters, pj_scheme):
        table = metrics.mailbox(make_letters(self.ROWS), MAY, pj_scheme)
        assert table["channel"].tolist() == ["市长信箱", "县长信箱", "微信公众号"]
        assert table[["letters", "on_time", "evaluated", "satisfied", "very_satisfied"]].values.tolist() == [
            [2, 2, 2, 2, 2],
            [4, 2, 3, 2, 0],
            [1, 1, 0, 0, 0],
        ]
        assert table["satisfaction"].tolist() == [Decimal("100.00"), Decimal("66.67"), None]

    def test_very_satisfied_letters(self, make_letters, registry):
        table = metrics.very_satisfied_letters(make_letters(self.ROWS), registry, MAY)
        assert table.values.tolist() == [["教育局", 1], ["安定镇", 1]]


# ====================================================================== month over month
class TestMonthOverMonth:
    def test_change(self, make_orders):
        orders = make_orders([
            order("1", "公安局", "2024-04-02 09:00:00", "2024-04-20 09:00:00", category="城乡建设类"),
            order("2", "公安局", "2024-04-02 09:00:00", "2024-04-20 09:00:00", category="城乡建设类"),
            order("3", "", "2024-04-02 09:00:00", "", "2024-04-02 09:10:00", mode="直接办结", category="公共服务类"),
            order("4", "公安局", "2024-05-02 09:00:00", "2024-05-20 09:00:00", category="城乡建设类"),
            order("5", "公安局", "2024-05-02 09:00:00", "2024-05-20 09:00:00", category="市场管理类"),
            order("6", "", "2024-05-02 09:00:00", "", "2024-05-02 09:10:00", mode="直接办结", category="市场管理类"),
            order("7", "", "2024-05-02 09:00:00", "", "2024-05-02 09:10:00", mode="直接办结", category="市场管理类"),
        ])
        table = metrics.month_over_month(orders, None, MAY)
        rows = {r.item: (r.current, r.previous, r.change, r.change_rate) for r in table.itertuples()}
        assert rows["热线诉求总量"] == (4, 3, 1, Decimal("33.33"))
        assert rows["派单工单"] == (2, 2, 0, Decimal("0.00"))
        assert rows["直接办结"] == (2, 1, 1, Decimal("100.00"))
        assert rows["城乡建设类"] == (1, 2, -1, Decimal("-50.00"))
        assert rows["市场管理类"] == (3, 0, 3, None)
        assert "群众来信" not in rows
        assert metrics.month_over_month(orders, None, "2024-04") is None
