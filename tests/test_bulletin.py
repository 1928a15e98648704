"""The bulletin end to end: papermill run of the notebook, HTML, PDF, XLSX, charts.

One real run of the sample month (about ten seconds) is shared by the tests.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from pypdf import PdfReader

import pyhotline as ph
from pyhotline import bulletin as bt
from pyhotline.runner import run_bulletins, run_month
from docx_print import libreoffice_pdf, needs_libreoffice, page_plan, render_pages

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
FIGURES = json.loads((REFERENCE / "pingjiang-2024-05-figures.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def produced(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    return run_month("2024-05", out_dir=out, issue=9, date="2024-07-10")


@pytest.fixture(scope="module")
def pdf_text(produced) -> str:
    reader = PdfReader(produced / "bulletin.pdf")
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_outputs_are_all_there(produced):
    assert produced.name == "2024-05"
    names = sorted(p.name for p in produced.iterdir())
    assert names == ["bulletin.docx", "bulletin.html", "bulletin.ipynb", "bulletin.pdf", "charts", "evaluation.xlsx",
                     "figures.json"]
    charts = sorted(p.name for p in (produced / "charts").iterdir())
    assert charts == [
        "01-categories.png", "02-month_over_month.png", "03-rank_towns.png",
        "04-rank_departments.png", "05-overdue.png", "06-mailbox.png", "07-trend.png",
    ]
    assert not [p for p in produced.parent.iterdir() if p.name.startswith(".")]  # no staging left


def test_pdf_is_a4_and_embeds_a_cjk_font(produced):
    reader = PdfReader(produced / "bulletin.pdf")
    first = reader.pages[0].mediabox
    assert (round(float(first.width)), round(float(first.height))) == (595, 842)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descendant = font.get("/DescendantFonts")
            if descendant:
                descriptor = descendant[0].get_object()["/FontDescriptor"].get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
    assert any("CJK" in f for f in fonts), fonts
    # 3 portrait pages of text, then 附件1 (one page per unit type, the notes under the second) and 附件2
    # (three pages of charts), the trend chart (pyhotline.period_bulletin): the page plan LibreOffice prints
    # bulletin.docx with (tests/test_word.py)
    portrait = [float(page.mediabox.width) < float(page.mediabox.height) for page in reader.pages]
    assert portrait == [True] * 3 + [False] * 6


@needs_libreoffice
def test_the_docx_prints_on_the_pages_of_the_pdf(produced, tmp_path):
    """issue 13: LibreOffice's print of bulletin.docx has the PDF's pages, page by page (orientation, where each
    附件 starts): the run's own Word file, trend chart included (附件2's title was left alone on a page of its
    own, 10 pages against 9, when its charts' page break went to the end of the title)."""
    printed = libreoffice_pdf(produced / "bulletin.docx", tmp_path)
    plan = page_plan(produced / "bulletin.pdf")
    assert plan == ["portrait"] * 3 + ["landscape 附件1", "landscape", "landscape 附件2"] + ["landscape"] * 3
    assert page_plan(printed) == plan
    assert len(render_pages(printed, [1, 6], tmp_path)) == 2


def test_pdf_holds_the_key_figures(pdf_text):
    hot, box = FIGURES["hotline"], FIGURES["mailbox"]
    expected = [
        "平江政务督查", "第9期", "2024年7月10日",
        "2024年5月份平江县12345热线和市、县长信箱运行办理情况通报",
        f"共受理12345热线工单{hot['work_orders_accepted']}件",
        *[f"{c['category']}{c['count']}件，占比{c['share']}" for c in hot["top_categories"]],
        f"热线超期办结工单{hot['overdue_total']}件",
        "梅仙镇[242019]、[233459]", "住建局[209525]、[203468]", "每件扣0.5分",
        "三墩乡考核等级为D类，扣6分", "[234376]", "[206794]",
        f"共受理群众来信{box['letters_total']}件", f"市长信箱群众满意率为{box['mayor_mailbox_satisfaction_rate']}",
        "2024年5月份12345政务服务热线综合评价表", "平江县市场监督管理局", "97.9%",
    ]
    missing = [e for e in expected if e not in pdf_text]
    assert not missing


def test_html_is_self_contained_and_holds_no_code(produced):
    html = (produced / "bulletin.html").read_text(encoding="utf-8")
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing fetched from the network
    for code in ("import pyhotline", "doc.", "load_dataset", "output_dir", "In&nbsp;[", "Out["):
        assert code not in html, code
    assert "injected-parameters" not in html
    assert html.count('src="data:image/png;base64,') == html.count("<img") == 7  # six charts and the trend
    assert "2024年5月份平江县12345热线和市、县长信箱运行办理情况通报" in html
    # readable without Chinese fonts on the machine: a subset of the CJK font travels with the page
    assert html.count("url(data:font/woff;base64,") == 1


def test_executed_notebook_keeps_the_parameters_for_audit(produced):
    nb = nbformat.read(str(produced / "bulletin.ipynb"), as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'month = "2024-05"' in injected[0].source


def test_evaluation_xlsx_is_the_reference_table(produced):
    from openpyxl import load_workbook

    from pyhotline.export import shown

    rows = list(load_workbook(produced / "evaluation.xlsx").active.iter_rows(min_row=3))
    expected = pd.read_csv(REFERENCE / "pingjiang-2024-05-appendix.csv", dtype=str)
    assert [[shown(c) for c in row] for row in rows] == expected.values.tolist()  # as Excel shows it


def test_committed_notebooks_are_thin_and_without_outputs():
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(str(path), as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path.name
        assert not any(re.search(r"^\s*(def|class)\s", c.source, re.M) for c in code), path.name
        assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1, path.name
        # county-neutral: another county's analyst reads these comments in their executed notebook
        assert not re.search("平江|pingjiang", "".join(c.source for c in nb.cells), re.I), path.name


def test_a_failing_month_is_reported_and_the_others_finish(tmp_path, capsys):
    # 2024-06 fails inside its notebook (its notes name an order it does not have); a month without
    # any data would be refused before any notebook starts (tests/test_cli_defects.py)
    out, notes = tmp_path / "out", tmp_path / "notes"
    notes.mkdir()
    (notes / "2024-06.md").write_text("# 备注\n\n## 工单 999999999\n没有这个工单。\n", encoding="utf-8")
    (out / "2024-06").mkdir(parents=True)
    (out / "2024-06" / "bulletin.pdf").write_text("the previous good bulletin")
    status = run_bulletins(months="2024-05:2024-06", out_dir=out, notes=notes, jobs=2)
    assert status == 1
    err = capsys.readouterr().err
    assert re.search(r"2024-06 通报（笔记本第 \d+ 个单元格）生成失败：.*999999999", err), err
    assert (out / "2024-05" / "bulletin.pdf").is_file()
    assert (out / "2024-06" / "bulletin.pdf").read_text() == "the previous good bulletin"
    assert sorted(p.name for p in out.iterdir()) == ["2024-05", "2024-06"]


def test_bulletin_text_for_a_month_with_open_and_no_overdue_orders():
    data = ph.load_dataset()
    report = ph.monthly_report("2024-06", data)
    text = bt.para_overdue(report)
    still_open = int(report.overdue["open"].sum())
    cut = data.as_of
    assert still_open > 0 and f"其中{still_open}件至{cut.year}年{cut.month}月{cut.day}日仍未办结" in text
    assert bt.para_month_over_month(report).startswith("6月份热线工单较上月")
    # February holds only the orders accepted then and due in March: too partial to compare against
    assert bt.para_month_over_month(ph.monthly_report("2024-03", data)) is None


def test_data_driven_strings_are_escaped():
    data = ph.load_dataset()
    report = ph.monthly_report("2024-05", data)
    hostile = report.evaluation.assign(unit=report.evaluation["unit"].where(
        report.evaluation.index != 0, "<script>alert(1)</script>"))
    html = bt.appendix_html(type(report)(**{**report.__dict__, "evaluation": hostile}))
    assert "<script>" not in html and "&lt;script&gt;" in html


def _personal_values() -> set[str]:
    import csv

    values: set[str] = set()
    for name, encoding, columns in (
        ("orders.csv", "utf-8-sig", ("来电人", "联系电话", "诉求内容")),
        ("letters.csv", "gb18030", ("来信人", "联系电话", "来信内容")),
    ):
        with open(ROOT / "data" / "sample" / name, encoding=encoding, newline="") as fh:
            for row in csv.DictReader(fh):
                values.update(row[c] for c in columns if row[c])
    return values


def test_no_personal_data_in_any_output(produced, pdf_text):
    import zipfile

    personal = _personal_values()
    assert len(personal) > 5000  # names, phones and request texts of the sample
    texts = {"pdf": pdf_text}
    for path in produced.rglob("*"):
        if path.suffix in (".html", ".ipynb"):
            texts[path.name] = path.read_text(encoding="utf-8")
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                texts[path.name] = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        elif path.suffix == ".png":
            from PIL import Image

            with Image.open(path) as im:
                texts[path.name] = json.dumps({k: str(v) for k, v in im.info.items()}, ensure_ascii=False)
    assert len(texts) == 1 + 3 + 7
    for where, text in texts.items():
        text = re.sub(r"[A-Za-z0-9+/=\\n]{400,}", "", text)  # embedded images: pixels, checked as PNG above
        leaked = [v for v in personal if v in text]
        assert not leaked, (where, leaked[:5])


def test_two_runs_of_the_same_month_at_once_do_not_mix(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(run_month, "2024-04", out_dir=tmp_path, issue=n) for n in (7, 8)]
        folders = [f.result() for f in futures]
    assert folders == [tmp_path / "2024-04"] * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024-04"]  # no staging folder or lock left
    final = tmp_path / "2024-04"
    html = (final / "bulletin.html").read_text(encoding="utf-8")
    nb = nbformat.read(str(final / "bulletin.ipynb"), as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    issue = re.search(r"issue = (\d+)", injected.source).group(1)
    assert f"第 {issue} 期" in html  # the notebook and the page come from the same run
    text = "".join(page.extract_text() for page in PdfReader(final / "bulletin.pdf").pages)
    assert f"第{issue}期" in re.sub(r"\s+", "", text)


def test_the_page_with_its_font_subset_is_the_same_every_run(monkeypatch):
    # the WOFF subset keeps the source font's head.modified, so two runs give the same bulletin.html
    from fontTools.ttLib.tables import _h_e_a_d as head

    from pyhotline.render import embed_font

    page = "<html><head><style></style></head><body><p>平江县 2024 年 5 月</p></body></html>"
    first = embed_font(page)
    monkeypatch.setattr(head, "timestampNow", lambda: 4_000_000_000)  # a later clock
    assert embed_font(page) == first
