"""A title row's 导出时间 is the export's cut-off when --as-of is not given (fifth stranger review: a later
export judged older than an earlier one, so its voided orders went unnoticed)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pyhotline import cli

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def _rows():
    with open(SAMPLE / "orders.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _csv(path, title, encoding="gb18030"):
    rows = _rows()
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows([[title], *rows])
    return path


def _xlsx(path, title):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["工单明细"])
    sheet.append([title])
    for row in _rows():
        sheet.append(row)
    book.save(path)
    return path


def _cutoff(store):
    with duckdb.connect(str(store), read_only=True) as con:
        return str(con.execute("SELECT max(cutoff) FROM imports WHERE kind = 'orders'").fetchall()[0][0])


@pytest.mark.parametrize("make, row", [(_csv, 1), (_xlsx, 2)])
def test_the_stated_export_time_is_the_cut_off(tmp_path, capsys, make, row):
    path = make(tmp_path / f"工单.{'csv' if make is _csv else 'xlsx'}", "导出时间：2024-07-05 09:30:00")
    store = tmp_path / "s.duckdb"
    assert cli.main(["import", "--store", str(store), "--units", str(SAMPLE / "units.csv"), "--orders", str(path)]) == 0
    assert f"截至 2024-07-05 09:30（第 {row} 行写的导出时间）" in capsys.readouterr().out
    assert _cutoff(store) == "2024-07-05 09:30:00"


def test_as_of_wins_and_an_impossible_stated_time_is_not_used(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    path = _csv(tmp_path / "a.csv", "导出日期：2024-07-05")
    assert cli.main(["import", "--store", str(store), "--units", str(SAMPLE / "units.csv"), "--orders", str(path),
                     "--as-of", "2024-07-06 08:00"]) == 0
    assert "写的导出时间" not in capsys.readouterr().out
    assert _cutoff(store) == "2024-07-06 08:00:00"
    early = _csv(tmp_path / "b.csv", "导出时间：2024-05-10 08:00")  # before the file's last records
    other = tmp_path / "t.duckdb"
    assert cli.main(["import", "--store", str(other), "--units", str(SAMPLE / "units.csv"), "--orders", str(early)]) == 0
    said = capsys.readouterr()
    assert "第 1 行写的导出时间 2024-05-10 08:00 早于文件中最晚的时间" in said.err
    assert _cutoff(other) > "2024-05-10 08:00:00"


def test_a_date_alone_is_the_end_of_that_day(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    path = _csv(tmp_path / "a.csv", "工单明细（导出日期：2024年7月5日）", encoding="utf-8")
    assert cli.main(["import", "--store", str(store), "--units", str(SAMPLE / "units.csv"), "--orders", str(path)]) == 0
    assert _cutoff(store) == "2024-07-05 23:59:59"
