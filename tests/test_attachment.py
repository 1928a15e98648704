"""Capped lists in the text and the complete lists behind them (issue 11 item 6, docs/layout.md "附件3").

A hand-made month: 安定镇 with 8 回退 and 7 延期 violations, 公安局 with 7 unjustified overdue orders,
三市镇 with one of each. The text names at most ``bulletin.max_orders_per_unit`` (5) per unit and list
("等N件"); the complete lists are pyhotline.order_lists' and every output holds them.
"""

from __future__ import annotations

import re

import pytest

import pyhotline as ph
from pyhotline import bulletin_text as bt
from pyhotline import order_lists
from conftest import order, write_orders, write_units


def _orders() -> list[dict]:
    rows = []
    for i in range(8):  # 安定镇: 8 orders sent back twice (回退违规)
        rows.append(order(f"31{i:02d}", "安定镇", "2024-05-02 09:00:00", "2024-05-10 18:00:00",
                          "2024-05-09 10:00:00", send_backs=2))
    for i in range(7):  # 安定镇: 7 orders extended twice (延期违规)
        rows.append(order(f"32{i:02d}", "安定镇", "2024-05-03 09:00:00", "2024-05-20 18:00:00",
                          "2024-05-19 10:00:00", extensions=2))
    for i in range(7):  # 公安局: 7 closed after their deadline, not returned by the city (无故超期)
        rows.append(order(f"33{i:02d}", "平江县公安局", "2024-05-04 09:00:00", "2024-05-12 18:00:00",
                          "2024-05-14 10:00:00"))
    rows.append(order("3400", "三市镇", "2024-05-05 09:00:00", "2024-05-15 18:00:00", "2024-05-14 10:00:00",
                      send_backs=3))
    rows.append(order("3401", "三市镇", "2024-05-05 09:00:00", "2024-05-15 18:00:00", "2024-05-14 10:00:00",
                      extensions=2))
    rows.append(order("3402", "三市镇", "2024-05-05 09:00:00", "2024-05-15 18:00:00", "2024-05-16 10:00:00"))
    rows += [order(f"35{i:02d}", "平江县民政局", "2024-05-06 09:00:00", "2024-05-16 18:00:00",
                   "2024-05-15 10:00:00") for i in range(5)]
    return rows


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attachment")
    return write_orders(folder / "orders.csv", _orders()), write_units(folder / "units.csv")


@pytest.fixture(scope="module")
def data(files, pj_scheme):
    orders, units = files
    return ph.load_period("2024-05", orders=orders, units=units, scheme=pj_scheme)


@pytest.fixture(scope="module")
def report(data, pj_scheme):
    return ph.period_report("2024-05", data, pj_scheme)


def test_the_text_names_at_most_five_orders_per_unit(report):
    heads = dict(bt.problems(report))
    late = heads["工单办理不注重时效"]
    assert "还有8个工单无故超期" in late
    assert "分别是三市镇[3402]，公安局[3306]、[3305]、[3304]、[3303]、[3302]等7件。" in late
    three = heads["担当精神还需提升"]
    assert three == (
        "工单[3100]、[3101]、[3102]、[3103]、[3104]等8件被安定镇多次回退，导致工单多次流转；"
        "工单[3400]被三市镇回退3次，导致该工单多次流转；"
        "安定镇承办的工单[3200]、[3201]、[3202]、[3203]、[3204]等7件多次申请延期，不符合延期不超过1次的规定；"
        "三市镇承办的工单[3401]申请延期2次，不符合延期不超过1次的规定。")
    assert len(re.findall(r"\[\d+\]", three)) == 12  # bounded: 5 + 1 + 5 + 1 numbers for 17 orders


def test_the_lists_are_complete_and_their_counts_are_the_texts(report):
    table = order_lists.problem_orders(report)
    assert len(table) == 8 + 8 + 1 + 7 + 1
    per_unit = table.groupby(["problem", "label"]).size().to_dict()
    assert per_unit == {("unjustified", "公安局"): 7, ("unjustified", "三市镇"): 1, ("send_back", "安定镇"): 8,
                        ("send_back", "三市镇"): 1, ("extension", "安定镇"): 7, ("extension", "三市镇"): 1}
    assert table["accepted_at"].notna().all() and table["deadline"].notna().all()
    assert set(table.loc[table["problem"] == "send_back", "count"]) == {2, 3}
    assert order_lists.is_cut(report)


def test_a_note_replaces_its_order_in_a_units_sentence(report, data, tmp_path):
    notes = ph.load_notes(_note(tmp_path, "3100", "安定镇回退的工单[3100]另有说明。"), data.orders, report.month)
    three = dict(bt.problems(report, notes))["担当精神还需提升"]
    assert three.startswith("安定镇回退的工单[3100]另有说明。工单[3101]、[3102]、[3103]、[3104]、[3105]等7件被安定镇")


def _note(tmp_path, order_id, text):
    path = tmp_path / "2024-05.md"
    path.write_text(f"# 备注\n\n## 工单 {order_id}\n{text}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def written(report, tmp_path_factory):
    from pyhotline.bulletin import Bulletin

    doc = Bulletin(report, output_dir=tmp_path_factory.mktemp("out"), issue=9, date="2024-07-10")
    for part in (doc.masthead, doc.basic, doc.problems, doc.requirements, doc.appendix, doc.problem_orders):
        part()
    doc.save_docx()
    return doc


EXPECTED_ROWS = 25


def test_attachment_3_in_the_html_lists_every_order(written, report):
    html = written.shown["problem_orders"]
    assert '<p class="attachment-ref">附件3</p>' in html
    assert "2024年5月份12345政务服务热线通报问题工单清单" in html
    assert html.count("<tr>") == 1 + EXPECTED_ROWS
    assert "<th>单位</th><th>工单编号</th><th>问题</th><th>受理时间</th><th>办理时限</th><th>办结时间</th>" in html
    assert "<td>安定镇</td><td>3107</td><td>回退2次</td><td>2024-05-02 09:00</td><td>2024-05-10 18:00</td>" in html
    assert "3.2024年5月份12345政务服务热线通报问题工单清单" in written.shown["requirements"].replace(" ", "")
    for personal in ("张先生", "13800000000", "路灯"):  # no caller name, phone or request text
        assert personal not in html


def test_attachment_3_in_the_docx_is_a_word_table_with_a_repeating_header(written):
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(str(written.output_dir / "bulletin.docx"))
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "工单编号")
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert len(rows) == 1 + EXPECTED_ROWS
    assert rows[1][:3] == ["三市镇", "3402", "无故超期"]
    assert ["安定镇", "3206", "延期2次", "2024-05-03 09:00", "2024-05-20 18:00", "2024-05-19 10:00"] in rows
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert doc.sections[-1].page_width > doc.sections[-1].page_height  # landscape like 附件1
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "附件3" in text and "13800000000" not in text


def test_the_sheet_of_problem_orders_in_evaluation_xlsx(written):
    from openpyxl import load_workbook

    book = load_workbook(written.output_dir / "evaluation.xlsx")
    assert book.sheetnames == ["综合评价表", "问题工单"]
    rows = [[c.value for c in r] for r in book["问题工单"].iter_rows(min_row=2)]
    assert rows[0] == ["单位", "工单编号", "问题", "受理时间", "办理时限", "办结时间"]
    assert len(rows) == 1 + EXPECTED_ROWS
    assert sorted(r[1] for r in rows[1:] if r[2].startswith("回退")) == [f"31{i:02d}" for i in range(8)] + ["3400"]


def test_nothing_cut_no_attachment_3_but_the_sheet(tmp_path, pj_scheme):
    from pyhotline.bulletin import Bulletin
    from openpyxl import load_workbook

    sample = ph.period_report("2024-05", ph.load_period("2024-05", scheme=pj_scheme), pj_scheme)
    doc = Bulletin(sample, output_dir=tmp_path)
    assert not order_lists.is_cut(sample)
    assert doc.problem_orders().data == "" and "附件3" not in doc.requirements().data
    doc.appendix()
    sheet = load_workbook(tmp_path / "evaluation.xlsx")["问题工单"]
    ids = [r[1].value for r in sheet.iter_rows(min_row=3)]
    assert sorted(ids) == sorted(["242019", "233459", "219337", "217784", "209525", "203468", "234376", "206794"])


def test_a_long_attachment_is_cut_in_the_documents_and_whole_in_the_sheet(data, tmp_path):
    from openpyxl import load_workbook

    from conftest import scheme_variant
    from pyhotline.bulletin import Bulletin, problem_orders_html

    scheme = ph.load_scheme(scheme_variant(tmp_path, ("max_attachment_rows = 500", "max_attachment_rows = 10")))
    report = ph.period_report("2024-05", data, scheme)
    html = problem_orders_html(report)
    assert html.count("<tr>") == 1 + 10
    assert f"共{EXPECTED_ROWS}件，此处列出前10件；完整名单见评价表文件（evaluation.xlsx）的“问题工单”表。" in html
    Bulletin(report, output_dir=tmp_path).appendix()
    assert load_workbook(tmp_path / "evaluation.xlsx")["问题工单"].max_row == 2 + EXPECTED_ROWS


def test_list_sheet_writes_every_cell_as_text(tmp_path):
    """The sheet's cells are strings whatever they look like (a formula, an error code, leading zeros), and
    a character no worksheet can hold is refused, as openpyxl's own cells do."""
    import pandas as pd
    from openpyxl import Workbook, load_workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    from pyhotline.export import _list_sheet
    from pyhotline.sheet_rows import save_workbook

    wb = Workbook()
    _list_sheet(wb, "问题工单", "标题", pd.DataFrame({"a": ["=1+1", "#N/A", "梅仙镇"], "b": ["00123", "", "x"]}))
    save_workbook(wb, tmp_path / "list.xlsx")  # the rows are written on saving (pyhotline.sheet_rows)
    cells = [[c for c in row] for row in load_workbook(tmp_path / "list.xlsx")["问题工单"].iter_rows(min_row=3)]
    # the empty text is an empty string cell in the file, read back as no value (as openpyxl always wrote it)
    assert [[c.value for c in row] for row in cells] == [["=1+1", "00123"], ["#N/A", None], ["梅仙镇", "x"]]
    assert {c.data_type for row in cells for c in row if c.value is not None} == {"s"}
    with pytest.raises(IllegalCharacterError):
        _list_sheet(Workbook(), "问题工单", "标题", pd.DataFrame({"a": ["bad\x01"]}))


def test_list_sheet_rows_are_the_xml_openpyxl_writes(tmp_path):
    """pyhotline.sheet_rows writes the rows of 问题工单 as text: the sheet's XML is byte for byte what openpyxl
    writes with a cell object per value (escapes, non-ASCII, outer white space, empty cells, long text)."""
    import zipfile

    import pandas as pd
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell

    from pyhotline.export import _list_sheet
    from pyhotline.sheet_rows import save_workbook

    values = ["", " a", "a ", "\u3000x", "a&b<c>d\"e'f", "x\ry", "x\ny", "x\tz", "😀ok", "梅仙镇", "]]>", "=1+1",
              "#N/A", "\x85a", "a\u00a0", "x" * 40000, "PJ20240503-0012", "2024-05-02 09:00"]
    table = pd.DataFrame({"单位": values, "工单编号": values[::-1], "问题": ["无故超期"] * len(values)})
    ours = Workbook()
    _list_sheet(ours, "问题工单", "标题", table)
    save_workbook(ours, tmp_path / "ours.xlsx")
    theirs = Workbook()
    ws = _list_sheet(theirs, "问题工单", "标题", table.head(0))
    del ws._pyhotline_rows  # the rows as openpyxl cells instead
    for i, row in enumerate(zip(*(table[c].tolist() for c in table.columns)), start=3):
        for j, value in enumerate(row, start=1):
            cell = Cell(ws, row=i, column=j, value=value)
            cell.data_type = "s"
            ws._add_cell(cell)
    theirs.save(tmp_path / "theirs.xlsx")
    sheet = "xl/worksheets/sheet2.xml"
    assert zipfile.ZipFile(tmp_path / "ours.xlsx").read(sheet) == zipfile.ZipFile(tmp_path / "theirs.xlsx").read(sheet)
