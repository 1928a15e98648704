"""The scheme's [wording] templates, value bounds, capped order lists and trailing zeros."""

from __future__ import annotations

import re
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


# ---------------------------------------------------------------- every sentence frame from the scheme
#: the [wording] sentence frames of 一、基本情况, the period bulletin and the trend charts (docs/wording.md)
FRAME_KEYS = (
    "count_item", "work_orders", "work_orders_categories", "category_share", "increase", "decrease", "rise", "fall",
    "mom", "mom_same", "mom_change", "mom_rate", "moved", "moved_item", "rankings", "volume_top", "composite_top",
    "date", "as_of_unknown", "overdue_none", "overdue", "overdue_open", "letters", "letters_all_on_time",
    "letters_on_time", "letters_late", "letters_pending", "very_satisfied", "previous_period", "year_ago_period",
    "period_requests", "period_comparisons", "period_same", "period_change", "period_rate", "period_missing",
    "period_incomplete", "period_incomplete_more", "trend_title", "trend_caption", "trend_incomplete",
    "period_charts_heading", "period_trend_title", "period_trend_caption", "period_groups_title",
    "period_groups_caption",
)
#: the [series_wording] templates that were sentences in code before (docs/metrics.md)
SERIES_KEYS = (
    "yoy_same", "yoy_change", "yoy_rate", "follow_up_resolved", "follow_up_nobody", "previous_month",
    "previous_quarter", "previous_year", "year_ago_month", "year_ago_quarter", "year_ago_year", "note_no_previous",
    "note_few_months", "note_previous_period", "note_no_year_ago", "note_year_ago_gaps",
)


def _marker(key: str) -> str:
    return f"〔{key}〕"


def _only_placeholders(template: str) -> str:
    return "".join("{" + name + "}" for name in re.findall(r"\{(\w*)\}", template))


def _phrases(template: str, shortest: int = 2) -> set[str]:
    """The bundled template's own words (``shortest`` characters or more between placeholders and punctuation)."""
    return {p for piece in re.split(r"\{\w*\}", template) for p in re.split(r"[，。、；：（）“”\s]", piece)
            if len(p) >= shortest}


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    """The bundled scheme, every series part on, each template of FRAME_KEYS and SERIES_KEYS rewritten in its
    file to a marker before the bundled text (so the sentence still reads, and the marker says whose it is)."""
    import re
    import shutil

    from test_series import RANKING_ON, SERIES_ON

    bundled = load_scheme("pingjiang")
    folder = tmp_path_factory.mktemp("marked")
    shutil.copy(bundled.requirements_file, folder / bundled.requirements_file.name)
    text = bundled.path.read_text(encoding="utf-8")
    for key in FRAME_KEYS + SERIES_KEYS:
        text, n = re.subn(rf'(?m)^{key} = "(.*?)"', lambda m: f'{key} = "{_marker(key)}{_only_placeholders(m[1])}"', text)
        assert n == 1, key
    text = text.replace('unassessed_label = "无系统单位"\n', RANKING_ON) + SERIES_ON
    path = folder / "marked.toml"
    path.write_text(text, encoding="utf-8")
    return load_scheme(path)


def _changed(table, item: str, change: int):
    """A comparison table whose row ``item`` changed by ``change`` (rate 10% unless 0)."""
    out = table.copy()
    row = out["item"] == item
    out.loc[row, "change"] = change
    out.loc[row, "change_rate"] = Decimal("10") if change else None
    return out


def test_every_sentence_frame_is_the_schemes(marked, tmp_path, monkeypatch):
    """Each template of FRAME_KEYS/SERIES_KEYS rewritten to a marker and its placeholders: every marker is in the
    text made from the scheme (month, quarter, year; each branch: 持平/增加/减少, 超期 none/closed/open, letters late
    and pending …), and none of the bundled templates' own words is left in the sentences made of them alone."""
    import dataclasses
    from types import SimpleNamespace

    import pandas as pd

    from pyhotline import period as P
    from pyhotline import period_bulletin as pb
    from pyhotline import period_load as L
    from pyhotline.bulletin import quality_warnings
    from pyhotline.series import text as st
    from pyhotline.series import yoy

    framed: list[str] = []  # sentences made of FRAME_KEYS' templates only (and data)
    out: list[str] = []  # with other templates and 数据说明 lines
    may = ph.monthly_report("2024-05", ph.load_month("2024-05", scheme=marked), marked)
    february = ph.monthly_report("2024-02", ph.load_month("2024-02", scheme=marked), marked)  # no January
    for report in (may, february):
        framed += [bt.para_work_orders(report), bt.para_month_over_month(report) or "", bt.para_rankings(report),
                   bt.para_overdue(report), bt.para_letters(report)]
        out += [*st.basic_paragraphs(report), *st.problem_paragraphs(report), *quality_warnings(report)]
    mom = may.month_over_month
    for change in (0, 5):  # 持平; 增加/上升
        framed.append(bt.para_month_over_month(dataclasses.replace(may, month_over_month=_changed(mom, "派单工单", change))))
    opened = may.overdue.assign(open=1)
    framed += [bt.para_overdue(dataclasses.replace(may, overdue=opened)),
               bt.para_overdue(dataclasses.replace(may, overdue=opened, as_of=None)),
               bt.para_overdue(dataclasses.replace(may, overdue=may.overdue.iloc[0:0]))]
    box = may.mailbox.copy()
    box.loc[0, "on_time"], box.loc[0, "pending"] = box.loc[0, "letters"] - 3, 1
    framed.append(bt.para_letters(dataclasses.replace(may, mailbox=box)))
    for change in (0, -5):  # 同比: 持平; 减少
        parts = dataclasses.replace(may.series_parts, year_over_year=_changed(mom, "派单工单", change))
        out.append(st.para_year_over_year(dataclasses.replace(may, series_parts=parts)))
    follow = may.series_parts.follow_up
    for resolved in (True, False):
        parts = dataclasses.replace(may.series_parts, follow_up=follow.assign(resolved=resolved))
        out += st.problem_paragraphs(dataclasses.replace(may, series_parts=parts))
    orders = ph.load_dataset().orders  # 2024-03 is there: 2025-03's 同比 stops at the store's gaps
    out.append(yoy.year_over_year(orders, None, "2025-03", marked, ["缺"])[1])

    data = L.load_period("2024Q2", scheme=marked)
    covered = P.PeriodDataset(**{**data.__dict__, "covered": tuple(pd.period_range("2024-01", "2024-06", freq="M"))})
    quarter = P.period_report("2024Q2", covered, marked)
    uncovered = P.period_report("2024Q2", data, marked)
    year = P.period_report("2024", L.load_period("2024", scheme=marked), marked)
    for report in (quarter, uncovered, year):
        framed.append(pb.comparison_sentence(report))
        out += [*st.basic_paragraphs(report), *quality_warnings(report)]
    framed.append(pb.comparison_sentence(dataclasses.replace(quarter, previous=_changed(quarter.previous, "热线诉求总量", 0))))
    for period in (pd.Period("2024Q2", "Q"), pd.Period("2024", "Y")):  # the other periods' names
        out += st._others(period, st.wording(marked))

    titles = []
    for name in ("trend_chart", "group_trend"):
        draw = getattr(pb, name)
        monkeypatch.setattr(pb, name, lambda *a, _draw=draw, **k: titles.append(k.get("title")) or _draw(*a, **k))
    doc = SimpleNamespace(report=quarter, _figures=0, output_dir=tmp_path)
    framed.append(re.sub(r"<[^>]+>", "", pb.period_html(doc)))
    doc.report = may
    trend = quarter.series.assign(current=[False, False, True], complete=[True, False, True])
    framed += [re.sub(r"<[^>]+>", "", pb.trend_html(doc, trend)), *titles]

    text = "\n".join(t for t in framed + out if t)
    missing = [key for key in FRAME_KEYS + SERIES_KEYS if _marker(key) not in text]
    assert not missing, missing
    bundled = load_scheme("pingjiang")
    framed_text = "\n".join(t for t in framed if t)
    left = {key: sorted(p for p in _phrases(bundled.wording[key]) if p in framed_text) for key in FRAME_KEYS}
    assert not {k: v for k, v in left.items() if v}


@pytest.mark.parametrize("key, template, placeholder", [
    ("work_orders", "{period}共{total}件", "{total}"), ("mom_change", "较上月{direction}{count}件", "{count}"),
    ("trend_caption", "{month}近{months}个月", "{month}"), ("period_same", "与{other}持平{change}", "{change}"),
])
def test_an_unknown_placeholder_in_a_sentence_frame_is_a_scheme_error(tmp_path, key, template, placeholder):
    import re

    text = load_scheme("pingjiang").path.read_text(encoding="utf-8")
    text, n = re.subn(rf'(?m)^{key} = ".*?"', lambda _m: f'{key} = "{template}"', text)
    assert n == 1
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemeError, match=re.escape(f"wording.{key} 中有未知的占位符 {placeholder}")):
        load_scheme(path)


def test_an_unknown_placeholder_in_a_series_template_is_a_scheme_error(tmp_path):
    import re

    text = load_scheme("pingjiang").path.read_text(encoding="utf-8")
    text, n = re.subn(r'(?m)^note_no_year_ago = ".*?"', 'note_no_year_ago = "没有{label}的数据"', text)
    assert n == 1
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemeError, match="series_wording.note_no_year_ago 的占位符不对"):
        load_scheme(path)


#: 云溪县's own sentence frames (tests/county2/yunxi.toml [wording]) and, for each, a phrase its 2024-03 text says
YUNXI_FRAMES = {
    "work_orders": "3月份，全县12345热线共接收工单139件", "work_orders_categories": "按诉求类别统计居前三位的是：",
    "moved": "；变动较多的是", "volume_top": "工单量居前四位的是：", "composite_top": "综合指标值居前四位的",
    "overdue_open": "逾期工单21件（7件到2024年4月25日还未办结），涉及", "letters": "领导信箱共收到来信12件",
    "letters_on_time": "按时答复5件", "letters_late": "逾期答复7件", "very_satisfied": "评价为非常满意的来信5件：",
}


@pytest.fixture(scope="module")
def yunxi_march(tmp_path_factory):
    from county2.generate import generate
    from pyhotline.store import import_files

    county = generate(tmp_path_factory.mktemp("yunxi-frames"))
    rules = load_scheme(county.scheme_file)
    path = county.folder / "store" / "yunxi.duckdb"
    import_files(path, orders=[county.orders_file], units=[county.units_file], letters=[county.letters_file],
                 scheme=rules)
    return ph.monthly_report("2024-03", ph.load_month("2024-03", store=path, scheme=rules), rules)


def test_the_second_county_says_its_basic_situation_in_its_own_frames(yunxi_march):
    import tomllib

    report = yunxi_march
    said = "".join(p or "" for p in (bt.para_work_orders(report), bt.para_month_over_month(report),
                                      bt.para_rankings(report), bt.para_overdue(report), bt.para_letters(report)))
    for key, phrase in YUNXI_FRAMES.items():
        assert phrase in said, (key, phrase, said)
    own = tomllib.loads(report.scheme.path.read_text(encoding="utf-8"))["wording"]
    bundled = load_scheme("pingjiang").wording
    left = {key: sorted(p for p in _phrases(bundled[key], 3) if p in said) for key in FRAME_KEYS if key in own}
    assert not {k: v for k, v in left.items() if v}, said
    assert "云溪" in report.scheme.county and "共受理" not in said and "排行前" not in said


def test_the_appendix_unit_column_is_named_by_the_scheme(tmp_path, data):
    from pyhotline.bulletin import appendix_html
    from pyhotline.export import write_appendix

    bundled = load_scheme("pingjiang")
    assert bundled.raw["appendix"]["unit_header"] == "部门名称"
    assert ph.monthly_report("2024-05", data, bundled).appendix().columns[1] == "部门名称"
    path = scheme_variant(tmp_path, ('unit_header = "部门名称"', 'unit_header = "单位名称"'))
    report = ph.monthly_report("2024-05", data, load_scheme(path))
    table = report.appendix()
    assert list(table.columns[:2]) == ["单位类型", "单位名称"] and "部门名称" not in table.columns
    html = appendix_html(report)
    assert "<th>单位名称</th>" in html and "部门名称" not in html
    from openpyxl import load_workbook

    sheet = load_workbook(write_appendix(report, tmp_path / "evaluation.xlsx")).active
    assert sheet.cell(2, 2).value == "单位名称" and sheet.cell(3, 2).data_type == "s"
    assert sheet.cell(3, 2).alignment.horizontal is None and sheet.column_dimensions["B"].width == 28
    assert write_appendix(report, tmp_path / "x.csv").read_text(encoding="utf-8-sig").split(",")[1] == "单位名称"


@pytest.mark.parametrize("value, needle", [('""', "一行不超过 20 个字"), ('"等级评价"', "另一列的列名"), ("3", "一行不超过")])
def test_a_bad_unit_header_is_a_scheme_error(tmp_path, value, needle):
    with pytest.raises(SchemeError, match=needle):
        load_scheme(scheme_variant(tmp_path, ('unit_header = "部门名称"', f"unit_header = {value}")))


def test_the_work_order_sentence_may_state_the_shares_base(tmp_path, data):
    """Stranger finding 6: the text says 共受理…工单33件 and 劳动保障类10件，占比25.00%: the shares are of the
    40 requests (directly handled included), which only the chart stated. {requests} lets a county say so."""
    path = scheme_variant(tmp_path, (
        'work_orders = "{period}，共受理12345热线工单{count}件{categories}。"',
        'work_orders = "{period}，共受理12345热线诉求{requests}件，其中工单{count}件{categories}。"'))
    report = ph.monthly_report("2024-05", data, load_scheme(path))
    text = bt.para_work_orders(report)
    assert text.startswith(f"5月份，共受理12345热线诉求{report.totals['requests']}件，其中工单{report.totals['work_orders']}件")
    assert report.totals["requests"] == 2040 and "市场管理类426件，占比20.88%" in text
