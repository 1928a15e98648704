"""bulletin.docx: read back with python-docx (figures, fonts, page set-up, footers), then printed by
LibreOffice and looked at as PNG (that test is skipped where ``soffice`` is not installed)."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

import pyhotline as ph
from docx_print import libreoffice_pdf
from pyhotline import word
from pyhotline.bulletin import Bulletin

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
FIGURES = json.loads((REFERENCE / "pingjiang-2024-05-figures.json").read_text(encoding="utf-8"))


def make_bulletin(out: Path, *, notes=None, month: str = "2024-05") -> Bulletin:
    """What the notebook does, without papermill: every part displayed, then the Word file saved."""
    rules = ph.load_scheme("pingjiang")
    report = ph.monthly_report(month, ph.load_dataset(scheme=rules), rules)
    doc = Bulletin(report, output_dir=out, issue=9, date="2024-07-10", **({"notes": notes} if notes else {}))
    for part in ("masthead", "basic", "problems", "requirements", "appendix", "charts"):
        getattr(doc, part)()
    doc.save_docx()
    return doc


@pytest.fixture(scope="module")
def docx_path(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("word")
    make_bulletin(out)
    return out / "bulletin.docx"


@pytest.fixture(scope="module")
def document(docx_path):
    return Document(str(docx_path))


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return re.sub(r"\s+", "", "".join(parts))


def reference_figures() -> list[str]:
    """Every figure the reference bulletin states, as the bulletin writes it (spaces removed)."""
    hot, box = FIGURES["hotline"], FIGURES["mailbox"]
    out = ["平江政务督查", "第9期", "2024年7月10日", f"共受理12345热线工单{hot['work_orders_accepted']}件"]
    out += [f"{c['category']}{c['count']}件，占比{c['share']}" for c in hot["top_categories"]]
    for key in ("top3_volume_towns", "top3_volume_departments", "top3_composite_towns", "top3_composite_departments"):
        out.append("、".join(hot[key]))
    out.append(f"超期办结工单{hot['overdue_total']}件")
    out += [f"{unit}{n}件" for unit, n in hot["overdue_by_unit"].items()]
    out += [f"{unit}" + "、".join(f"[{i}]" for i in ids) for unit, ids in hot["unjustified_overdue_orders"].items()]
    out.append(f"每件扣{hot['unjustified_overdue_deduction_per_order']}分")
    for grade in ("B", "C", "D"):
        out.append("、".join(hot[f"grade_{grade}_units"]) + f"考核等级为{grade}类，扣{hot['grade_deduction_points'][grade]}分")
    out += [f"[{case['order']}]" for case in hot["named_cases"]]
    out.append(f"共受理群众来信{box['letters_total']}件")
    out += [f"{channel}{n}件" for channel, n in box["by_channel"].items()]
    out.append(f"市长信箱群众满意率为{box['mayor_mailbox_satisfaction_rate']}")
    # the reference writes 交通局 where the registry's short name is 交通运输局: either spelling counts
    lookup = ph.load_dataset().registry.lookup
    county = FIGURES["county"]
    out += [tuple(f"{u}{n}件" for u in (unit, lookup.get(unit, unit).removeprefix(county)))
            for unit, n in box["very_satisfied_letters"].items()]
    return out


def missing_from(text: str) -> list:
    return [f for f in reference_figures() if not any(x in text for x in ((f,) if isinstance(f, str) else f))]


def test_the_docx_holds_every_figure_of_the_reference(document):
    text = all_text(document)
    missing = missing_from(text)
    assert not missing
    assert "2024年5月份平江县12345热线和市、县长信箱运行办理情况通报" in text
    for heading in ("一、基本情况", "二、存在的问题", "三、工作要求"):
        assert heading in [p.text for p in document.paragraphs if p.style.name == "Heading 1"], heading


def test_the_evaluation_table_is_real_word_tables_with_every_row_of_the_reference(document):
    with open(REFERENCE / "pingjiang-2024-05-appendix.csv", encoding="utf-8", newline="") as fh:
        expected = [row for row in csv.reader(fh)]
    header, rows = expected[0][1:], [row[1:] for row in expected[1:]]  # the group is the table's caption
    tables = [t for t in document.tables if t.rows[0].cells[0].text == header[0]]
    assert len(tables) == 2  # one per unit type, as in the PDF
    got = [[c.text for c in r.cells] for t in tables for r in t.rows[1:]]
    assert [[c.text for c in t.rows[0].cells] for t in tables] == [header, header]
    assert got == rows
    # the header row repeats on every page of a long table
    assert all(t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None for t in tables)


def test_charts_are_pictures_and_text_is_text(document, docx_path):
    import zipfile

    with zipfile.ZipFile(docx_path) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(media) == 6 and all(n.endswith(".png") for n in media)
        assert not [n for n in z.namelist() if "thumbnail" in n]
    captions = [p.text for t in document.tables for r in t.rows for c in r.cells for p in c.paragraphs]
    assert sum(bool(re.match(r"图\d", c)) for c in captions) == 6


ROLES = {
    "Normal": "仿宋_GB2312", "Heading 1": "黑体", "Heading 2": "楷体_GB2312", "Title": "方正小标宋简体",
}


def test_east_asian_fonts_are_set_on_every_run_and_in_the_defaults(document):
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312" and fonts.get(qn("w:ascii")) == "仿宋_GB2312"
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    for name, font in ROLES.items():
        rfonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:eastAsia")) == font, name
        assert not [a for a in rfonts.attrib if "Theme" in a or "theme" in a], name  # a theme font would win
    runs = [r for p in document.paragraphs for r in p.runs if r.text.strip()]
    runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs
             if r.text.strip()]
    for footer in (document.sections[0].footer, document.sections[0].even_page_footer):
        runs += [r for p in footer.paragraphs for r in p.runs if r.text.strip()]
    assert len(runs) > 150
    unset = [r.text for r in runs if r._r.rPr is None or r._r.rPr.rFonts is None
             or not r._r.rPr.rFonts.get(qn("w:eastAsia"))]
    assert not unset
    used = {r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in runs}
    assert used == {"仿宋_GB2312", "方正小标宋简体", "黑体", "宋体"}
    by_text = {p.text: p.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) for p in document.paragraphs if p.runs}
    assert by_text["平江政务督查"] == "方正小标宋简体" and by_text["一、基本情况"] == "黑体"
    assert by_text["二、存在的问题"] == "黑体"


def test_the_font_table_names_a_substitute_for_each_official_font(docx_path):
    import zipfile

    with zipfile.ZipFile(docx_path) as z:
        table = z.read("word/fontTable.xml").decode("utf-8")
    for name, alt in word.FONTS.values():
        assert re.search(rf'<w:font w:name="{name}"><w:altName w:val="{alt}"/>', table), name


def test_page_is_a4_with_the_gbt9704_margins_and_line_grid(document):
    first = document.sections[0]
    mm = lambda v: round(v / Mm(1), 1)  # noqa: E731
    assert (mm(first.page_width), mm(first.page_height)) == (210, 297)
    assert (mm(first.top_margin), mm(first.left_margin)) == (37, 28)  # 天头, 订口
    assert (mm(first.page_width - first.left_margin - first.right_margin),
            mm(first.page_height - first.top_margin - first.bottom_margin)) == (156, 225)  # 版心
    grid = first._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:linePitch")) == "579"  # 22 lines of 28.95 pt
    normal = document.styles["Normal"]
    assert normal.font.size.pt == 16 and normal.paragraph_format.line_spacing.pt == pytest.approx(28.95)
    spacing = normal.element.rPr.find(qn("w:spacing")).get(qn("w:val"))
    assert 27.5 * (16 + int(spacing) / 20) <= 156 / 25.4 * 72 <= 28.5 * (16 + int(spacing) / 20)  # 28 a line
    assert document.styles["Title"].font.size.pt == 22
    # attachments on landscape pages, the 版心 turned
    last = document.sections[-1]
    assert mm(last.page_width) == 297 and mm(last.page_width - last.left_margin - last.right_margin) == 225


def test_page_numbers_right_on_odd_pages_left_on_even_pages(document, docx_path):
    import zipfile

    with zipfile.ZipFile(docx_path) as z:
        settings = z.read("word/settings.xml").decode("utf-8")
    assert "<w:evenAndOddHeaders/>" in settings
    first = document.sections[0]
    odd, even = first.footer.paragraphs[0], first.even_page_footer.paragraphs[0]
    for p, align in ((odd, "right"), (even, "left")):
        assert p.paragraph_format.alignment.name.lower() == align
        xml = p._p.xml
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert p.text.replace("1", "") == "—  —"
        assert {r.font.size.pt for r in p.runs} == {14}
    # the footer's 14 pt line starts 7 mm below the 版心
    bottom = first.bottom_margin / Mm(1)
    assert round(bottom - first.footer_distance / Mm(1) - 14 * 25.4 / 72, 1) == 7.0


def test_the_docx_holds_no_personal_data(docx_path):
    import zipfile

    from tests.test_bulletin import _personal_values

    with zipfile.ZipFile(docx_path) as z:
        text = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
        core = z.read("docProps/core.xml").decode("utf-8")
    assert "python-docx" not in core and "平江县人民政府督查室" in core
    leaked = [v for v in _personal_values() if v in text]
    assert not leaked, leaked[:5]


# ---------------------------------------------------------------- printed by LibreOffice
def _words(pdf: Path, page: int) -> list[tuple[float, str]]:
    """(top in mm, text) of each line of a page, from ``pdftotext -bbox-layout``."""
    from lxml import etree

    xml = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, check=True, timeout=120).stdout
    return [(float(line.get("yMin")) * 25.4 / 72, "".join(w.text for w in line.iter("{*}word")))
            for line in etree.fromstring(xml).iter("{*}line")]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")
def test_libreoffice_prints_the_docx_in_the_same_layout(docx_path, tmp_path):
    from pypdf import PdfReader

    pdf = libreoffice_pdf(docx_path, tmp_path)
    reader = PdfReader(pdf)
    first = reader.pages[0].mediabox
    assert (round(float(first.width)), round(float(first.height))) == (595, 842)
    assert round(float(reader.pages[-1].mediabox.width)) == 842  # attachments landscape
    # the PDF's page plan (tests/test_bulletin.py): 3 portrait pages, 附件1 on two, 附件2 on three (the full run,
    # with the trend chart on a page of its own: tests/test_bulletin.py compares the plans page by page)
    portrait = [float(page.mediabox.width) < float(page.mediabox.height) for page in reader.pages]
    assert portrait == [True] * 3 + [False] * 5
    assert "数据说明" in reader.pages[4].extract_text()  # the notes under the table, no page of their own
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    # a 、 at the end of a line hangs in the margin, and text extraction moves it
    missing = [f for f in missing_from(text) if not (isinstance(f, str) and f.replace("、", "") in text.replace("、", ""))]
    assert not missing
    assert "—1—" in text and "—2—" in text
    fonts = {str(f.get_object()["/BaseFont"]) for p in reader.pages for f in p["/Resources"].get("/Font", {}).values()}
    assert any("CJK" in f for f in fonts), fonts
    # never Droid Sans Fallback (no digits, Latin or punctuation of its own) nor a Latin-only stand-in
    assert not [f for f in fonts if "Droid" in f or "DejaVu" in f], fonts
    # page 1 as in the PDF: the masthead, the title off the line grid (one 33 pt line each, not two grid
    # lines), then 一、基本情况 about 127 mm from the top (WeasyPrint: 127.5 mm)
    words = _words(pdf, 1)
    title = [y for y, t in words if t.startswith("2024年5月份平江县")]
    second = [y for y, t in words if t.startswith("市、县长信箱运行")]
    heading = [y for y, t in words if t.startswith("一、基本情况")]
    assert title and second and heading
    assert (second[0] - title[0]) * 72 / 25.4 == pytest.approx(33, abs=1)
    assert heading[0] == pytest.approx(127.5, abs=3)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                       check=True, timeout=120)
        assert list(tmp_path.glob("page*.png"))


def test_the_pdf_and_the_docx_name_the_same_official_fonts_first():
    from pyhotline.render import OFFICIAL_FAMILIES, font_css
    from pyhotline.fonts import find_cjk_face

    assert {role: names[0] for role, names in OFFICIAL_FAMILIES.items()} == {r: n for r, (n, _) in word.FONTS.items()}
    css = font_css(find_cjk_face("serif"), find_cjk_face("sans"))
    body = next(line for line in css.splitlines() if line.startswith("body, table"))
    serif = find_cjk_face("serif").family
    assert body.index('"仿宋_GB2312"') < body.index('"仿宋"') < body.index(f'"{serif}"')  # 公文 names, then the fallback


def test_properties_are_in_schema_order_as_word_demands(docx_path):
    """Word refuses ("unreadable content") a document whose property children are out of ECMA-376 order."""
    import zipfile

    from lxml import etree

    from pyhotline.word.ooxml import SEQUENCES

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    checked = 0
    with zipfile.ZipFile(docx_path) as z:
        for name in ("word/document.xml", "word/styles.xml", "word/footer1.xml", "word/footer2.xml"):
            if name not in z.namelist():
                continue
            root = etree.fromstring(z.read(name))
            for parent, order in SEQUENCES.items():
                order = order.split()
                for el in root.iter(w + parent):
                    names = [c.tag.removeprefix(w) for c in el if c.tag.startswith(w)]
                    known = [n for n in names if n in order]
                    assert known == sorted(known, key=order.index), (name, parent, names)
                    checked += 1
    assert checked > 1000


def test_the_docx_opens_and_resaves_with_python_docx(docx_path, tmp_path):
    """A clerk's edit, as python-docx does it: open, change a paragraph, save, open again."""
    doc = Document(str(docx_path))
    target = next(p for p in doc.paragraphs if p.text.startswith("3、担当精神还需提升"))
    target.add_run("（已核实）")
    again = tmp_path / "edited.docx"
    doc.save(str(again))
    reread = Document(str(again))
    assert any(p.text.endswith("（已核实）") for p in reread.paragraphs)
    assert all_text(reread).replace("（已核实）", "") == all_text(Document(str(docx_path)))
    assert len(reread.sections) == len(doc.sections) and len(reread.tables) == len(doc.tables)
    assert reread.sections[0].footer.paragraphs[0].text == doc.sections[0].footer.paragraphs[0].text


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_resaves_the_docx_as_docx_keeping_text_fonts_and_page(docx_path, tmp_path):
    """Opened and saved again as .docx by LibreOffice (as Word or WPS would): the text, the fonts of East
    Asian runs, the page and its margins, the tables and the page numbers survive."""
    out = tmp_path / "resaved"
    out.mkdir()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(docx_path)],
        check=True, capture_output=True, timeout=300, env={**os.environ, "HOME": str(tmp_path)},
    )
    resaved = Document(str(out / docx_path.name))
    assert not missing_from(all_text(resaved))
    first = resaved.sections[0]
    mm = lambda v: round(v / Mm(1))  # noqa: E731
    assert (mm(first.page_width), mm(first.page_height), mm(first.top_margin), mm(first.left_margin)) == (210, 297, 37, 28)
    assert mm(resaved.sections[-1].page_width) == 297
    assert len([t for t in resaved.tables if t.rows[0].cells[0].text == "部门名称"]) == 2
    east_asian = {r._r.rPr.rFonts.get(qn("w:eastAsia")) for p in resaved.paragraphs for r in p.runs
                  if r.text.strip() and r._r.rPr is not None and r._r.rPr.rFonts is not None}
    assert {"仿宋_GB2312", "方正小标宋简体"} <= east_asian
    styles = {p.text: p.style.name for p in resaved.paragraphs}
    assert styles["一、基本情况"] == "Heading 1"
    footers = "".join(t.text or "" for s in resaved.sections for part in (s.footer, s.even_page_footer)
                      for t in part._element.iter(qn("w:instrText")))
    assert "PAGE" in footers


def test_properties_say_when_it_was_made_and_broken_lines_are_not_spread(document):
    """Stranger finding 12: the file said it was created and modified on 2013-12-23 (python-docx's
    template), and 数据说明's lines, joined by line breaks in a justified paragraph, were spread out
    letter by letter (注 意 ： 未 导 入 …)."""
    import datetime as dt

    from docx.enum.text import WD_ALIGN_PARAGRAPH

    props = document.core_properties
    today = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    created = props.created.replace(tzinfo=None)
    assert abs(created - today) < dt.timedelta(hours=2) and props.modified == props.created
    broken = [p for p in document.paragraphs if p._p.xpath(".//w:br[not(@w:type)]") and p.style.name != "Title"]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.LEFT for p in broken), [p.text[:30] for p in broken]


def test_the_title_is_centred_as_in_the_pdf(document):
    """Third review, finding 7: the Title paragraph (two lines, a manual break) carried jc=left, so Word and
    LibreOffice set it flush left; docs/layout.md and the PDF centre it."""
    title = next(p for p in document.paragraphs if p.style.name == "Title")
    jc = title._p.find(qn("w:pPr") + "/" + qn("w:jc"))
    assert jc is None or jc.get(qn("w:val")) == "center"
