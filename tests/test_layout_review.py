"""Layout defects found by the stranger reviews, checked on data and structure (not image snapshots).

附件1 with a 29-character unit name (县人力资源和社会保障局劳动保障监察综合行政执法大队): in the PDF the other
headers went vertical (one character a line); in LibreOffice's print of the DOCX numbers split ("97.78" / "%").
Now the name wraps, headers keep three characters a line and every number stays whole."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from docx import Document
from docx.oxml.ns import qn

import pyhotline as ph
from docx_print import libreoffice_pdf, needs_libreoffice
from pyhotline import word
from pyhotline.bulletin import Bulletin
from pyhotline.render import html_to_pdf, notebook_to_html

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
LONG = "县人力资源和社会保障局劳动保障监察综合行政执法大队"
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")


@pytest.fixture(scope="module")
def long_name(tmp_path_factory):
    """The sample month with 人社局's full name replaced by a 29-character one: 附件1 only, as PDF and DOCX."""
    out = tmp_path_factory.mktemp("long-name")
    units = (SAMPLE / "units.csv").read_text(encoding="utf-8")
    assert "平江县人力资源和社会保障局,县直单位,人社局" in units
    (out / "units.csv").write_text(units.replace("平江县人力资源和社会保障局,县直单位,人社局",
                                                 f"{LONG},县直单位,人社局、平江县人力资源和社会保障局"), encoding="utf-8")
    rules = ph.load_scheme("pingjiang")
    report = ph.monthly_report("2024-05", ph.load_dataset(SAMPLE / "orders.csv", out / "units.csv", scheme=rules), rules)
    doc = Bulletin(report, output_dir=out, issue=9, date="2024-07-10")
    doc.appendix()
    doc.save_docx()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": html}) for html in doc.shown.values()])]
    html_to_pdf(notebook_to_html(nb, title="附件1"), out / "appendix.pdf")
    table = report.appendix(with_group=False)
    groups = report.evaluation["group"].tolist()
    rows = [[str(v) for v in row] for g, row in zip(groups, table.itertuples(index=False)) if g == "县直单位"]
    return {"pdf": out / "appendix.pdf", "docx": out / "bulletin.docx", "head": list(table.columns), "rows": rows,
            "out": out}


def _lines(pdf: Path, page: int) -> list[tuple[float, list[str]]]:
    """(top in pt, the line's words) of each text line of a page (``pdftotext -bbox-layout``)."""
    from lxml import etree

    xml = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, check=True, timeout=120).stdout
    return [(float(line.get("yMin")), [w.text for w in line.iter("{*}word")])
            for line in etree.fromstring(xml).iter("{*}line")]


def _check_printed_table(pdf: Path, head: list[str], rows: list[list[str]]) -> None:
    """The first page of 附件1 as printed: headers on at most three lines, every number of a row whole."""
    from pypdf import PdfReader

    page = next(i for i, p in enumerate(PdfReader(pdf).pages, start=1) if "县直单位" in p.extract_text())
    lines = _lines(pdf, page)
    words = [w for _, ws in lines for w in ws]
    text = "".join(words)
    assert LONG not in words  # it wraps: the name is not on one line of the table...
    assert LONG[:13] in text  # ...and the first line holds at least 13 characters of it
    # headers: the lines between the caption 县直单位 and the first unit's row
    top = next(y for y, ws in lines if "县直单位" in ws)
    first = next(y for y, ws in lines if ws and ws[0] == rows[0][0])
    header_lines = {round(y) for y, _ in lines if top < y < first}
    assert 1 <= len(header_lines) <= 3, sorted(header_lines)  # vertical headers took six lines or more
    # each number of each row of the first page is a whole word of the page, as many times as the table holds it
    from collections import Counter

    on_page = Counter(words)
    shown = [r for r in rows if r[0] in text or r[0] == LONG]
    assert len(shown) > 10
    needed = Counter(v for r in shown for v in r[1:])
    short = {v: n for v, n in needed.items() if on_page[v] < n}
    assert not short, short


@needs_poppler
def test_pdf_a_long_unit_name_wraps_and_headers_and_numbers_stay_readable(long_name):
    _check_printed_table(long_name["pdf"], long_name["head"], long_name["rows"])


def test_docx_columns_hold_their_numbers_and_the_name_wraps(long_name):
    document = Document(str(long_name["docx"]))
    table = document.tables[0]
    grid = [int(c.get(qn("w:w"))) / 56.6929 for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]  # twips -> mm
    assert len(grid) == len(long_name["head"])
    assert sum(grid) == pytest.approx(word.layout.TEXT_HEIGHT.mm, abs=1)
    slack = 2 * word.layout.CELL_MARGIN.mm
    for i, width in enumerate(grid[1:], start=1):
        longest = max(word.layout.text_width_mm(r[i], 10.5) for r in long_name["rows"])
        assert longest + slack <= width, (long_name["head"][i], width)
        assert width >= 3 * 10.5 * 25.4 / 72  # a header keeps three characters a line
    assert grid[0] >= word.layout.NAME_MIN_CHARS * 10.5 * 25.4 / 72
    assert grid[0] < word.layout.text_width_mm(LONG, 10.5)  # the long name wraps
    cells = table._tbl.findall(".//" + qn("w:tc"))
    assert all(c.find(qn("w:tcPr")).find(qn("w:vAlign")).get(qn("w:val")) == "center" for c in cells)


def test_column_widths_keep_short_names_on_one_line():
    head = ["部门名称"] + ["受理案件数"] * 12
    rows = [["平江县人力资源和社会保障局"] + ["97.78%"] * 12]
    widths = word.layout.column_widths(head, rows, 225, 10.5)
    assert widths[0] >= word.layout.text_width_mm(rows[0][0], 10.5)
    long = word.layout.column_widths(head, [[LONG] + ["97.78%"] * 12], 225, 10.5)
    assert long[1:] == pytest.approx(widths[1:], abs=8) and min(long[1:]) >= word.layout.text_width_mm("97.78%", 10.5)
    assert sum(long) == pytest.approx(225)


@needs_libreoffice
@needs_poppler
def test_libreoffice_prints_the_long_name_table_with_whole_numbers(long_name):
    pdf = libreoffice_pdf(long_name["docx"], long_name["out"] / "lo")
    _check_printed_table(pdf, long_name["head"], long_name["rows"])


# ---------------------------------------------------------------- the Droid FontNote: once per environment
def test_a_skipped_incomplete_font_is_noted_once_per_environment(monkeypatch, tmp_path):
    """The note about a font skipped for lacking digits (fonts-droid-fallback) printed on every run; it is now
    given once per environment (a later process, here: the per-process memory cleared, says nothing), while the
    font is still skipped every time and a note that matters (characters no font has) is still given."""
    import warnings

    from test_fonts import as_system, droid_like

    from pyhotline import fonts

    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    monkeypatch.setenv("PYHOTLINE_NOTES_FILE", str(tmp_path / "notes" / "font-notes"))
    incomplete = droid_like(tmp_path)
    as_system(monkeypatch, (incomplete, "Droid Sans Fallback"))

    def run(text=""):  # a new process: nothing cached, nothing noted in memory
        fonts.clear_cache()
        fonts._NOTED.clear()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            face = fonts.find_cjk_face("sans", text=text)
        return face, [str(w.message) for w in caught if issubclass(w.category, fonts.FontNote)]

    try:
        face, notes = run()
        assert len(notes) == 1 and str(incomplete) in notes[0] and "只显示一次" in notes[0]
        for _ in range(2):
            face, notes = run()
            assert notes == []
            assert face.family == "Noto Sans CJK SC" and str(incomplete) in face.skipped[0]  # still skipped
            assert fonts.missing(face, fonts.REQUIRED_TEXT) == ""
        face, notes = run("\U0001F600")  # no font has it: said every time
        assert any("\U0001F600" in n for n in notes)
        face, notes = run("\U0001F600")
        assert any("\U0001F600" in n for n in notes)
        # another environment (Python prefix) hears it once again
        monkeypatch.setattr("sys.prefix", str(tmp_path / "other-venv"))
        assert len(run()[1]) == 1
        # a notes file that cannot be written: the note is given (never lost)
        monkeypatch.setenv("PYHOTLINE_NOTES_FILE", str(incomplete / "x"))
        assert len(run()[1]) == 1 and len(run()[1]) == 1
    finally:
        fonts.clear_cache()
        fonts._NOTED.clear()


# ---------------------------------------------------------------- "排名前二位的县直机关为：人社局"
def _ranking_sentences(report) -> list[str]:
    from pyhotline import bulletin_text as bt

    return bt.para_rankings(report).split("。")


def test_ranking_sentences_say_as_many_as_they_name(pj_scheme):
    """The review's 白河县 had top_n = 2 and one ranked 县直机关: "排名前二位的县直机关为：人社局". {n} is now the
    number named when a type has fewer, and a type with a single ranked unit has its own sentence."""
    import dataclasses
    import re

    from pyhotline.bulletin_text import cn_number

    report = ph.monthly_report("2024-05", ph.load_dataset(scheme=pj_scheme), pj_scheme)
    whole = _ranking_sentences(report)
    assert sum("排名前三位" in s for s in whole) == 4  # the sample: three named in each (the golden text)

    def named(sentence: str) -> list[str]:
        return sentence.split("：", 1)[1].split("、")

    two_and_one = dataclasses.replace(
        report,
        volume_top=report.volume_top.groupby("group", sort=False).head(2).reset_index(drop=True),
        composite_top=report.composite_top.groupby("group", sort=False).head(1).reset_index(drop=True),
    )
    sentences = [s for s in _ranking_sentences(two_and_one) if "：" in s]
    assert len(sentences) == 4
    for s in sentences:
        units = named(s)
        said = re.search(r"前(.)位", s)
        if len(units) == 1:
            assert said is None and "排名第一的" in s, s
        else:
            assert said and said[1] == cn_number(len(units)), s
    # the scheme's top_n above what a type holds: {n} is what is named
    from pyhotline import ranking

    wide = dataclasses.replace(report, scheme=dataclasses.replace(pj_scheme, top_n=50),
                               volume_top=ranking.volume_ranking(report.evaluation, pj_scheme, top=50),
                               composite_top=ranking.composite_ranking(report.evaluation, pj_scheme, top=50))
    for s in (s for s in _ranking_sentences(wide) if "：" in s):
        said = re.search(r"前(.{1,4})位", s)
        assert said and said[1] == cn_number(len(named(s))) and len(named(s)) > 3, s
