"""What pyhotline writes for spreadsheets: no formula from data, numbers as numbers.

A unit named like a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``, ``+…``, ``@…``) is shown
as written: in XLSX a string cell (never ``<f>``), in CSV with the ``'`` prefix OWASP recommends.
evaluation.xlsx stores counts, rates and 综合指标值 as numbers whose number formats print the
bulletin's figures (97.9%, 100); the title and the grade shading come from the scheme.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from pyhotline.export import cell_value, csv_safe, shown, write_table
from pyhotline.scheme import Grade, load_scheme

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
NASTY = ['=HYPERLINK("http://example.com","点")', "=cmd|' /C calc'!A0", "+SUM(A1)", "-2+3", "@SUM(1)",
         "\t=1", "\r=1"]


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pyhotline.cli", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


@pytest.fixture(scope="module")
def renamed(tmp_path_factory) -> tuple[Path, Path, str]:
    """The sample with 平江县住建局 renamed to a formula everywhere."""
    folder = tmp_path_factory.mktemp("formula")
    name = NASTY[0]
    for file in ("orders.csv", "units.csv"):
        text = (SAMPLE / file).read_text(encoding="utf-8-sig")
        with open(folder / file, "w", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(text.splitlines()))
            csv.writer(fh).writerows([[name if v == "平江县住建局" else v for v in row] for row in rows])
    return folder / "orders.csv", folder / "units.csv", name


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_a_unit_named_like_a_formula_stays_text_in_xlsx(tmp_path, renamed):
    orders, units, name = renamed
    proc = cli("evaluate", "--month", "2024-05", "--orders", orders, "--units", units, "--out", tmp_path / "x.xlsx",
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not re.search(r"<f[ >]", _sheet_xml(tmp_path / "x.xlsx"))
    cells = [c for row in load_workbook(tmp_path / "x.xlsx").active.iter_rows() for c in row]
    named = [c for c in cells if c.value == name]
    assert len(named) == 1 and named[0].data_type == "s"


def test_a_unit_named_like_a_formula_is_prefixed_in_csv(tmp_path, renamed):
    orders, units, name = renamed
    proc = cli("evaluate", "--month", "2024-05", "--orders", orders, "--units", units, "--out", tmp_path / "x.csv",
               cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader((tmp_path / "x.csv").read_text(encoding="utf-8").splitlines()))
    units_column = [r[1] for r in rows[1:]]
    assert "'" + name in units_column and name not in units_column
    assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for v in r if not re.fullmatch(r"-?\d+", v))


def _table(units: list[str]) -> pd.DataFrame:
    row = ["16", "12", "12", "100%", "11", "91.7%", "0", "0%", "1", "8.33%", "97.9", "A"]
    columns = ["单位类型", "部门名称", "受理案件数", "应办理数", "办理数", "办结率", "按期办理数", "按期办结率",
               "返工数", "返工率", "回访不满意数", "回访不满意率", "综合指标值", "等级评价"]
    return pd.DataFrame([["县直单位", u, *row] for u in units], columns=columns)


def test_every_formula_start_is_text_in_both_formats(tmp_path):
    table = _table(NASTY)
    write_table(table, pd.Period("2024-05", "M"), tmp_path / "t.xlsx")
    write_table(table, pd.Period("2024-05", "M"), tmp_path / "t.csv")
    assert not re.search(r"<f[ >]", _sheet_xml(tmp_path / "t.xlsx"))
    ws = load_workbook(tmp_path / "t.xlsx").active
    assert [ws.cell(row=i, column=2).value for i in range(3, 3 + len(NASTY))] == NASTY
    with open(tmp_path / "t.csv", encoding="utf-8", newline="") as fh:
        names = [r[1] for r in list(csv.reader(fh))[1:]]
    assert names == ["'" + n for n in NASTY]
    assert csv_safe("-1") == "-1" and csv_safe("平江") == "平江" and csv_safe(3) == 3


def test_figures_are_numbers_that_print_as_the_bulletin(tmp_path):
    write_table(_table(["平江县公安局"]), pd.Period("2024-05", "M"), tmp_path / "t.xlsx")
    ws = load_workbook(tmp_path / "t.xlsx").active
    row = list(ws.iter_rows(min_row=3, max_row=3))[0]
    assert [shown(c) for c in row] == ["县直单位", "平江县公安局", "16", "12", "12", "100%", "11", "91.7%", "0", "0%",
                                       "1", "8.33%", "97.9", "A"]
    assert row[2].value == 16 and isinstance(row[2].value, int)
    assert row[7].value == pytest.approx(0.917) and row[7].number_format == "0.0%"
    assert row[11].number_format == "0.00%" and row[5].number_format == "0%"
    assert row[12].value == pytest.approx(97.9) and row[12].number_format == "0.0"
    assert cell_value("84.20") == (84.2, "0.00") and cell_value("—") == ("—", None)


def test_title_and_grade_shading_come_from_the_scheme(tmp_path):
    base = load_scheme(None)
    grades = (Grade("优秀", base.grades[0].min, base.grades[0].deduction),
              Grade("良好", base.grades[1].min, base.grades[1].deduction, color="#0000FF"),
              Grade("合格", base.grades[2].min, base.grades[2].deduction),
              Grade("不合格", base.grades[3].min, base.grades[3].deduction))
    scheme = replace(base, grades=grades, raw={**base.raw, "appendix": {"title": "{year}年第{month}月 东湖区考评表"}})
    table = _table(["甲", "乙", "丙", "丁"])
    table["等级评价"] = ["优秀", "良好", "合格", "不合格"]
    write_table(table, pd.Period("2024-05", "M"), tmp_path / "t.xlsx", scheme=scheme)
    ws = load_workbook(tmp_path / "t.xlsx").active
    assert ws.cell(row=1, column=1).value == "2024年第5月 东湖区考评表"
    fills = [ws.cell(row=i, column=1).fill.fgColor.rgb for i in range(3, 7)]
    assert fills[0] in ("00000000", None)  # the best grade is not shaded
    assert fills[1].endswith("BFBFFF")  # a tint of the scheme's blue
    assert len(set(fills[1:])) == 3
