"""`pyhotline check`, warnings and --strict, the data-quality summary, header aliases from the scheme,
and the same export in three encodings/formats giving the same table."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import pyhotline as ph
from pyhotline.bulletin import quality_html, quality_lines
from pyhotline.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def sample_rows(month: str = "2024-05") -> tuple[list[str], list[list[str]]]:
    with open(SAMPLE / "orders.csv", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [r for r in reader if r[1].startswith(month)]
    return header, rows


def write(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


@pytest.fixture
def files(tmp_path):
    shutil.copy(SAMPLE / "units.csv", tmp_path / "units.csv")
    header, rows = sample_rows()
    return tmp_path, header, rows


def run(argv, capsys):
    status = main([str(a) for a in argv])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_check_reports_every_problem(files, capsys):
    tmp, header, rows = files
    col = {h: i for i, h in enumerate(header)}
    rows[1][col["受理时间"]] = "2024-05-32"
    rows[3][col["承办单位"]] = "平江县不存在局"
    rows[5][col["办理方式"]] = "转办"
    rows[7][col["延期次数"]] = "-1"
    rows[9][col["工单编号"]] = rows[2][col["工单编号"]]
    orders = write(tmp / "工单.csv", header, rows)
    status, out, err = run(["check", "--orders", orders, "--units", tmp / "units.csv"], capsys)
    assert status == 2
    problems = [line for line in err.splitlines() if line.startswith("错误：")]
    found = {(re.search(r"第 (\d+) 行", p).group(1), re.search(r"“(\S+?)”列", p).group(1)) for p in problems}
    assert found == {("3", "受理时间"), ("5", "承办单位"), ("7", "办理方式"), ("9", "延期次数"), ("11", "工单编号")}
    assert "共发现 5 个问题" in err
    assert sorted(p.name for p in tmp.iterdir()) == ["units.csv", "工单.csv"]  # nothing written


def test_check_passes_on_the_sample(capsys):
    status, out, err = run(["check"], capsys)
    assert status == 0 and "检查通过" in out
    assert "工单明细 orders.csv：读入" in out


def test_check_limits_rows_per_problem(files, capsys):
    tmp, header, rows = files
    col = {h: i for i, h in enumerate(header)}
    for r in rows[:30]:
        r[col["回访结果"]] = "还行"
    orders = write(tmp / "工单.csv", header, rows)
    status, out, err = run(["check", "--orders", orders, "--units", tmp / "units.csv"], capsys)
    assert status == 2
    assert err.count("“回访结果”列：取值无法识别（值为“还行”）") == 20
    assert "另有 10 行同样的问题" in err


def test_exact_duplicate_rows_are_set_aside_with_a_warning(files, capsys, tmp_path):
    tmp, header, rows = files
    clean = write(tmp / "clean.csv", header, rows)
    doubled = write(tmp / "doubled.csv", header, rows + rows[:2])
    status, out, err = run(["evaluate", "--month", "2024-05", "--orders", clean, "--units", tmp / "units.csv",
                            "--out", tmp / "a.csv"], capsys)
    assert status == 0
    status, out, err = run(["evaluate", "--month", "2024-05", "--orders", doubled, "--units", tmp / "units.csv",
                            "--out", tmp / "b.csv"], capsys)
    assert status == 0
    assert "注意：" in err and "有 2 行与前面的行完全相同" in err
    assert (tmp / "a.csv").read_bytes() == (tmp / "b.csv").read_bytes()
    status, out, err = run(["evaluate", "--month", "2024-05", "--orders", doubled, "--units", tmp / "units.csv",
                            "--out", tmp / "c.csv", "--strict"], capsys)
    assert status == 2 and "完全相同" in err and not (tmp / "c.csv").exists()

    data = ph.load_dataset(doubled, tmp / "units.csv")
    lines = quality_lines(ph.monthly_report("2024-05", data))
    assert f"工单明细 doubled.csv：读入 {len(rows) + 2} 行，剔除 完全重复的行 2 行，使用 {len(rows)} 行" in lines
    assert any("完全相同" in line for line in lines)


def test_direct_closure_with_a_unit_is_a_warning_or_with_strict_an_error(files, capsys):
    tmp, header, rows = files
    col = {h: i for i, h in enumerate(header)}
    direct = next(r for r in rows if r[col["办理方式"]] == "直接办结")
    direct[col["承办单位"]] = "平江县公安局"
    orders = write(tmp / "工单.csv", header, rows)
    argv = ["evaluate", "--month", "2024-05", "--orders", orders, "--units", tmp / "units.csv", "--out", tmp / "t.csv"]
    status, out, err = run(argv, capsys)
    assert status == 0 and "直接办结的工单填了承办单位" in err
    status, out, err = run([*argv[:-1], tmp / "u.csv", "--strict"], capsys)
    assert status == 2 and "直接办结的工单填了承办单位" in err


def test_quality_summary_is_in_the_bulletin_appendix():
    report = ph.monthly_report("2024-05", ph.load_dataset())
    html = quality_html(report)
    assert "数据说明" in html and "工单明细 orders.csv：读入" in html and "信件明细 letters.csv" in html


def test_header_aliases_from_the_scheme(files, tmp_path, capsys):
    tmp, header, rows = files
    renamed = ["编号" if h == "工单编号" else "责任部门" if h == "承办单位" else h for h in header]
    orders = write(tmp / "工单.csv", renamed, rows)
    scheme = tmp / "我县规则.toml"
    text = (ROOT / "pyhotline" / "schemes" / "pingjiang.toml").read_text(encoding="utf-8")
    text = text.replace('requirements_file = "pingjiang-requirements.md"', "")
    scheme.write_text(text + '"编号" = "工单编号"\n"责任部门" = "承办单位"\n', encoding="utf-8")
    argv = ["evaluate", "--month", "2024-05", "--orders", orders, "--units", tmp / "units.csv", "--out", tmp / "t.csv"]
    status, out, err = run(argv, capsys)
    assert status == 2 and "缺少必需的列“工单编号”" in err
    status, out, err = run([*argv, "--scheme", scheme], capsys)
    assert status == 0, err
    bad = tmp / "坏规则.toml"
    bad.write_text(text + '"编号" = "工单号码"\n', encoding="utf-8")
    status, out, err = run([*argv, "--scheme", bad], capsys)
    assert status == 2 and "工单号码" in err and "input.header_aliases" in err


def test_same_export_as_utf8_gb18030_and_xlsx_with_title_gives_the_same_table(files):
    tmp, header, rows = files
    utf8 = write(tmp / "a.csv", header, rows, "utf-8")
    gbk = write(tmp / "b.csv", header, rows, "gb18030")
    xlsx = tmp / "c.xlsx"
    frame = pd.DataFrame(rows, columns=header)
    with pd.ExcelWriter(xlsx) as writer:
        pd.DataFrame([["平江县12345热线工单明细（2024年5月）"]]).to_excel(writer, header=False, index=False)
        frame.to_excel(writer, startrow=2, index=False)
    tables = []
    for path in (utf8, gbk, xlsx):
        data = ph.load_dataset(path, tmp / "units.csv")
        tables.append(ph.monthly_report("2024-05", data).appendix())
    pd.testing.assert_frame_equal(tables[0], tables[1])
    pd.testing.assert_frame_equal(tables[0], tables[2])
    assert tables[0].shape == (49, 14)


def test_an_analysts_file_is_never_mixed_with_sample_data(files, capsys):
    tmp, header, rows = files
    orders = write(tmp / "工单.csv", header, rows)
    status, out, err = run(["evaluate", "--month", "2024-05", "--orders", orders, "--out", tmp / "t.csv"], capsys)
    assert status == 2 and "没有给出单位名录" in err and "--units" in err
    status, out, err = run(["bulletin", "--month", "2024-05", "--letters", SAMPLE / "letters.csv",
                            "--out-dir", tmp / "out"], capsys)
    assert status == 2 and "没有给出工单明细" in err and "--orders" in err
    assert not (tmp / "t.csv").exists() and not (tmp / "out").exists()


def test_duckdb_engine_honours_strict(files, capsys):
    pytest.importorskip("duckdb")
    tmp, header, rows = files
    doubled = write(tmp / "doubled.csv", header, rows + rows[:1])
    argv = ["evaluate", "--month", "2024-05", "--orders", doubled, "--units", tmp / "units.csv", "--engine", "duckdb"]
    status, out, err = run([*argv, "--out", tmp / "a.csv"], capsys)
    assert status == 0 and "注意：" in err
    status, out, err = run([*argv, "--out", tmp / "b.csv", "--strict"], capsys)
    assert status == 2 and not (tmp / "b.csv").exists()


def test_bad_date_option_and_unwritable_output_are_plain_errors(tmp_path, capsys):
    status, out, err = run(["bulletin", "--month", "2024-05", "--date", "2024-13-01", "--out-dir", tmp_path], capsys)
    assert status == 2 and err.startswith("错误：") and "YYYY-MM-DD" in err and "Traceback" not in err
    status, out, err = run(["bulletin", "--month", "2024-05", "--issue", "第九期", "--out-dir", tmp_path], capsys)
    assert status == 2 and "不是正整数" in err
    status, out, err = run(["evaluate", "--month", "2024-05", "--out", "/proc/t.csv"], capsys)
    assert status == 2 and err.startswith("错误：") and "无法读写文件" in err
    status, out, err = run(["evaluate", "--month", "2024-05", "--out", "/proc/pyhotline/t.csv"], capsys)
    assert status == 2 and err.startswith("错误：") and "所在的文件夹 /proc/pyhotline 不存在" in err
    assert list(tmp_path.iterdir()) == []
