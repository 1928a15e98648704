"""云溪县, a second county made by its own generator (tests/county2/): its exports read through the
scheme's header aliases, and its tables equal figures computed in the test from the generated records."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from county2.expected import HEADERS, evaluation, printed
from county2.generate import MONTHS, generate
from docx_print import libreoffice_pdf, needs_libreoffice, page_plan

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: object, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "pyhotline.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if check:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("yunxi"))


@pytest.fixture(scope="module")
def store(county):
    path = county.folder / "store" / "yunxi.duckdb"
    path.parent.mkdir()  # the command makes the store file, not the folders above it (docs/input-format.md)
    cli("import", "--orders", county.orders_file, "--letters", county.letters_file,
               "--units", county.units_file, "--scheme", county.scheme_file, "--store", path)
    return path


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_the_generator_is_deterministic_and_has_its_quirks(county, tmp_path):
    again = generate(tmp_path)
    assert again.orders == county.orders and again.letters == county.letters
    assert again.orders_file.read_bytes() != b""
    orders = [o for o in county.orders if o.mode == "派单"]
    assert any((o.accepted.year, o.accepted.month) != (o.deadline.year, o.deadline.month) for o in orders)
    assert any(o.closed is None and o.deadline >= county.cutoff for o in orders)  # open, not yet due
    assert any(o.closed == o.deadline for o in orders)  # closed exactly at the deadline: on time
    assert county.cutoff == max(max(o.accepted, o.closed or o.accepted) for o in county.orders)
    # figures worth checking: trailing zeros, a tie, an unrated unit, grades below the top
    rows = [r for m in MONTHS for r in evaluation(county, [m])]
    composites = [r["综合指标值"] for r in rows if r["综合指标值"] is not None]
    assert any(c != 100 and f"{c:.2f}".endswith("0") for c in composites)
    assert any(r["综合指标值"] is None for r in rows)
    assert {r["等级评价"] for r in rows} >= {"优秀", "良好", "合格"}
    march = evaluation(county, [(2024, 3)])
    tied = [r for r in march if r["部门名称"] in ("白沙镇", "青石乡")]
    assert tied[0]["综合指标值"] == tied[1]["综合指标值"] and tied[0]["应办理数"] == tied[1]["应办理数"]
    assert tied[0]["部门名称"] == "白沙镇"  # registry order breaks the tie


@pytest.mark.parametrize("year, month", MONTHS)
def test_the_table_from_the_store_equals_the_independent_one(county, store, tmp_path, year, month):
    out = tmp_path / "表.csv"
    cli("evaluate", "--month", f"{year}-{month:02d}", "--store", store, "--scheme", county.scheme_file, "--out", out)
    got = read_csv(out)
    assert got[0] == list(HEADERS)
    assert got[1:] == printed(evaluation(county, [(year, month)]))


def test_the_table_from_the_files_once_equals_the_independent_one(county, tmp_path):
    out = tmp_path / "表.json"
    cli("evaluate", "--month", "2024-04", "--orders", county.orders_file, "--units", county.units_file,
        "--scheme", county.scheme_file, "--out", out)
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["county"] == "云溪县"
    expected = printed(evaluation(county, [(2024, 4)]))
    rows = [[str(v) if v is not None else "—" for v in r.values()] for r in got["appendix"]]
    assert [list(r) for r in got["appendix"]][0] == list(HEADERS)
    assert rows == expected


# ---------------------------------------------------------------- its bulletin (issue 10, item 9)
BULLETIN_MONTH = "2024-03"
YUNXI_GRADES = ("优秀", "良好", "合格", "不合格")


def pingjiang_phrases() -> set[str]:
    """The 平江-specific phrases: the literal parts of the bundled scheme's [wording] templates that 云溪县 rewrites (between
    placeholders and punctuation, 3 characters or more), its names and unit types. Left out: the parts
    that are not 平江's words but plain terms or data (市长信箱 is a letter channel of 云溪县 too; 每件扣
    is the start of 云溪县's own 每件扣减)."""
    import tomllib

    raw = tomllib.loads((ROOT / "pyhotline" / "schemes" / "pingjiang.toml").read_text(encoding="utf-8"))
    own = tomllib.loads((ROOT / "tests" / "county2" / "yunxi.toml").read_text(encoding="utf-8"))["wording"]
    found = set()
    for key, template in raw["wording"].items():
        if key not in own:  # a template 云溪县 keeps (the plain sentence frames of docs/wording.md) is not 平江's
            continue
        for piece in re.split(r"\{[^}]*\}", template):
            found |= {p for p in re.split(r"[，。、；：\[\]（）()“”\s]", piece) if len(p) >= 3}
    found |= {raw["county"]["name"], raw["county"]["name"][:2], raw["county"]["office"], raw["county"]["publication"],
              raw["ranking"]["unassessed_label"], *raw["ranking"]["appendix_groups"], "乡镇（街道）",
              "无故超期", "退回重办", "考核等级"}
    return found - {"市长信箱", "每件扣"}


#: the 平江 grade pattern (考核等级为D类, A级) for its letters and for 云溪县's names
GRADE_PATTERN = re.compile(r"(?:[A-D]|" + "|".join(YUNXI_GRADES) + r")[类级]")


def not_pingjiang(text: str) -> list[str]:
    found = sorted(p for p in pingjiang_phrases() if p in text)
    return found + GRADE_PATTERN.findall(text)


@pytest.fixture(scope="module")
def bulletin_out(county, store, tmp_path_factory):
    out = tmp_path_factory.mktemp("yunxi-bulletin")
    cli("bulletin", "--month", BULLETIN_MONTH, "--store", store, "--scheme", county.scheme_file, "--out-dir", out,
        "--issue", 3, "--date", "2024-04-10")
    return out / BULLETIN_MONTH


@pytest.fixture(scope="module")
def bulletin_texts(bulletin_out) -> dict[str, str]:
    """The bulletin as read back from each output: the PDF's and the Word file's text, the HTML's text."""
    from html import unescape

    import docx
    from pypdf import PdfReader

    pdf = "".join(page.extract_text() for page in PdfReader(bulletin_out / "bulletin.pdf").pages)
    word = docx.Document(str(bulletin_out / "bulletin.docx"))
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    html = (bulletin_out / "bulletin.html").read_text(encoding="utf-8")
    html = re.sub(r"<style.*?</style>|<[^>]+>", "", html, flags=re.S)
    return {name: re.sub(r"\s+", "", text) for name, text in
            {"pdf": pdf, "docx": "".join(p.text for p in word.paragraphs) + "".join(cells),
             "html": unescape(html)}.items()}


@pytest.fixture(scope="module")
def report(county, store):
    import pyhotline as ph

    rules = ph.load_scheme(county.scheme_file)
    return ph.period_report(BULLETIN_MONTH, ph.load_period(BULLETIN_MONTH, store=store, scheme=rules), rules)


def chart_strings(report, *, bar_labels: bool = False) -> dict[str, list[str]]:
    """Every string each chart of the bulletin draws (title, ticks, bar labels, legend), from the Axes;
    with ``bar_labels`` the bar labels only."""
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from pyhotline.bulletin import bulletin_chart, chart_names

    out = {}
    for name in chart_names(report):
        made = bulletin_chart(report, name)
        if made is not None:
            ax = made[0]
            texts = ax.texts if bar_labels else ax.figure.findobj(Text)
            out[name] = [t.get_text() for t in texts if t.get_text()]
            plt.close(ax.figure)
    return out


@pytest.mark.parametrize("output", ["pdf", "docx", "html"])
def test_the_bulletin_speaks_of_its_own_county(bulletin_texts, output):
    text = bulletin_texts[output]
    assert "云溪县2024年3月份12345热线及领导信箱办理情况通报" in text
    assert "云溪效能督查" in text and "第3期" in text
    # its own headings, cause phrase and grade sentence (tests/county2/yunxi.toml [wording])
    for phrase in ("1、办理时效意识不强", "2、办理质量仍需提高：答复群众不及时、重办较多，考评得分偏低。",
                   "考评等级为“良好”，扣减1分", "考评等级为“合格”，扣减3分", "按考评办法每件扣减0.3分",
                   "3、推诿流转现象仍然存在", "造成反复流转", "超过最多延期2次的要求", "县长信箱来信群众满意率100.00%",
                   "未纳入考核单位"):
        assert phrase in text, phrase
    # its own 工作要求, word for word
    for line in (ROOT / "tests" / "county2" / "yunxi-requirements.md").read_text(encoding="utf-8").split("\n\n"):
        assert re.sub(r"\s+", "", line) in text
    assert not not_pingjiang(text)


def test_the_bulletin_prints_the_schemes_decimals(bulletin_texts, report):
    text = bulletin_texts["pdf"]
    body = text[:text.index("附件1")]
    shares = re.findall(r"占比(\d+(?:\.\d+)?)%", body)
    assert shares and all(re.fullmatch(r"\d+\.\d", s) for s in shares)  # share_decimals = 1, zeros kept: 13.0%
    others = re.findall(r"(?<!占比)(?<![\d.])(\d+(?:\.\d+)?)%", body)
    assert others and all(re.fullmatch(r"\d+\.\d\d", s) for s in others), others  # rate_decimals = 2
    table = report.appendix()
    assert "100.00" in set(table["综合指标值"]) and "100.00%" in set(table["办结率"])
    for value in table["综合指标值"]:
        assert value == "—" or value in text


@needs_libreoffice
def test_its_docx_prints_on_the_pages_of_its_pdf(bulletin_out, tmp_path):
    """issue 13, another county's page plan: a short first table of 附件1 (the second starts a page, as in the
    PDF), small charts (their spacing as the PDF's, so a row moves to the next page where it does there), 附件3
    on a page of its own after the trend chart."""
    plan = page_plan(bulletin_out / "bulletin.pdf")
    assert "landscape 附件3" in plan and plan.count("landscape") >= 4
    assert page_plan(libreoffice_pdf(bulletin_out / "bulletin.docx", tmp_path)) == plan


def test_the_bulletins_charts_speak_of_its_own_county(report):
    drawn = chart_strings(report)
    assert {"rank_1", "rank_2", "overdue", "categories"} <= set(drawn)
    everything = "".join("".join(v) for v in drawn.values())
    assert not not_pingjiang(everything)
    assert "县直部门综合指标值排名" in drawn["rank_1"] and "镇街综合指标值排名" in drawn["rank_2"]
    legend = [s for s in drawn["rank_1"] + drawn["rank_2"] if s in YUNXI_GRADES]
    assert legend and set(legend) <= set(YUNXI_GRADES)
    # bar labels with the scheme's decimals: composites 100.00 and 94.45, shares 13.0%
    bars = chart_strings(report, bar_labels=True)
    composites = bars["rank_1"] + bars["rank_2"]
    assert "100.00" in composites and all(re.fullmatch(r"\d+\.\d\d", s) for s in composites), composites
    shares = [m for s in bars["categories"] for m in re.findall(r"（(\d+(?:\.\d+)?)%）", s)]
    assert shares and all(re.fullmatch(r"\d+\.\d", s) for s in shares), shares
    assert any("无正当理由逾期" in s for s in drawn["overdue"])
