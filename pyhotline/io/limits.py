"""Limits a spreadsheet is opened with, so that a hostile or broken file costs seconds, not the machine.

An .xlsx file is a zip archive of XML parts. Before a reader sees a part, its
size as the archive declares it and its real size (decompressed here, counted,
never kept) are checked against :class:`Limits`; the rows of a sheet are counted
on the way, and formula cells saved without a result are found. Declared sizes
can lie, so the real size is what counts: a 1.5 MB file whose sheet expands to
1.5 GB is refused after 200 MB of decompressing, well within seconds.

The defaults are documented in docs/input-errors.md; each can be changed with an
environment variable (``PYHOTLINE_XLSX_MAX_MB``, ``PYHOTLINE_XLSX_MAX_ROWS``,
``PYHOTLINE_XLSX_MAX_COLUMNS``, ``PYHOTLINE_XLSX_MAX_CELL_CHARS``) or by passing
``limits=`` to the functions here.
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError


@dataclass(frozen=True)
class Limits:
    part_mb: int = 200  # each part (a sheet, the shared strings), uncompressed, declared and real
    rows: int = 2_000_000
    columns: int = 1_000
    cell_chars: int = 32_767  # what Excel itself can hold in a cell

    @property
    def part_bytes(self) -> int:
        return self.part_mb * 1024 * 1024


_ENVIRONMENT = {
    "part_mb": "PYHOTLINE_XLSX_MAX_MB",
    "rows": "PYHOTLINE_XLSX_MAX_ROWS",
    "columns": "PYHOTLINE_XLSX_MAX_COLUMNS",
    "cell_chars": "PYHOTLINE_XLSX_MAX_CELL_CHARS",
}


def current_limits() -> Limits:
    """The defaults, changed by any of the environment variables that is set."""
    values = {}
    for name, variable in _ENVIRONMENT.items():
        text = os.environ.get(variable, "").strip()
        if not text:
            continue
        if not text.isdigit() or int(text) <= 0:
            raise InputError(f"环境变量 {variable} 的值“{text}”不是正整数", expected="如 200 这样的正整数")
        values[name] = int(text)
    return Limits(**values)


def _too_big(path: Path, part: str, limits: Limits) -> InputError:
    return InputError(
        f"Excel 文件中的“{part}”解压后超过 {limits.part_mb} MB（文件可能是“压缩炸弹”，或数据过多），未读取",
        path=path, expected=f"数据量大时另存为 CSV 或 Parquet；确需读取时设置环境变量 {_ENVIRONMENT['part_mb']} 提高上限",
    )


def _damaged(path: Path, part: str, why: str) -> InputError:
    return InputError(f"Excel 文件已损坏（“{part}”{why}）", path=path, expected="在 Excel 中打开并另存为 .xlsx 后重试")


@dataclass
class PartScan:
    """What reading a part found: its real size, rows, and formula cells without a saved result."""

    size: int = 0
    rows: int = 0
    formulas: bool = False
    unsaved: list[str] = field(default_factory=list)  # cell references such as "G12"
    unsaved_count: int = 0
    hidden: bool = False  # something in the sheet is hidden (rows are then looked for: hidden_rows)
    merges: set = field(default_factory=set)  # merged ranges, as (first cell, last cell) references
    last_row: int = 0  # the highest row a far cell reference names (:data:`_FAR_CELLS`)
    far_cell: str = ""  # that cell, for messages
    far_column: str = ""  # a cell whose column is past limits.columns


#: Cell references that could stretch a sheet's grid (a reader builds it up to the farthest cell, so one stray
#: cell at XFD1048576 costs gigabytes): a column past ZZ, a row of 100,000 or more, or both past Z and 10,000.
#: Each begins with the literal r=" so the search stays fast; a normal export matches only in its far rows.
_FAR_CELLS = (re.compile(rb'r="([A-Z]{3})([0-9]{1,9})"'), re.compile(rb'r="([A-Z]{1,2})([0-9]{6,9})"'),
              re.compile(rb'r="([A-Z]{2})([0-9]{5})"'))


def _far_cells(text: bytes, scan: PartScan, limits: Limits) -> None:
    """Note the farthest row, and a column past the limit, that the cell references of a piece of sheet XML name."""
    for pattern in _FAR_CELLS:
        for letters, number in pattern.findall(text):
            row = int(number)
            if row > scan.last_row:
                scan.last_row, scan.far_cell = row, f" {(letters + number).decode()}"
            if len(letters) == 3 and not scan.far_column and column_position(letters.decode() + "1")[1] >= limits.columns:
                scan.far_column = (letters + number).decode()


def _check_extent(path: Path, label: str, scan: PartScan, limits: Limits) -> None:
    """Refuse a sheet whose grid would be far larger than its rows, before a reader builds it."""
    if scan.far_column:
        raise InputError(
            f"Excel 文件中的“{label}”在 {scan.far_column} 有内容，超过 {limits.columns} 列，未读取", path=path,
            expected=f"删除数据区域以外的单元格后另存；确需读取时设置环境变量 {_ENVIRONMENT['columns']} 提高上限",
        )
    if scan.last_row > limits.rows or scan.last_row > 10 * scan.rows + 1000:
        raise InputError(
            # the far cell's own row is not counted among the sheet's rows
            f"Excel 文件中的“{label}”只有 {max(scan.rows - 1, 0)} 行内容，却有单元格远在{scan.far_cell}（离其余数据太远），未读取",
            path=path, expected="删除数据区域以外的单元格（或整行）后另存",
        )


def _rows(xml: bytes) -> int:
    """Row elements (<row …>, or <x:row …> with a namespace prefix) in a piece of sheet XML."""
    return xml.count(b"<row") - xml.count(b"<rowBreaks") + xml.count(b":row ") + xml.count(b":row>")


_FORMULA = re.compile(rb"<(?:\w{1,8}:)?f[\s>/]")
_CHUNK = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")


def _decompressed(fh, info, path: Path, limit: int):
    """The real bytes of a zip member, chunk by chunk, however large it claims to be (at most ``limit``+1)."""
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise _damaged(path, info.filename, "的记录头不对")
    *_, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    fh.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    if info.flag_bits & 0x1:
        raise InputError("Excel 文件设置了密码", path=path, expected="去掉密码后另存为 .xlsx")
    if info.compress_type == 0:  # stored
        left = min(info.compress_size, limit + 1)
        while left > 0:
            chunk = fh.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk
        return
    if info.compress_type != 8:
        raise _damaged(path, info.filename, f"用了 Excel 不用的压缩方式 {info.compress_type}")
    inflate = zlib.decompressobj(-15)
    produced = 0
    while not inflate.eof:
        data = inflate.unconsumed_tail or fh.read(_CHUNK)
        if not data:
            break  # the stream ends early: the reader will say the file is damaged
        try:
            out = inflate.decompress(data, _CHUNK)
        except zlib.error:
            raise _damaged(path, info.filename, "无法解压") from None
        produced += len(out)
        yield out
        if produced > limit:
            return


def scan_part(fh, info, path: Path, limits: Limits, *, sheet: bool, label: str | None = None) -> PartScan:
    """Check one part against the limits, counting rows and finding formulas in a sheet (``label``: the
    sheet's name, for messages)."""
    label = label or info.filename
    if info.file_size > limits.part_bytes:
        raise _too_big(path, label, limits)
    scan = PartScan()
    tail = b""
    for chunk in _decompressed(fh, info, path, limits.part_bytes):
        scan.size += len(chunk)
        if scan.size > limits.part_bytes:
            raise _too_big(path, label, limits)
        if sheet:
            text = tail + chunk
            scan.rows += _rows(text) - _rows(tail)  # the rows that end in this chunk
            scan.formulas = scan.formulas or _FORMULA.search(text) is not None
            scan.hidden = scan.hidden or b'hidden="' in text
            if b"mergeCell" in text:  # after the cells, at the end of the sheet
                scan.merges.update(_MERGE.findall(text))
            _far_cells(text, scan, limits)
            tail = text[-64:]
            if scan.rows > limits.rows:
                raise InputError(
                    f"Excel 文件中的“{label}”超过 {limits.rows} 行，未读取", path=path,
                    expected=f"数据量大时另存为 CSV 或 Parquet；确需读取时设置环境变量 {_ENVIRONMENT['rows']} 提高上限",
                )
    if scan.size != info.file_size:
        raise _damaged(path, info.filename, "解压后的大小与文件记录的不符")
    if sheet:
        _check_extent(path, label, scan, limits)
    return scan


_CELL_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
_VALUE = re.compile(rb"<(?:\w{1,8}:)?v>[^<]")
_CELL_END = re.compile(rb"</(?:\w{1,8}:)?c>")
#: Formula cells without a result whose place is kept (beyond that, one message for the whole file).
MAX_LISTED = 100_000


_HIDDEN_ROW = re.compile(rb'<(?:\w{1,8}:)?row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')


def hidden_rows(xml: bytes) -> list[int]:
    """The spreadsheet numbers of the rows a sheet's XML hides (``<row r="7" hidden="1">``)."""
    found = []
    for match in _HIDDEN_ROW.finditer(xml):
        number = re.search(rb'\br="(\d{1,7})"', match.group())
        if number:
            found.append(int(number.group(1)))
    return found


_MERGE = re.compile(rb'<(?:\w{1,8}:)?mergeCell\s+ref="([A-Z]{1,3}[0-9]{1,7}):([A-Z]{1,3}[0-9]{1,7})"')


def merged_ranges(merges) -> list[tuple[int, int, int, int]]:
    """Merged ranges found by :func:`scan_part` (``<mergeCell ref="E3:E9"/>``) as (top, left, bottom,
    right) grid positions, from 0, in order."""
    found = []
    for first, last in merges:
        (top, left), (bottom, right) = column_position(first.decode()), column_position(last.decode())
        found.append((top, left, bottom, right))
    return sorted(found)


def unsaved_formulas(xml: bytes, scan: PartScan) -> None:
    """The cells of a sheet's XML holding a formula but no saved result (what Excel shows once computed)."""
    for match in _FORMULA.finditer(xml):
        end = _CELL_END.search(xml, match.end())
        cell = xml[match.start(): end.start() if end else len(xml)]
        if _VALUE.search(cell):
            continue
        scan.unsaved_count += 1
        if len(scan.unsaved) < MAX_LISTED:
            start = max(xml.rfind(b"<c ", 0, match.start()), xml.rfind(b":c ", 0, match.start()), 0)
            ref = _CELL_REF.search(xml, start, match.start())
            scan.unsaved.append(ref.group(1).decode() if ref else "")


def check_cells(path: Path, grid, limits: Limits, sheet: str | None) -> None:
    """Columns and cell lengths of a sheet as read."""
    where = f"工作表“{sheet}”" if sheet else "表格"
    if grid.shape[1] > limits.columns:
        raise InputError(
            f"{where}有 {grid.shape[1]} 列，超过 {limits.columns} 列，未读取", path=path,
            expected=f"只导出需要的列；确需读取时设置环境变量 {_ENVIRONMENT['columns']} 提高上限",
        )
    if grid.shape[0] > limits.rows:
        raise InputError(
            f"{where}超过 {limits.rows} 行，未读取", path=path,
            expected=f"数据量大时另存为 CSV 或 Parquet；确需读取时设置环境变量 {_ENVIRONMENT['rows']} 提高上限",
        )
    for position, name in enumerate(grid.columns):
        lengths = grid[name].str.len()
        if len(lengths) and lengths.max() > limits.cell_chars:
            row = int(lengths.to_numpy().argmax())
            raise InputError(
                f"{where}中有单元格超过 {limits.cell_chars} 个字符，未读取", path=path, row=row + 1,
                column=column_letters(position), expected="每个单元格不超过 Excel 的上限 32767 个字符",
            )


def column_letters(position: int) -> str:
    """A column's letters as a spreadsheet shows them (0 -> A, 26 -> AA)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_position(ref: str) -> tuple[int, int]:
    """A cell reference ("G12") as (row position, column position), both from 0."""
    letters = ref.rstrip("0123456789")
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return int(ref[len(letters):]) - 1, column - 1
