"""Fifth stranger review: a file that is not a store is refused in Chinese; no 平江 word in the shipped CSS."""

from __future__ import annotations

from pathlib import Path

from pyhotline import cli

ROOT = Path(__file__).resolve().parents[1]


def test_a_file_that_is_not_a_store_is_refused_in_chinese(tmp_path, capsys):
    scheme = tmp_path / "规则.toml"
    scheme.write_text('county = "某县"\n', encoding="utf-8")
    for args in (["drop", "--missing"], ["check"]):
        capsys.readouterr()
        assert cli.main([*args, "--store", str(scheme)]) == 2
        err = capsys.readouterr().err
        assert "不是 pyhotline 数据库" in err and "IO Error" not in err and "DuckDB database file" not in err
    assert scheme.read_text(encoding="utf-8") == 'county = "某县"\n'


def test_the_stylesheet_names_no_county():
    for path in (ROOT / "pyhotline" / "templates").iterdir():
        assert "平江" not in path.read_text(encoding="utf-8"), path.name


def test_a_signature_row_with_a_bare_date_is_a_footer(tmp_path, capsys):
    import csv

    sample = ROOT / "data" / "sample"
    with open(sample / "orders.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    width = len(rows[0])
    signed = ["制表人：王五", "", "2026-03-10", *[""] * (width - 3)]
    path = tmp_path / "工单.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([*rows, signed])
    assert cli.main(["check", "--orders", str(path), "--units", str(sample / "units.csv")]) == 0
    out = capsys.readouterr().out
    assert f"剔除 表格下方的说明行 1 行（第 {len(rows) + 1} 行）" in out
