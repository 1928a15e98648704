"""The scheme's [wording] templates, value bounds, capped order lists and trailing zeros."""

from __future__ import annotations

from decimal import Decimal

import pytest

import pyhotline as ph
from conftest import scheme_variant
from pyhotline import bulletin as bt
from pyhotline.check import check_files
from pyhotline.errors import SchemeError
from pyhotline.numbers import pct, plain
from pyhotline.scheme import load_scheme
from pyhotline.scheme_fields import WORDING_PLACEHOLDERS


@pytest.fixture(scope="module")
def data():
    return ph.load_dataset()


def test_bundled_scheme_writes_out_every_template(pj_scheme):
    raw = pj_scheme.raw["wording"]
    assert set(raw) == set(WORDING_PLACEHOLDERS)
    assert pj_scheme.words("graded", units="三墩乡", grade="D", grade_name=pj_scheme.grade_name("D"), points="6") == "三墩乡考核等级为D类，扣6分"


@pytest.mark.parametrize(
    "old, new, needle",
    [
        ("rate_decimals = 2 ", "rate_decimals = 7 ", "rounding.rate_decimals 应为 0 到 6"),
        ("top_n = 3 ", "top_n = 51 ", "ranking.top_n 应为 1 到 50"),
        ('unjustified_overdue_per_order = "0.5"', 'unjustified_overdue_per_order = "101"', "应在 0 到 100"),
        ('deduction = "6"', 'deduction = "-1"', "等级 D 的 deduction"),
        ('graded = "{units}考核等级为{grade_name}，扣{points}分"', 'graded = "{unit}考核等级"', "{unit}"),
        ('graded = "{units}考核等级为{grade_name}，扣{points}分"', 'graded = "{units"', "花括号"),
        ("keep_trailing_zeros = false", 'keep_trailing_zeros = "no"', "true 或 false"),
        ("max_orders_per_unit = 5", "max_orders_per_unit = -1", "bulletin.max_orders_per_unit"),
    ],
)
def test_values_out_of_range_are_named(tmp_path, old, new, needle):
    with pytest.raises(SchemeError) as info:
        load_scheme(scheme_variant(tmp_path, (old, new)))
    assert needle in str(info.value)


def test_unknown_wording_key(tmp_path):
    path = scheme_variant(tmp_path, ("[wording]\n", "[wording]\nheadline = \"x\"\n"))
    with pytest.raises(SchemeError, match="headline"):
        load_scheme(path)


def test_check_finds_a_missing_or_undecodable_requirements_file(tmp_path):
    path = scheme_variant(tmp_path)  # the copy's requirements file is not beside it
    result = check_files(scheme=path)
    assert any("工作要求" in str(p) for p in result.problems)
    (tmp_path / "pingjiang-requirements.md").write_bytes("工作要求".encode("gbk"))
    result = check_files(scheme=path)
    assert any("UTF-8" in str(p) for p in result.problems)


def test_other_wording_and_grade_names_reach_the_text(tmp_path, data):
    path = scheme_variant(
        tmp_path,
        ('name = "A"\n', 'name = "优秀"\n'), ('name = "B"\n', 'name = "良好"\n'),
        ('name = "C"\n', 'name = "合格"\n'), ('name = "D"\n', 'name = "不合格"\n'),
        ('problem_quality = "工单办理质量有差距"', 'problem_quality = "办理质量待提高"'),
        ('quality_cause = "因结案内容不规范等原因被退回重办情况较多，导致综合指标分值较低。"', 'quality_cause = "部分单位综合得分偏低。"'),
        ('graded = "{units}考核等级为{grade_name}，扣{points}分"', 'graded = "{units}评为“{grade}”，扣{points}分"'),
        ('satisfaction_channel = "市长信箱"', 'satisfaction_channel = "县长信箱"'),
    )
    report = ph.monthly_report("2024-05", data, load_scheme(path))
    heads = dict(bt.problems(report))
    text = heads["办理质量待提高"]
    assert text.startswith("部分单位综合得分偏低。") and "三墩乡评为“不合格”，扣6分" in text
    assert "退回重办" not in text and "考核等级" not in text
    letters = bt.para_letters(report)
    assert "县长信箱群众满意率为" in letters and "市长信箱群众满意率" not in letters
    from pyhotline.figures import figures  # figures.json states the channel the text states (stranger finding 3)

    box = figures(report)["mailbox"]
    assert box["satisfaction_channel"] == "县长信箱"
    assert f"县长信箱群众满意率为{box['mayor_mailbox_satisfaction_rate']}" in letters
    assert box["mayor_mailbox_satisfaction_rate"] == box["satisfaction_by_channel"]["县长信箱"]
    assert 'class="grade-D"' in bt.appendix_html(report)  # shading by rank, whatever the names


def test_order_lists_are_capped_per_unit(tmp_path, data, pj_scheme):
    report = ph.monthly_report("2024-05", data, pj_scheme)
    assert "梅仙镇[242019]、[233459]" in bt.problems(report)[0][1]  # the reference: nobody above the cap of 5
    capped = ph.monthly_report("2024-05", data, load_scheme(scheme_variant(
        tmp_path, ("max_orders_per_unit = 5", "max_orders_per_unit = 1"))))
    assert "梅仙镇[242019]等2件" in bt.problems(capped)[0][1]


def test_trailing_zeros_kept_when_the_scheme_says_so(tmp_path, data):
    assert (plain(Decimal("84.20")), plain(Decimal("84.20"), keep_zeros=True)) == ("84.2", "84.20")
    assert (pct(Decimal("100.00")), pct(Decimal("100.00"), keep_zeros=True)) == ("100%", "100.00%")
    scheme = load_scheme(scheme_variant(tmp_path, ("keep_trailing_zeros = false", "keep_trailing_zeros = true")))
    table = ph.monthly_report("2024-05", data, scheme).appendix()
    first = table.iloc[0]
    assert (first["办结率"], first["综合指标值"]) == ("100.00%", "100.0")
