"""Hostile and broken input files, tried as a user meets them: ``python -m pyhotline.cli check ...``.

Beside tests/test_bad_input.py (one spoiled cell per case), these are files made
to hurt: invisible characters that split a category, control characters Excel
cannot hold, zip bombs (honest and lying about their size), formulas saved
without a result, damaged bytes, paths that are folders, pipes or devices. Each
is refused with a pointed message naming file, row and column where there is
one, or handled harmlessly; nothing hangs and memory stays bounded.
"""

from __future__ import annotations

import csv
import os
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest

from pyhotline.errors import InputError
from pyhotline.io import collecting, load_orders, load_units

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def _sample(name: str, encoding: str) -> tuple[list[str], list[list[str]]]:
    with open(SAMPLE / name, encoding=encoding, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


HEADER, ALL_ROWS = _sample("orders.csv", "utf-8-sig")
MAY = [r for r in ALL_ROWS if r[1].startswith("2024-05")]
COL = {h: i for i, h in enumerate(HEADER)}


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def check(*args, cwd: Path, env: dict | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """``python -m pyhotline.cli check ...`` in a fresh process, as an analyst runs it."""
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "pyhotline.cli", "check", *map(str, args)],
        cwd=cwd, env=environment, capture_output=True, text=True, encoding="utf-8", timeout=timeout,
    )


def assert_refused(proc: subprocess.CompletedProcess, *texts: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    for text in texts:
        assert text in proc.stderr, (text, proc.stderr)


@pytest.fixture
def units(tmp_path) -> Path:
    return Path(shutil.copy(SAMPLE / "units.csv", tmp_path / "单位名录.csv"))


@pytest.fixture(scope="module")
def registry():
    return load_units(SAMPLE / "units.csv")


# ---------------------------------------------------------------- invisible and control characters
@pytest.mark.parametrize("hidden", ["\u200b", "\x00", "\ufeff", "\u2060", "\u202e", "\u00ad"])
def test_invisible_characters_never_split_a_category(tmp_path, registry, hidden):
    rows = [list(r) for r in MAY]
    marked = [i for i, r in enumerate(rows) if r[COL["事件分类"]] == "市场管理类"][:40]
    for i in marked:
        rows[i][COL["事件分类"]] = "市场管理类" + hidden
        rows[i][COL["承办单位"]] = hidden + rows[i][COL["承办单位"]]
    clean = load_orders(write_csv(tmp_path / "clean.csv", MAY), registry)
    quality = []
    dirty = load_orders(write_csv(tmp_path / "工单.csv", rows), registry, quality=quality)
    pd.testing.assert_frame_equal(dirty, clean)
    assert not dirty["category"].str.contains(hidden, regex=False).any()
    notes = " ".join(quality[0].warnings)
    assert "“事件分类”列" in notes and "“承办单位”列" in notes and f"第 {marked[0] + 2} 行" in notes
    assert hidden not in notes  # the note shows the character as a code, never the character itself
    assert f"<U+{ord(hidden):04X}>" in notes
    # with --strict nothing is read: the error does not say the characters were deleted (stranger finding 10)
    with pytest.raises(InputError) as exc:
        load_orders(write_csv(tmp_path / "工单.csv", rows), registry, strict=True)
    assert "看不见的字符" in str(exc.value) and "已删除" not in str(exc.value)
    assert "删除这些字符后重新导出" in str(exc.value)



def test_a_none_sign_under_strict_does_not_say_it_was_read(tmp_path, registry):
    """Second stranger review: with --strict, '--' in 办结时间 was an error saying 按空白读入."""
    rows = [list(r) for r in MAY]
    done = [i for i, r in enumerate(rows) if r[COL["办结时间"]]][:3]
    for i in done:
        rows[i][COL["办结时间"]] = "--"
        rows[i][COL["回访结果"]] = ""
    quality = []
    load_orders(write_csv(tmp_path / "工单.csv", rows), registry, quality=quality)
    assert any("按空白读入" in w for w in quality[0].warnings)
    with pytest.raises(InputError) as exc:
        load_orders(write_csv(tmp_path / "工单.csv", rows), registry, strict=True)
    assert "表示没有的符号" in str(exc.value) and "按空白读入" not in str(exc.value.reason)


def test_invisible_characters_are_the_same_in_every_format(tmp_path, registry):
    rows = [list(r) for r in MAY[:50]]
    rows[3][COL["事件分类"]] += "\u200b"
    rows[4][COL["承办单位"]] += "\x00"
    csv_frame = load_orders(write_csv(tmp_path / "o.csv", rows), registry)
    table = pd.DataFrame(rows, columns=HEADER)
    table.to_parquet(tmp_path / "o.parquet", index=False)
    table.assign(**{"承办单位": table["承办单位"].str.replace("\x00", "\u200c")}).to_excel(tmp_path / "o.xlsx", index=False)
    for other in ("o.parquet", "o.xlsx"):
        pd.testing.assert_frame_equal(load_orders(tmp_path / other, registry), csv_frame)
    assert csv_frame.loc[3, "category"] == MAY[3][COL["事件分类"]]


def test_invisible_characters_in_headers_are_ignored(tmp_path, registry):
    header = ["\ufeff\u200b工单编号", *HEADER[1:4], "承办\u200b单位", *HEADER[5:]]
    frame = load_orders(write_csv(tmp_path / "o.csv", MAY[:30], header=header), registry)
    assert len(frame) == 30


def test_control_character_is_refused_by_check_with_row_and_column(tmp_path, units):
    rows = [list(r) for r in MAY[:60]]
    rows[6][COL["承办单位"]] = "平江县\x01公安局"
    orders = write_csv(tmp_path / "工单.csv", rows)
    proc = check("--orders", orders, "--units", units, cwd=tmp_path)
    assert_refused(proc, "文件 工单.csv", "第 8 行", "“承办单位”列", "控制字符", "<U+0001>")
    assert "\x01" not in proc.stderr


def test_control_character_in_a_unit_name_of_the_registry(tmp_path):
    header, rows = _sample("units.csv", "utf-8")
    rows[2][0] = "平江县交警\x1f大队"
    path = write_csv(tmp_path / "单位名录.csv", rows, header=header, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_units(path)
    assert (info.value.row, info.value.column) == (4, "单位名称")


# ---------------------------------------------------------------- zip bombs
def _rezip(source: Path, target: Path, parts: dict, declared: dict | None = None) -> Path:
    """A copy of the workbook ``source`` with some parts replaced (name -> function yielding byte
    chunks), written by hand so that a part's declared size can lie (``declared``: name -> size)."""
    declared = declared or {}
    with zipfile.ZipFile(source) as zin, open(target, "wb") as out:
        central = []
        for info in zin.infolist():
            name = info.filename.encode()
            deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
            crc = size = 0
            pieces = []
            for chunk in (parts[info.filename]() if info.filename in parts else [zin.read(info)]):
                crc, size = zlib.crc32(chunk, crc), size + len(chunk)
                pieces.append(deflate.compress(chunk))
            data = b"".join(pieces) + deflate.flush()
            claimed = declared.get(info.filename, size)
            offset = out.tell()
            out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), claimed, len(name), 0))
            out.write(name + data)
            central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(data), claimed,
                                       len(name), 0, 0, 0, 0, 0, offset) + name)
        start = out.tell()
        directory = b"".join(central)
        out.write(directory)
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), start, 0))
    return target


def _huge_sheet(megabytes: int):
    def chunks():
        yield (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        cells = b'<c t="inlineStr"><is><t>x</t></is></c>' * 40
        block = (b"<row>" + cells + b"</row>") * 2000
        for _ in range(megabytes * 1024 * 1024 // len(block) + 1):
            yield block
        yield b"</sheetData></worksheet>"
    return chunks


@pytest.fixture(scope="module")
def small_workbook(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("book") / "small.xlsx"
    pd.DataFrame([MAY[0]], columns=HEADER).to_excel(path, index=False)
    return path


def _peak_check(args: list, cwd: Path, env: dict | None = None) -> tuple[subprocess.CompletedProcess, int]:
    """``check`` run by a fresh parent that reports its child's peak memory (kB)."""
    script = (
        "import resource, subprocess, sys\n"
        "proc = subprocess.run([sys.executable, '-m', 'pyhotline.cli', 'check', *sys.argv[1:]],"
        " capture_output=True, text=True, encoding='utf-8')\n"
        "sys.stdout.write(proc.stdout); sys.stderr.write(proc.stderr)\n"
        "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(proc.returncode)\n"
    )
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p), **(env or {})}
    proc = subprocess.run([sys.executable, "-c", script, *map(str, args)], cwd=cwd, env=environment,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
    peak = int(proc.stdout.rsplit("PEAK", 1)[1])
    return proc, peak


@pytest.mark.parametrize("lies", [False, True], ids=["honest", "lying"])
def test_zip_bomb_is_refused_in_bounded_memory(tmp_path, units, small_workbook, lies):
    """A 1-2 MB .xlsx whose sheet expands to 300 MB: refused from its declared size, or (when the
    declared size lies) after counting 200 MB of real bytes, never handed to a reader."""
    sheet = "xl/worksheets/sheet1.xml"
    bomb = _rezip(small_workbook, tmp_path / "工单.xlsx", {sheet: _huge_sheet(300)},
                  declared={sheet: 4000} if lies else None)
    assert bomb.stat().st_size < 3 * 1024 * 1024
    proc, peak = _peak_check(["--orders", bomb, "--units", units], tmp_path)
    assert_refused(proc, "文件 工单.xlsx", "工作表 Sheet1", "200 MB", "PYHOTLINE_XLSX_MAX_MB")
    assert peak < 600 * 1024, peak  # kB: the sheet is counted, never kept


def test_row_limit_is_configurable(tmp_path, units):
    rows = MAY[:60]
    pd.DataFrame(rows, columns=HEADER).to_excel(tmp_path / "工单.xlsx", index=False)
    assert check("--orders", tmp_path / "工单.xlsx", "--units", units, cwd=tmp_path).returncode == 0
    proc = check("--orders", tmp_path / "工单.xlsx", "--units", units, cwd=tmp_path, env={"PYHOTLINE_XLSX_MAX_ROWS": "50"})
    assert_refused(proc, "超过 50 行", "PYHOTLINE_XLSX_MAX_ROWS")
    proc = check("--orders", tmp_path / "工单.xlsx", "--units", units, cwd=tmp_path, env={"PYHOTLINE_XLSX_MAX_MB": "很多"})
    assert_refused(proc, "PYHOTLINE_XLSX_MAX_MB", "正整数")


def test_a_damaged_part_is_refused(tmp_path, registry, small_workbook):
    """Declared size larger than the real one (a truncated or tampered part)."""
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(small_workbook) as book:
        real = book.getinfo(sheet).file_size
    path = _rezip(small_workbook, tmp_path / "o.xlsx", {}, declared={sheet: real + 10})
    with pytest.raises(InputError, match="已损坏"):
        load_orders(path, registry)


def test_too_long_cell_is_refused(tmp_path, registry, monkeypatch):
    rows = [list(r) for r in MAY[:10]]
    rows[3][COL["诉求内容"]] = "很长" * 2000
    pd.DataFrame(rows, columns=HEADER).to_excel(tmp_path / "o.xlsx", index=False)
    load_orders(tmp_path / "o.xlsx", registry)  # the default: what Excel holds (32767)
    monkeypatch.setenv("PYHOTLINE_XLSX_MAX_CELL_CHARS", "1000")
    with pytest.raises(InputError, match="超过 1000 个字符") as info:
        load_orders(tmp_path / "o.xlsx", registry)
    assert info.value.row == 5


# ---------------------------------------------------------------- formulas without results
def test_formula_without_saved_result_names_the_cell(tmp_path, units):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in MAY[:30]:
        sheet.append(list(r))
    sheet["H6"] = "=1+1"  # openpyxl saves formulas without a result, as a script or a web export would
    book.save(tmp_path / "工单.xlsx")
    proc = check("--orders", tmp_path / "工单.xlsx", "--units", units, cwd=tmp_path)
    assert_refused(proc, "文件 工单.xlsx", "第 6 行", "“延期次数”列", "H6", "公式", "请在 Excel 中打开并保存后再导出")


def test_formula_with_saved_result_is_read_as_its_value(tmp_path, registry):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in MAY[:5]:
        sheet.append(list(r))
    book.save(tmp_path / "plain.xlsx")
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as zin:
        xml = zin.read("xl/worksheets/sheet1.xml")
    cell = b'<c r="H3" t="n"><f>1+1</f><v>2</v></c>'
    start = xml.index(b'<c r="H3"')
    end = xml.index(b"</c>", start) + 4
    patched = xml[:start] + cell + xml[end:]
    _rezip(tmp_path / "plain.xlsx", tmp_path / "o.xlsx", {"xl/worksheets/sheet1.xml": lambda: [patched]})
    frame = load_orders(tmp_path / "o.xlsx", registry)
    assert frame.loc[1, "extensions"] == 2


# ---------------------------------------------------------------- damaged bytes, odd paths
@pytest.mark.parametrize("where", [2, 400])
def test_bad_byte_in_a_personal_column_never_refuses_the_file(tmp_path, units, where):
    rows = [list(r) for r in MAY]
    orders = tmp_path / "工单.csv"
    write_csv(orders, rows)
    data = orders.read_bytes().splitlines(keepends=True)
    line = data[where]
    cut = line.rindex(b",") + 4  # inside 诉求内容, after a few bytes of it
    data[where] = line[:cut] + b"\xff\xfe" + line[cut:]
    orders.write_bytes(b"".join(data))
    proc = check("--orders", orders, "--units", units, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"读入 {len(MAY)} 行" in proc.stdout


def test_bad_byte_in_a_used_column_names_the_row(tmp_path, units):
    rows = [list(r) for r in MAY]
    rows[9][COL["事件分类"]] = "市场管理类"
    orders = write_csv(tmp_path / "工单.csv", rows)
    data = orders.read_bytes().splitlines(keepends=True)
    data[10] = data[10].replace("市场管理类".encode(), "市场".encode() + b"\xff" + "管理类".encode(), 1)
    orders.write_bytes(b"".join(data))
    proc = check("--orders", orders, "--units", units, cwd=tmp_path)
    assert_refused(proc, "文件 工单.csv", "第 11 行", "“事件分类”列", "无法识别的字符", "<U+FFFD>")
    assert proc.stderr.count("错误：") == 1


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_paths_that_are_not_files(tmp_path, units, kind):
    if kind == "folder":
        path, what = tmp_path / "工单", "文件夹"
        path.mkdir()
    elif kind == "fifo":
        path, what = tmp_path / "工单.csv", "管道"
        os.mkfifo(path)
    else:
        path, what = Path("/dev/zero"), "设备文件"
    proc = check("--orders", path, "--units", units, cwd=tmp_path, timeout=60)
    assert_refused(proc, what, "不是数据文件")
    assert "不存在" not in proc.stderr


def test_link_to_a_device_is_refused(tmp_path, units):
    link = tmp_path / "工单.csv"
    link.symlink_to("/dev/zero")
    assert_refused(check("--orders", link, "--units", units, cwd=tmp_path, timeout=60), "设备文件")


def test_collecting_does_not_hide_file_level_refusals(tmp_path, registry):
    (tmp_path / "d.csv").mkdir()
    with collecting() as problems, pytest.raises(InputError, match="文件夹"):
        load_orders(tmp_path / "d.csv", registry)
    assert problems == []
