"""The office's notes (pyhotline.notes): read, checked against the month's orders, merged into the
bulletin where they belong, in the HTML/PDF and the DOCX alike."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

import pyhotline as ph
from pyhotline import bulletin as bt
from pyhotline.notes import load_notes, parse_notes

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_NOTES = ROOT / "data" / "sample" / "notes"
REFERENCE_TEXT = (ROOT / "data" / "reference" / "pingjiang-2024-05-bulletin.txt").read_text(encoding="utf-8")


def reference_problem_3() -> str:
    line = next(line for line in REFERENCE_TEXT.splitlines() if line.startswith("3、担当精神还需提升："))
    return line.removeprefix("3、担当精神还需提升：").strip()


@pytest.fixture(scope="module")
def data():
    return ph.load_dataset()


@pytest.fixture(scope="module")
def report(data):
    return ph.monthly_report("2024-05", data)


def write(tmp_path: Path, text: str, name: str = "2024-05.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sample_notes_reproduce_the_reference_problem_3_word_for_word(data, report):
    notes = load_notes(SAMPLE_NOTES, data.orders, "2024-05")  # a folder: its 2024-05.md
    assert notes.path.name == "2024-05.md" and set(notes.orders) == {"234376", "206794"}
    head, text = bt.problems(report, notes)[2]
    assert head == "担当精神还需提升"
    assert text == reference_problem_3()
    # without notes, the generated sentence (figures from the data)
    assert bt.problems(report)[2][1].startswith("工单[234376]被自然资源局回退3次")


def test_a_note_on_one_order_keeps_the_generated_sentence_of_the_other(data, report, tmp_path):
    path = write(tmp_path, "## 工单 234376\n工单[234376]，情况复杂\n多次退回\n")
    text = bt.problems(report, load_notes(path, data.orders, "2024-05"))[2][1]
    assert text == "工单[234376]，情况复杂多次退回。龙门镇承办的工单[206794]申请延期2次，不符合延期不超过1次的规定。"


def test_an_order_the_month_does_not_hold_is_an_error_naming_it_file_and_line(data, tmp_path):
    path = write(tmp_path, "# 备注\n\n## 工单 234376\n有备注。\n\n## 工单 PJ20240503-0012\n不存在的工单。\n")
    with pytest.raises(ph.NotesError) as err:
        load_notes(path, data.orders, "2024-05")
    message = str(err.value)
    assert "2024-05.md" in message and "第 6 行" in message and "PJ20240503-0012" in message
    assert "不在 2024-05 的工单数据中" in message
    # an order of another month is not the month's either
    march_only = data.orders.loc[data.orders["accepted_at"].dt.month.eq(3) & data.orders["deadline"].dt.month.eq(3)
                                 & data.orders["closed_at"].dt.month.eq(3), "order_id"].iloc[0]
    with pytest.raises(ph.NotesError, match=str(march_only)):
        load_notes(write(tmp_path, f"## 工单 {march_only}\n三月的工单。\n"), data.orders, "2024-05")


def test_a_folder_without_the_month_has_no_notes_and_a_missing_file_is_an_error(data, tmp_path):
    assert load_notes(tmp_path, data.orders, "2024-05") is None
    assert load_notes(None, data.orders, "2024-05") is None
    with pytest.raises(ph.NotesError, match="找不到通报备注文件"):
        load_notes(tmp_path / "nope.md", data.orders, "2024-05")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("## 工单 234376\n甲\n\n## 工单 234376\n乙\n", 4, "已在第 1 行写过备注"),
        ("## 领导讲话\n内容\n", 1, "不认识的标题"),
        ("## 基本情况\n### 小标题\n", 2, "只用于 ## 典型案例"),
        ("## 工单 234376\n\n## 基本情况\n补充\n", 1, "备注是空的"),
        ("## 基本情况\n正常\n隐藏\u200b文字\n", 3, "U+200B"),
        ("## 基本情况\n方向\u202e反转\n", 2, "U+202E"),
        ("## 基本情况\n响铃\x07\n", 2, "U+0007"),
    ],
)
def test_bad_notes_are_one_clear_message_with_the_line(tmp_path, text, line, words):
    with pytest.raises(ph.NotesError) as err:
        parse_notes(write(tmp_path, text))
    assert f"第 {line} 行" in str(err.value) and words in str(err.value), str(err.value)


def test_notes_not_utf8_or_too_large_are_refused(tmp_path):
    path = tmp_path / "2024-05.md"
    path.write_bytes("## 基本情况\n补充\n".encode("gbk"))
    with pytest.raises(ph.NotesError, match="UTF-8"):
        parse_notes(path)
    path.write_bytes(b"#" * 1_000_001)
    with pytest.raises(ph.NotesError, match="过大"):
        parse_notes(path)


CASES = """\ufeff# 2024年5月份备注
说明文字，不进入通报：<b>不显示</b>

## 工单 234376
工单[234376]，涉及多米菜市场违建和流动摊贩管理，热线办根据行业管理原则派到自然资源局等单位，自然资源局以机构改革后执法权将收回为由多次退回工单，导致该工单多次延期。

## 工单 242019
梅仙镇承办的工单[242019]超期后已约谈经办人。

## 典型案例
### 一件噪音投诉的闭环办理
汉昌街道接单后当日上门，<script>alert(1)</script>协调商户调整营业时间。

第二段。

### 多部门联合处置
县城管局牵头，住建局配合。

## 一、基本情况
本月热线运行平稳。

## 工作要求
各单位于下月5日前报送整改情况。
"""


def test_cases_and_extra_paragraphs_go_where_they_belong(data, report, tmp_path):
    notes = load_notes(write(tmp_path, CASES), data.orders, "2024-05")
    basic = bt.basic_html(report, notes)
    assert basic.endswith("<p>本月热线运行平稳。</p>")
    problems = bt.problems_html(report, notes)
    assert problems.endswith("<p>梅仙镇承办的工单[242019]超期后已约谈经办人。</p>")  # not a named violation
    cases = bt.cases_html(notes)
    assert cases.startswith("<h2>三、典型案例</h2><h3>（一）一件噪音投诉的闭环办理</h3>")
    assert "<h3>（二）多部门联合处置</h3>" in cases and "<p>第二段。</p>" in cases
    assert "<script>" not in cases and "&lt;script&gt;" in cases  # the office's text is text
    requirements = bt.requirements_html(report, notes=notes)
    assert requirements.startswith("<h2>四、工作要求</h2>")
    assert requirements.endswith("<p>各单位于下月5日前报送整改情况。</p>")
    everything = basic + problems + cases + requirements
    assert "说明文字" not in everything and "不显示" not in everything  # the office's own remarks stay out
    assert bt.requirements_html(report).startswith("<h2>三、工作要求</h2>")  # no cases: numbering as before


def test_a_bulletin_run_with_notes_carries_them_into_the_pdf_and_the_docx(tmp_path):
    from pyhotline.runner import run_month

    folder = tmp_path / "notes"
    folder.mkdir()
    write(folder, CASES.replace("## 工单 242019\n梅仙镇承办的工单[242019]超期后已约谈经办人。\n", "")
          + "\n## 工单 206794\n龙门镇承办的工单[206794]，因信访专干个人原因两次申请延期，不符合规定。\n")
    out = run_month("2024-05", out_dir=tmp_path / "out", issue=9, date="2024-07-10", notes=folder)
    pdf = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(out / "bulletin.pdf").pages))
    docx = Document(str(out / "bulletin.docx"))
    paragraphs = [p.text for p in docx.paragraphs]
    expected = "3、担当精神还需提升：" + reference_problem_3()
    assert expected in pdf
    assert expected in paragraphs
    for heading in ("三、典型案例", "四、工作要求", "（一）一件噪音投诉的闭环办理"):
        assert heading in pdf and heading in paragraphs, heading
    styles = {p.text: p.style.name for p in docx.paragraphs}
    assert styles["三、典型案例"] == "Heading 1" and styles["（二）多部门联合处置"] == "Heading 2"
    kai = docx.styles["Heading 2"].element.rPr.rFonts
    assert kai.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "楷体_GB2312"


def test_notes_carry_only_the_office_words_never_data_out_of_the_store(data, tmp_path):
    """What a notes file adds to the bulletin is the office's text and nothing else: the paragraphs of the
    DOCX with notes are those without them, plus the notes' own words (a named order's heading kept);
    no caller's name, phone or request text in any part, even for an order the notes name."""
    import zipfile

    from tests.test_bulletin import _personal_values
    from tests.test_word import make_bulletin

    path = write(tmp_path, CASES)
    notes = load_notes(path, data.orders, "2024-05")
    plain = make_bulletin(tmp_path / "plain")
    noted = make_bulletin(tmp_path / "noted", notes=notes)
    before = [p.text for p in Document(str(tmp_path / "plain" / "bulletin.docx")).paragraphs]
    after = [p.text for p in Document(str(tmp_path / "noted" / "bulletin.docx")).paragraphs]
    added = [t for t in after if t not in before]
    assert len(added) >= 10  # 2 sections' headings, 2 cases, 3 case paragraphs, 3 extra paragraphs, problem 3
    office = set(notes.orders.values()) | {p for c in notes.cases for p in c.paragraphs}
    office |= {p for ps in notes.extra.values() for p in ps}
    for text in added:
        rest = re.sub(r"^（[一二三四五六七八九十]+）", "", text.removeprefix("3、担当精神还需提升："))
        rest = rest.replace("龙门镇承办的工单[206794]申请延期2次，不符合延期不超过1次的规定。", "")  # generated, kept
        assert rest in office or rest in {c.title for c in notes.cases} or rest in {"三、典型案例", "四、工作要求"}, text
    # the order a note names (242019) brings no word of its own from the store
    order = data.orders.loc[data.orders["order_id"].astype(str) == "242019"].iloc[0]
    with zipfile.ZipFile(tmp_path / "noted" / "bulletin.docx") as z:
        xml = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    html = "".join(noted.shown.values())
    assert "三、典型案例" in html
    leaked = [v for v in _personal_values() if v in xml or v in html]
    assert not leaked, leaked[:5]
    for value in order.astype(str):
        if len(value) > 8 and not value[:4].isdigit():  # texts, not numbers or times
            assert value not in xml and value not in html, value
    assert plain.shown.keys() == noted.shown.keys()
