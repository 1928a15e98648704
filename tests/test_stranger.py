"""What a stranger's review found (another county's scheme, odd arguments): each refused up front,
in one Chinese line, before any notebook runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pyhotline import cli
from pyhotline.scheme import load_scheme, validate_scheme

ROOT = Path(__file__).resolve().parents[1]
SCHEME = ROOT / "pyhotline" / "schemes" / "pingjiang.toml"


def run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "PYHOTLINE_STORE": str(tmp_path / "none.duckdb")}
    return subprocess.run([sys.executable, "-m", "pyhotline.cli", *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)


def test_a_scheme_copied_without_its_requirements_file_stops_the_bulletin_before_any_notebook(tmp_path):
    copy = tmp_path / "我县规则.toml"
    shutil.copy(SCHEME, copy)
    result = run("bulletin", "--month", "2024-05", "--scheme", str(copy), "--out-dir", str(tmp_path / "out"),
                 tmp_path=tmp_path)
    assert result.returncode == 2
    assert "工作要求" in result.stderr and "笔记本" not in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "2024-05").exists()


def test_an_appendix_title_with_an_unknown_placeholder_is_named_by_check(tmp_path):
    copy = tmp_path / "s.toml"
    text = SCHEME.read_text(encoding="utf-8").replace(
        'title = "{year}年{month}月份12345政务服务热线综合评价表"', 'title = "{year}/{month}{foo}"')
    copy.write_text(text, encoding="utf-8")
    shutil.copy(SCHEME.with_name("pingjiang-requirements.md"), tmp_path)
    problems = validate_scheme(load_scheme(copy))
    assert len(problems) == 1 and "{year}" in str(problems[0]) and "[appendix] title" in str(problems[0])
    result = run("evaluate", "--month", "2024-05", "--scheme", str(copy), "--out", str(tmp_path / "t.xlsx"),
                 tmp_path=tmp_path)
    assert result.returncode == 2 and "内部错误" not in result.stderr and "[appendix] title" in result.stderr
    assert not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize("args", [
    ["evaluate", "--month", "9999-12", "--out", "o.csv"],
    ["bulletin", "--month", "9999-12"],
    ["bulletin", "--year", "9999"],
    ["bulletin", "--quarter", "1066Q4"],
])
def test_years_no_export_can_hold_are_refused_in_words(args, tmp_path):
    result = run(*args, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "年份超出范围" in result.stderr and "内部错误" not in result.stderr and "Traceback" not in result.stderr


def test_warnings_reach_the_analyst_as_one_line(capsys):
    import warnings

    shown, filters = warnings.showwarning, list(warnings.filters)
    try:
        cli._plain_warnings()
        warnings.warn("字体 X 不使用", UserWarning)
    finally:
        warnings.showwarning, warnings.filters[:] = shown, filters
    err = capsys.readouterr().err
    assert err.strip() == "注意：字体 X 不使用"
