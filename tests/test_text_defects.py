"""Stranger-review defects of the text: no "每件扣0分", names ending in a digit, spaces inside names."""

from __future__ import annotations

import pandas as pd
import pytest

import pyhotline as ph
from conftest import scheme_variant
from pyhotline import bulletin_text as bt
from pyhotline.io.columns import Column
from pyhotline.io.values import _convert
from pyhotline.sample import sample_dir
from pyhotline.scheme import load_scheme


@pytest.fixture(scope="module")
def data():
    return ph.load_dataset()


def test_no_deduction_leaves_the_clause_out(tmp_path, data):
    path = scheme_variant(
        tmp_path,
        ('[deductions]\nunjustified_overdue_per_order = "0.5"', "[deductions]"),
        ('deduction = "4"', 'deduction = "0"'),
    )
    report = ph.monthly_report("2024-05", data, load_scheme(path))
    text = "".join(body for _, body in bt.problems(report))
    assert "无故超期" in text and "扣0分" not in text and "每件扣" not in text
    assert "C类" not in text  # a grade without a deduction is not named (metrics.graded_units)
    bundled = "".join(body for _, body in bt.problems(ph.monthly_report("2024-05", data, load_scheme("pingjiang"))))
    assert "每件扣0.5分" in bundled and "C类，扣4分" in bundled


class _Report:
    def __init__(self, scheme):
        self.scheme = scheme


def test_a_name_ending_in_a_digit_does_not_run_into_its_count(pj_scheme):
    report = _Report(pj_scheme)
    assert bt.count_after(report, "第二中学3", 5) == "第二中学3共5件"
    assert bt.count_after(report, "第二中学", 5) == "第二中学5件"


def test_spaces_inside_unit_names_are_kept():
    col = Column("单位名称", "name", "label")
    values = pd.Series(["  Hong Kong Road 社区 ", "XX 镇  政府", "三墩乡"])
    out = _convert(values, col, path=None, rows=pd.Series([2, 3, 4]))
    assert list(out) == ["Hong Kong Road 社区", "XX 镇 政府", "三墩乡"]


# ---------------------------------------------------------------- 环比 against a partial previous month (issue 10 item 7)
def _sample_orders(path, keep):
    """The sample's orders whose 受理时间 (text, YYYY-MM-DD HH:MM:SS) passes ``keep``."""
    import csv


    with open(sample_dir() / "orders.csv", encoding="utf-8-sig", newline="") as src, \
            open(path, "w", encoding="utf-8", newline="") as out:
        rows = csv.reader(src)
        writer = csv.writer(out)
        writer.writerow(next(rows))
        writer.writerows(r for r in rows if keep(r[1]))
    return path


@pytest.fixture(scope="module")
def april_from_15th(tmp_path_factory):
    """A store whose orders start on 2024-04-15 (the sample's, with the units and letters)."""
    from pyhotline.store import import_files

    folder = tmp_path_factory.mktemp("april15")
    orders = _sample_orders(folder / "工单.csv", lambda t: t >= "2024-04-15")
    store = folder / "store.duckdb"
    import_files(store, orders=orders, letters=sample_dir() / "letters.csv", units=sample_dir() / "units.csv")
    return store, orders


@pytest.fixture(scope="module")
def every_ratio(tmp_path_factory):
    """平江's scheme with min_previous_ratio = 0 (a previous month with any request is compared)."""
    folder = tmp_path_factory.mktemp("ratio0")
    return load_scheme(scheme_variant(folder, ('min_previous_ratio = "0.5"', 'min_previous_ratio = "0"')))


def _may(store=None, scheme=None, **files):
    return ph.period_report("2024-05", ph.load_period("2024-05", store=store, scheme=scheme, **files), scheme)


NOTE = "（4月数据只含4月15日至4月30日，环比仅供参考）"


def test_a_previous_month_starting_late_is_said_in_the_sentence(april_from_15th, every_ratio):
    import matplotlib.pyplot as plt

    from pyhotline.bulletin import bulletin_chart
    from pyhotline.figures import figures

    store, _ = april_from_15th
    report = _may(store, every_ratio)
    text = bt.para_month_over_month(report)
    assert text.startswith("5月份热线工单较上月增加") and NOTE + "；变化较大的分类是" in text, text
    ax = bulletin_chart(report, "month_over_month")[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["本月", "上月（4月15日至4月30日）"]
    plt.close(ax.figure)
    assert figures(report)["month_over_month_previous_covered"] == [["2024-04-15", "2024-04-30"]]


def test_the_one_shot_path_and_a_file_read_as_it_is_say_the_same(april_from_15th, every_ratio):

    _, orders = april_from_15th
    files = {"orders": orders, "units": sample_dir() / "units.csv", "letters": sample_dir() / "letters.csv"}
    once = _may(scheme=every_ratio, **files)
    assert NOTE in bt.para_month_over_month(once)
    read = ph.monthly_report("2024-05", ph.load_dataset(**files), every_ratio)  # no store: the file's own first day
    assert bt.para_month_over_month(read) == bt.para_month_over_month(once)


def test_left_out_by_the_scheme_or_the_ratio_and_said_in_the_data_note(april_from_15th, every_ratio, tmp_path):
    from pyhotline.bulletin import bulletin_chart, quality_warnings
    from pyhotline.figures import figures

    store, _ = april_from_15th
    omit = load_scheme(scheme_variant(tmp_path, ('min_previous_ratio = "0.5"', 'min_previous_ratio = "0"'),
                                      ('partial_previous = "note"', 'partial_previous = "omit"')))
    assert omit.mom_partial_previous == "omit" and every_ratio.mom_partial_previous == "note"
    note = "4月数据只含4月15日至4月30日，不是整月，本月未作环比"
    for scheme in (omit, load_scheme("pingjiang")):  # the bundled ratio 0.5 leaves this April out too
        report = _may(store, scheme)
        assert report.month_over_month is None and bt.para_month_over_month(report) is None
        assert bulletin_chart(report, "month_over_month") is None
        assert "month_over_month" not in figures(report) and note in figures(report)["data_notes"]
        assert note in quality_warnings(report)


def test_a_previous_month_stopping_early_is_said_too(tmp_path, every_ratio):
    from pyhotline.store import import_files

    store = tmp_path / "store.duckdb"
    april = _sample_orders(tmp_path / "四月.csv", lambda t: t < "2024-04-21")
    may = _sample_orders(tmp_path / "五月.csv", lambda t: t >= "2024-05-01")
    import_files(store, orders=april, units=sample_dir() / "units.csv")
    import_files(store, orders=may, letters=sample_dir() / "letters.csv")
    assert "（4月数据只含4月1日至4月20日，环比仅供参考）" in bt.para_month_over_month(_may(store, every_ratio))


def test_a_whole_previous_month_says_nothing_more(pj_scheme):
    report = _may(scheme=pj_scheme)  # the bundled sample: the reference's sentence, byte for byte
    assert report.previous_covered is None
    assert bt.para_month_over_month(report) == "5月份热线工单较上月减少8件，环比下降0.63%；变化较大的分类是农业农村类减少32件、社情民意类增加23件。"
