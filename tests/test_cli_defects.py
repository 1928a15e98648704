"""Defects a stranger's review found in the command line and input handling (issues 10 and 11).

Each test reproduces what the analyst met, then checks the fix: one cause gives one Chinese message
naming the file (or store), row and column, before any work, and nothing is half-written.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pyhotline import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SCHEME = ROOT / "pyhotline" / "schemes" / "pingjiang.toml"


def run(argv, capsys) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("错误：")]


# ------------------------------------------------------------- 1. a future --as-of
@pytest.mark.parametrize("as_of", ["2099-01-01", "2099-01-01 10:00"])
def test_an_as_of_in_the_future_is_refused_before_the_store_is_touched(as_of, tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    status, out, err = run(["import", "--orders", SAMPLE / "orders.csv", "--units", SAMPLE / "units.csv",
                            "--as-of", as_of, "--store", store], capsys)
    assert status == 2 and len(errors(err)) == 1, err
    assert "--as-of" in err and "晚于现在" in err and "Traceback" not in err
    assert not store.exists()


def test_an_as_of_of_today_or_the_past_is_accepted(tmp_path):
    import pandas as pd

    from pyhotline.io.columns import LOCAL_TIMEZONE

    before = pd.Timestamp.now(tz=LOCAL_TIMEZONE).tz_localize(None).floor("s")
    today = pd.Timestamp(cli._as_of(f"{before:%Y-%m-%d}"))  # a date alone, today: the moment it runs
    after = pd.Timestamp.now(tz=LOCAL_TIMEZONE).tz_localize(None)
    assert before <= today <= after or today.date() > before.date()  # (unless midnight passed meanwhile)
    assert cli._as_of("2024-06-05 09:00") == "2024-06-05 09:00"
    assert cli._as_of("2024-06-05") == "2024-06-05"  # another day: the end of that day (store.parse_as_of)


def test_today_alone_and_a_later_time_today_follow_one_rule(tmp_path, capsys):
    """--as-of 2026-12-04 was accepted as 23:59:59 (a cut-off in the future) while 2026-12-04 23:59 was
    refused: now a date alone for today is the moment the command runs, a later time today is refused."""
    import pandas as pd

    from pyhotline.io.columns import LOCAL_TIMEZONE
    from pyhotline.store import parse_as_of

    now = pd.Timestamp.now(tz=LOCAL_TIMEZONE).tz_localize(None)
    later = now + pd.Timedelta(minutes=5)
    with pytest.raises(Exception, match="晚于现在"):
        cli._as_of(f"{later:%Y-%m-%d %H:%M}")
    assert parse_as_of(cli._as_of(f"{now:%Y-%m-%d}")) <= pd.Timestamp.now(tz=LOCAL_TIMEZONE).tz_localize(None)
    store = tmp_path / "s.duckdb"
    status, out, err = run(["import", "--orders", SAMPLE / "orders.csv", "--units", SAMPLE / "units.csv",
                            "--as-of", f"{now:%Y-%m-%d}", "--store", store], capsys)
    assert status == 0, err
    import duckdb

    with duckdb.connect(str(store), read_only=True) as con:
        cutoffs = [row[0] for row in con.execute("select cutoff from imports where kind = 'orders'").fetchall()]
    assert cutoffs and all(pd.Timestamp(c) <= pd.Timestamp.now(tz=LOCAL_TIMEZONE).tz_localize(None) for c in cutoffs)


def test_the_docs_state_the_as_of_rule():
    for doc in ("store.md", "input-errors.md"):
        text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
        assert "for today, the moment the command runs" in text, doc


# ------------------------------------------------- 2. aliases onto personal columns
def _sample_rows() -> tuple[list[str], list[list[str]]]:
    with open(SAMPLE / "orders.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], [r for r in rows[1:] if r[1].startswith("2024-05")][:80]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def _scheme(tmp_path: Path, extra: str) -> Path:
    text = SCHEME.read_text(encoding="utf-8").replace('requirements_file = "pingjiang-requirements.md"', "")
    path = tmp_path / "我县规则.toml"
    path.write_text(text.replace('"主办单位" = "承办单位"', '"主办单位" = "承办单位"\n' + extra), encoding="utf-8")
    return path


@pytest.fixture
def renamed(tmp_path):
    """The sample's orders with the platform's own names for 工单编号 and the personal columns."""
    header, rows = _sample_rows()
    names = {"工单编号": "工单号码", "来电人": "诉求人", "联系电话": "来电号码", "诉求内容": "诉求描述"}
    return _write(tmp_path / "工单.csv", [names.get(h, h) for h in header], rows)


def test_aliases_onto_personal_columns_are_accepted_and_the_others_still_work(renamed, tmp_path, capsys):
    from pyhotline.io import load_orders
    from pyhotline.scheme import load_scheme

    scheme = _scheme(tmp_path, '"诉求人" = "来电人"\n"来电号码" = "联系电话"\n"诉求描述" = "诉求内容"\n"工单号码" = "工单编号"\n')
    assert load_scheme(scheme).header_aliases["诉求人"] == "来电人"
    status, out, err = run(["check", "--orders", renamed, "--units", SAMPLE / "units.csv", "--scheme", scheme], capsys)
    assert status == 0 and not errors(err), err
    frame = load_orders(renamed, None, header_aliases=load_scheme(scheme).header_aliases)
    assert "order_id" in frame and frame["order_id"].iloc[0] == _sample_rows()[1][0][0]
    personal = {r[i] for r in _sample_rows()[1] for i in (12, 13, 14)}
    assert not personal & {str(v) for v in frame.to_numpy().ravel()}  # the personal columns were dropped
    status, out, err = run(["evaluate", "--month", "2024-05", "--orders", renamed, "--units", SAMPLE / "units.csv",
                            "--scheme", scheme, "--out", tmp_path / "t.csv"], capsys)
    assert status == 0, err
    written = (tmp_path / "t.csv").read_text(encoding="utf-8")
    assert not any(p in written for p in personal if len(p) > 2)


def test_an_alias_onto_an_unknown_column_is_one_message_naming_the_scheme_and_the_key(renamed, tmp_path, capsys):
    scheme = _scheme(tmp_path, '"诉求人" = "来电者"\n"工单号码" = "工单编号"\n')
    status, out, err = run(["check", "--orders", renamed, "--units", SAMPLE / "units.csv", "--scheme", scheme], capsys)
    assert status == 2 and len(errors(err)) == 1, err
    assert "我县规则.toml" in err and '"诉求人" = "来电者"' in err and "[input.header_aliases]" in err


def test_a_missing_required_column_is_one_message_not_a_cascade_of_row_errors(renamed, tmp_path, capsys):
    status, out, err = run(["check", "--orders", renamed, "--units", SAMPLE / "units.csv"], capsys)
    assert status == 2 and len(errors(err)) == 1, err
    assert "文件 工单.csv，第 1 行" in err and "缺少必需的列“工单编号”" in err and "工单号码" in err


# ---------------------------------------------------- 3. formula cells without a result
def _workbook(path: Path, formulas: dict[str, str], *, totals: str | None = None) -> Path:
    from openpyxl import Workbook

    header, rows = _sample_rows()
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for r in rows[:40]:
        sheet.append([int(v) if v.isdigit() and len(v) < 6 else v for v in r])
    for ref, formula in formulas.items():  # openpyxl saves formulas without a result, as scripts do
        sheet[ref] = formula
    if totals:
        end = sheet.max_row + 1
        sheet[f"A{end}"], sheet[f"H{end}"] = "合计", totals.format(end=end - 1)
    book.save(path)
    return path


def _dispatched_row() -> int:
    return next(i for i, r in enumerate(_sample_rows()[1]) if r[3] == "派单") + 2


def _check_xlsx(path: Path, capsys) -> list[str]:
    status, out, err = run(["check", "--orders", path, "--units", SAMPLE / "units.csv"], capsys)
    assert status == 2 and "Traceback" not in err
    return errors(err)[:-1] if errors(err)[-1:] and "共发现" in errors(err)[-1] else errors(err)


def test_formula_cells_are_counted_per_column(tmp_path, capsys):
    book = _workbook(tmp_path / "工单.xlsx", {"H6": "=1+0", "I7": "=0*1", **{f"H{r}": "=1" for r in (9, 10)}})
    got = _check_xlsx(book, capsys)
    assert len(got) == 2, got
    assert "第 6 行，“延期次数”列：单元格 H6 是公式" in got[0] and "这一列共 3 个" in got[0] and "H9、H10" in got[0]
    assert "第 7 行，“回退次数”列：单元格 I7 是公式" in got[1] and "共" not in got[1]


@pytest.mark.parametrize("column,header", [("E", "承办单位"), ("F", "办理时限"), ("A", "工单编号"), ("B", "受理时间"),
                                           ("D", "办理方式"), ("H", "延期次数")])
def test_a_formula_cell_without_result_is_one_message_whatever_the_column(column, header, tmp_path, capsys):
    row = _dispatched_row()
    book = _workbook(tmp_path / "工单.xlsx", {f"{column}{row}": f"={column}{row + 1}"})
    got = _check_xlsx(book, capsys)
    assert len(got) == 1, got
    assert f"第 {row} 行，“{header}”列：单元格 {column}{row} 是公式，但文件中没有保存计算结果" in got[0]
    status, out, err = run(["evaluate", "--month", "2024-05", "--orders", book, "--units", SAMPLE / "units.csv",
                            "--out", tmp_path / "t.csv"], capsys)
    assert status == 2 and errors(err) == got and not (tmp_path / "t.csv").exists()


def test_a_totals_row_whose_sum_has_no_saved_result_is_set_aside_quietly(tmp_path, capsys):
    book = _workbook(tmp_path / "工单.xlsx", {}, totals="=SUM(H2:H{end})")
    status, out, err = run(["check", "--orders", book, "--units", SAMPLE / "units.csv"], capsys)
    assert status == 0 and not errors(err), err
    assert "剔除 合计行 1 行" in out


# ------------------------------------------- 4. bulletin for months the store has no data for
@pytest.fixture(scope="module")
def sample_store(tmp_path_factory) -> Path:
    """The sample imported into a store (orders accepted 2024-02 to 2024-06)."""
    store = tmp_path_factory.mktemp("store") / "s.duckdb"
    assert cli.main(["import", "--orders", str(SAMPLE / "orders.csv"), "--letters", str(SAMPLE / "letters.csv"),
                     "--units", str(SAMPLE / "units.csv"), "--store", str(store)]) == 0
    return store


@pytest.mark.parametrize("when,named", [
    (["--months", "2024-01:2099-12"], "2024-01、2024-07 至 2099-12 没有任何工单记录，未生成任何通报"),
    (["--months", "2024-07:2024-09"], "2024-07 至 2024-09 没有任何工单记录"),
    (["--year", "2023"], "2023 没有任何工单记录，未生成通报"),
    (["--quarter", "2025Q1"], "2025Q1 没有任何工单记录"),
    (["--month", "2025-01"], "2025-01 没有任何工单记录"),
])
def test_months_without_any_data_are_refused_before_any_notebook(when, named, sample_store, tmp_path, capsys):
    out_dir = tmp_path / "out"
    status, out, err = run(["bulletin", *when, "--store", sample_store, "--out-dir", out_dir], capsys)
    assert status == 2 and len(errors(err)) == 1, err
    assert named in err and "工单的受理月份为 2024-02 至 2024-06" in err and str(sample_store) in err
    assert "笔记本" not in err and "注意：" not in err  # no coverage warnings for a run that does not start
    assert not out_dir.exists()


def test_a_store_without_orders_is_refused_for_any_month(tmp_path, capsys):
    store = tmp_path / "u.duckdb"
    assert run(["import", "--units", SAMPLE / "units.csv", "--store", store], capsys)[0] == 0
    status, out, err = run(["bulletin", "--month", "2024-05", "--store", store, "--out-dir", tmp_path / "o"], capsys)
    assert status == 2 and len(errors(err)) == 1 and "中没有任何工单" in err and "pyhotline import" in err, err
    assert not (tmp_path / "o").exists()


def test_one_off_files_name_the_files_not_a_temporary_store(tmp_path, capsys):
    status, out, err = run(["bulletin", "--month", "2024-01", "--orders", SAMPLE / "orders.csv",
                            "--units", SAMPLE / "units.csv", "--out-dir", tmp_path / "o"], capsys)
    assert status == 2 and "所给文件中工单的受理月份为 2024-02 至 2024-06" in err and "duckdb" not in err, err


# --------------------------------- 5. a scheme whose unit types the store's registry does not have
YUNXI = ROOT / "tests" / "county2" / "yunxi.toml"


@pytest.mark.parametrize("command", [
    ["evaluate", "--month", "2024-05", "--out", "t.csv"],
    ["bulletin", "--month", "2024-05", "--out-dir", "out"],
    ["check"],
])
def test_a_scheme_not_matching_the_stores_registry_names_the_store_not_a_file(command, sample_store, tmp_path,
                                                                               capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, err = run([*command, "--store", sample_store, "--scheme", YUNXI], capsys)
    assert status == 2 and len(errors(err)) == 1, err
    message = errors(err)[0]
    assert f"数据库 {sample_store} 中的单位名录（导入自 units.csv）与考评规则不符" in message
    assert "“县直单位”（27 个单位" in message and "“乡镇(街道)”（25 个单位" in message and "应为镇街、县直部门" in message
    assert "文件 units.csv" not in message and "第 2 行" not in message and "笔记本" not in err
    assert not (tmp_path / "t.csv").exists() and not (tmp_path / "out").exists()


def test_the_same_mismatch_with_files_names_the_file_once(tmp_path, capsys):
    status, out, err = run(["bulletin", "--month", "2024-05", "--orders", SAMPLE / "orders.csv",
                            "--units", SAMPLE / "units.csv", "--scheme", YUNXI, "--out-dir", tmp_path / "o"], capsys)
    assert status == 2 and len(errors(err)) == 1, err
    assert "文件 units.csv，第 2 行，“单位类型”列：单位类型“县直单位”（27 个单位" in err and "数据库" not in err
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------ 6. evaluate --encoding
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "gbk", "latin-1", "rot13", "cp1252"])
def test_encodings_outside_the_documented_three_are_refused_with_the_list(encoding, tmp_path, capsys):
    out = tmp_path / "t.csv"
    status, _, err = run(["evaluate", "--month", "2024-05", "--out", out, "--encoding", encoding], capsys)
    assert status == 2 and len(errors(err)) == 1, err
    assert f"不支持编码“{encoding}”" in err and "utf-8（默认）、utf-8-sig" in err and "gb18030" in err
    assert not out.exists()


@pytest.mark.parametrize("encoding,codec", [("UTF8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("GB18030", "gb18030")])
def test_the_documented_encodings_are_written(encoding, codec, tmp_path, capsys):
    out = tmp_path / "t.csv"
    status, _, err = run(["evaluate", "--month", "2024-05", "--out", out, "--encoding", encoding], capsys)
    assert status == 0, err
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") == (codec == "utf-8-sig")
    assert "单位" in out.read_bytes().decode(codec)


def test_the_docs_list_exactly_the_accepted_encodings():
    text = (ROOT / "docs" / "input-format.md").read_text(encoding="utf-8")
    section = text[text.index("## Output files"):text.index("## Where the readers live")]
    assert all(f"`{name}`" in section for name in cli.CSV_ENCODINGS.values())
    assert "`utf-16`" in section and "refused" in section


def test_encoding_with_an_xlsx_is_said_to_have_no_effect(tmp_path, capsys):
    status, _, err = run(["evaluate", "--month", "2024-05", "--out", tmp_path / "t.xlsx", "--encoding", "gb18030"],
                         capsys)
    assert status == 0 and "注意：--encoding 只用于 .csv" in err


# ------------------------------------------------- 7. where outputs go: one rule for every command
@pytest.mark.parametrize("command,target,what", [
    (["evaluate", "--month", "2024-05", "--out"], "评介表/2024/x.xlsx", "输出文件"),
    (["evaluate", "--month", "2024-05", "--out"], "评介表/x.json", "输出文件"),
    (["bulletin", "--month", "2024-05", "--out-dir"], "通抱/2024", "输出文件夹"),
    (["import", "--units", SAMPLE / "units.csv", "--store"], "库/县.duckdb", "数据库文件"),
])
def test_a_missing_folder_above_the_named_output_is_refused_and_nothing_made(command, target, what, tmp_path,
                                                                             capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, err = run([*command, target], capsys)
    assert status == 2 and len(errors(err)) == 1, err
    assert f"{what} {target} 所在的文件夹" in err and "不存在" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_the_named_file_or_folder_itself_is_created(sample_store, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "评价表").mkdir()
    assert run(["evaluate", "--month", "2024-05", "--store", sample_store, "--out", "评价表/x.csv"], capsys)[0] == 0
    assert (tmp_path / "评价表" / "x.csv").is_file()
    (tmp_path / "库").mkdir()
    assert run(["import", "--units", SAMPLE / "units.csv", "--store", "库/县.duckdb"], capsys)[0] == 0
    assert (tmp_path / "库" / "县.duckdb").is_file()


def test_an_output_under_a_file_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.txt").write_text("")
    status, _, err = run(["evaluate", "--month", "2024-05", "--out", "x.txt/t.csv"], capsys)
    assert status == 2 and "所在的 x.txt 不是文件夹" in err


# -------------------------------------- 8. a placeholder deadline: one cause, one message
def test_a_placeholder_deadline_is_one_message_not_also_a_missing_deadline(tmp_path, capsys):
    header, _ = _sample_rows()
    with open(SAMPLE / "orders.csv", encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in list(csv.reader(fh))[1:] if r[1].startswith("2024-05") and r[header.index("办理方式")] == "派单"][:30]
    deadline = header.index("办理时限")
    rows[3][deadline], rows[5][deadline], rows[7][deadline] = "9999-12-31", "9999-12-31 00:00:00", "2024-13-45"
    path = _write(tmp_path / "工单.csv", header, rows)
    status, out, err = run(["check", "--orders", path, "--units", SAMPLE / "units.csv"], capsys)
    found = errors(err)
    assert status == 2 and len(found) == 3, err
    assert sum("超出可处理的范围" in e for e in found) == 2 and sum("无法识别" in e for e in found) == 1
    assert "缺少办理时限" not in err
    assert all("工单.csv" in e and "“办理时限”列" in e for e in found)
    assert sorted(e.split("第 ")[1].split(" 行")[0] for e in found) == ["5", "7", "9"]
    # an empty deadline on a 派单 order is still its own message
    rows[3][deadline] = ""
    _write(path, header, rows)
    status, out, err = run(["check", "--orders", path, "--units", SAMPLE / "units.csv"], capsys)
    assert "第 5 行，“办理时限”列：派单工单缺少办理时限" in err and len(errors(err)) == 3


# ---------------------------------------------- 9. the notebook kernel's start-up noise
_NOTEBOOK_RUN = """
import sys, nbformat, papermill as pm
from pyhotline.runner import ensure_kernel
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(sys.argv[2])])
nbformat.write(nb, sys.argv[1] + "/in.ipynb")
try:
    pm.execute_notebook(sys.argv[1] + "/in.ipynb", sys.argv[1] + "/out.ipynb", kernel_name=ensure_kernel(),
                        progress_bar=False, cwd=sys.argv[1])
except pm.PapermillExecutionError:
    print("failed", file=sys.stderr)
"""


@pytest.mark.parametrize("code, shown", [("print(1 + 1)", ""), ("import warnings\nraise RuntimeError('x')", "failed")])
def test_the_kernel_says_nothing_about_its_transport_on_success_or_failure(code, shown, tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", _NOTEBOOK_RUN, str(tmp_path), code], capture_output=True,
                            text=True, timeout=120, cwd=tmp_path)
    assert result.stderr.strip() == shown, result.stderr
    assert "IPKernelApp" not in result.stderr and "encryption" not in result.stderr


def test_the_kernel_uses_local_sockets_and_keeps_its_warnings():
    from pyhotline.kernel import OwnKernelManager, kernel_spec

    assert OwnKernelManager(kernel_name="pyhotline").transport == "ipc"  # the cause of the TCP warning is gone
    assert "--log-level=WARN" in kernel_spec().argv  # real warnings still reach a failed run's log


def test_a_one_off_file_given_twice_is_refused(tmp_path):
    """Second stranger review: bulletin/check --orders A --orders B read only B, silently (wrong figures)."""
    import os
    import subprocess
    import sys

    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    for option in ("--orders", "--letters", "--units"):
        proc = subprocess.run([sys.executable, "-m", "pyhotline.cli", "check", option, str(sample / "orders.csv"),
                               option, str(sample / "letters.csv")], capture_output=True, text=True,
                              env={**os.environ, "PYHOTLINE_STORE": str(tmp_path / "none.duckdb")})
        assert proc.returncode == 2 and f"{option} 只能给一个文件（给了两次）" in proc.stderr, proc.stderr
        assert "pyhotline import" in proc.stderr and "Traceback" not in proc.stderr


def test_span_with_only_units_is_refused_not_ignored(tmp_path, capsys):
    """--span declares what an orders or letters export covers; with only --units it used to be dropped silently."""
    store = tmp_path / "s.duckdb"
    code, _, err = run(["import", "--store", str(store), "--units", str(SAMPLE / "units.csv"),
                        "--span", "2024-05-01..2024-05-31"], capsys)
    assert code == 2 and "只能与 --orders 或 --letters 一起使用" in err and not store.exists()
