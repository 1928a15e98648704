"""Stranger-review defects of the text: no "每件扣0分", names ending in a digit, spaces inside names."""

from __future__ import annotations

import pandas as pd
import pytest

import pyhotline as ph
from conftest import scheme_variant
from pyhotline import bulletin_text as bt
from pyhotline.io.columns import Column
from pyhotline.io.values import _convert
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
