"""Raw files: which reader a file goes to (CSV, XLSX, Parquet), and the table of text cells it gives."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, os_reason
from .stated import stated_in_rows
from .columns import HEADER_ALIASES, Column, normalize_text
from .csvfile import _read_csv
from .excel import OLE2, sheets
from .headers import find_header, header_names, no_header_error
from .htmltable import html_tables, looks_like_html
from .limits import column_position
from .problems import _positions, _report, _report_rows
from .strays import lone_footer
from .values import _blank_rows


def check_path(path: Path) -> None:
    """A readable regular file, or a message saying what the path is instead (never opened otherwise:
    reading a FIFO or a device could wait or run for ever)."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise InputError("文件不存在", path=path) from None
    except PermissionError:
        raise InputError("没有权限访问这个文件", path=path) from None
    except OSError as exc:
        raise InputError(f"无法访问这个文件（{os_reason(exc)}）", path=path) from None
    what = (
        "一个文件夹" if stat.S_ISDIR(mode) else "一个管道（FIFO）" if stat.S_ISFIFO(mode)
        else "一个设备文件" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "一个套接字" if stat.S_ISSOCK(mode)
        else None if stat.S_ISREG(mode) else "一个特殊文件"
    )
    if what is not None:
        raise InputError(f"这是{what}，不是数据文件", path=path, expected="CSV、Excel 或 Parquet 数据文件的路径")
    if not os.access(path, os.R_OK):
        raise InputError("没有权限读取这个文件", path=path)


def _is_text(start: bytes) -> bool:
    """Whether a file's first bytes are text: UTF-16 with its byte-order mark (the CSV reader says what
    to do with it), or no NUL byte and UTF-8 or GB18030 throughout (a character cut at the end allowed)."""
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if not start or b"\x00" in start:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            start.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(start) - 4 and len(start) == 4096:
                return True
    return False


#: What a file holds, by its first bytes (the extension can be wrong).
def sniff(path: Path) -> str:
    """"xlsx", "xls", "html", "parquet" or "csv": the format of the file, by its extension and content."""
    suffix = path.suffix.lower()
    with open(path, "rb") as fh:
        start = fh.read(4096)
    if suffix == ".parquet":
        return "parquet"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".xls", ".htm", ".html"):
        if start.startswith(OLE2):
            return "xls"
        if start.startswith(b"PK\x03\x04"):
            return "xlsx"  # an .xlsx file named .xls: read for what it is
        if looks_like_html(start):
            return "html"
        if _is_text(start):  # CSV or tab-separated text named .xls (what some platforms' 导出Excel gives)
            return "csv"
        raise InputError(
            "不是有效的 Excel .xls 文件（也不是网页表格）", path=path, expected="在 Excel 中另存为 .xlsx 或 CSV",
        )
    if suffix in (".csv", ".txt"):
        return "csv"
    raise InputError("不支持的文件类型", path=path, value=path.suffix, expected=".csv、.xlsx、.xls 或 .parquet")


def read_table(
    path: str | Path, *, expect: tuple[Column, ...] = (), aliases: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, int]:
    """Read a CSV, Excel (.xlsx, .xls) or web-page table file as text cells, or a Parquet file as its
    typed columns.

    Parquet columns keep their types (timestamps, integers, strings;
    dictionary-encoded strings become categoricals) and nulls stay missing
    values: the typed readers (:func:`load_orders` ...) take them as they are
    and treat a null like an empty cell. Fully empty rows are dropped, as for
    CSV and XLSX, and row numbers count the header as row 1.

    Returns the frame and the 1-based spreadsheet row number of its header
    (title rows above the header are skipped when ``expect`` names the columns
    to look for; ``aliases`` maps header variants to documented names). A workbook
    whose first sheet has no header is read from the first sheet that has one
    (``attrs["notes"]`` says so); rows with 合计/总计/小计 in a cell are set aside
    (``attrs["totals"]``).
    """
    path = Path(path)
    check_path(path)
    kind = sniff(path)
    aliases = HEADER_ALIASES if aliases is None else aliases
    if kind == "parquet":
        return _read_parquet(path)[0], 1
    tables = sheets(path) if kind in ("xlsx", "xls") else html_tables(path) if kind == "html" else iter([(None, _read_csv(path))])
    tried = []
    for name, grid in tables:
        header_at = find_header(grid, expect, aliases)
        if header_at is not None:
            break
        tried.append((name, grid))
    else:
        raise no_header_error(path, tried, expect, aliases)
    notes = []
    if tried:
        notes.append(InputError(
            f"第一个工作表“{tried[0][0]}”中没有表头，数据读自工作表“{name}”", path=path,
        ))
    first_at = header_at
    stated = stated_in_rows(grid.iloc[:first_at].values.tolist())  # 导出时间：… above the header
    header, header_at = header_names(grid, header_at, expect, aliases, path)
    fields = grid.attrs.get("fields")
    if fields is not None:  # CSV rows cut short below the header
        # the columns the file names (a blank header cell, given its letters above, is not one of them)
        width = sum(1 for i in range(len(header))
                    if any(normalize_text(str(grid.iat[r, i])) for r in range(first_at, header_at + 1)))
        cut = np.array([0 < n < width and any(str(v).strip() for v in grid.iloc[i]) for i, n in enumerate(fields)])
        cut[: header_at + 1] = False
        if cut.any():  # a short 合计 or 制表人 row is set aside below, not a cut record
            short = np.flatnonzero(cut)
            rows = grid.iloc[short]
            cut[short[totals_rows(rows) | footer_rows(rows)]] = False
        _report_rows(
            _positions(cut),
            lambda p: InputError(
                f"这一行只有 {fields[p]} 列，表头有 {width} 列（这一行可能被截断了）", path=path, row=p + 1,
                expected="每一行的列数与表头相同",
            ),
        )
    notes += _fill_merged(path, grid, header, header_at, expect, aliases)
    formula_rows = _report_unsaved(path, grid, header, header_at, expect, aliases)
    body = grid.iloc[header_at + 1 :].reset_index(drop=True)
    body.columns = header
    if formula_rows:  # reported above (only ``check`` gets here): no second message about the same cells
        body = body.drop(index=[p - header_at - 1 for p in formula_rows])
    blank = (body == "").all(axis=1) if len(body) else pd.Series(dtype=bool)
    body = body.loc[~blank] if len(body) else body
    totals = totals_rows(body)
    where = {"totals": set_aside_rows(body, totals, header_at + 1)}
    if totals.any():
        body = body.loc[~totals]
    footers = footer_rows(body)
    where["footers"] = set_aside_rows(body, footers, header_at + 1)
    if footers.any():
        body = body.loc[~footers]
    notes += _hidden_rows_note(path, grid.attrs.get("hidden", ()), body.index, header_at)
    body.attrs["blank_rows"] = int(blank.sum())
    body.attrs["totals"] = int(totals.sum())
    body.attrs["footers"] = int(footers.sum())
    body.attrs["set_aside_rows"] = where
    body.attrs["refused"] = len(formula_rows)  # rows with an error that leaves nothing of them to read
    body.attrs["notes"] = notes
    body.attrs["stated"] = stated
    return body, header_at + 1


def _fill_merged(path: Path, grid: pd.DataFrame, header: list[str], header_at: int, expect, aliases) -> list[InputError]:
    """Cells merged down a column below the header (an export grouped by unit: one 承办单位 merged over
    its orders) hold the merged value in every row, as the sheet shows it; a note per documented column
    says where. Ranges merged across columns are left as read (only their first cell has a value)."""
    from .limits import column_letters

    wanted = {c.header for c in expect}
    filled: dict[int, list[tuple[int, int]]] = {}
    for top, left, bottom, right in grid.attrs.get("merged", ()):
        bottom = min(bottom, len(grid) - 1)
        if top <= header_at or left != right or bottom <= top or left >= len(header) or grid.iat[top, left] == "":
            continue
        below = grid.iloc[top + 1 : bottom + 1, left]
        empty = below == ""
        if empty.any():
            grid.iloc[top + 1 : bottom + 1, left] = below.where(~empty, grid.iat[top, left])
            filled.setdefault(left, []).append((top, int(empty.sum())))
    notes = []
    for left, ranges in sorted(filled.items()):
        name = header[left]
        if expect and aliases.get(name, name) not in wanted:
            continue
        top = ranges[0][0]
        notes.append(InputError(
            f"有 {len(ranges)} 处上下合并的单元格（第一处从 {column_letters(left)}{top + 1} 起），合并单元格的值已填入"
            f"它覆盖的每一行（共 {sum(n for _, n in ranges)} 个单元格）", path=path, row=top + 1, column=name,
        ))
    return notes


def _hidden_rows_note(path: Path, hidden, kept: pd.Index, header_at: int) -> list[InputError]:
    """A note when rows Excel hides hold records: they are read like any other (a hidden row is still
    in the file; hiding it in Excel does not take it out of the figures)."""
    positions = {number - 1 - header_at - 1 for number in hidden}  # spreadsheet row -> body position
    read = sorted(p for p in positions & set(kept.tolist()))
    if not read:
        return []
    return [InputError(
        f"有 {len(read)} 行在 Excel 中被隐藏，仍照常读入统计", path=path, row=read[0] + header_at + 2,
        expected="不应统计的行请从导出文件中删除（隐藏不会把它们排除在外）",
    )]


#: Rows named per reason a row is set aside (the count says how many).
NAMED_ROWS = 3


def set_aside_rows(body: pd.DataFrame, found: np.ndarray, header_row: int) -> list[int]:
    """The spreadsheet rows of the first :data:`NAMED_ROWS` rows ``found`` in ``body`` (its index: the
    position under the header row ``header_row``)."""
    return [int(i) + header_row + 1 for i in body.index[np.asarray(found, dtype=bool)][:NAMED_ROWS]]


#: Words that mark a totals row (合计 at the bottom of an export), in any cell.
TOTALS_WORDS = ("合计", "总计", "小计")
_TOTALS = re.compile(r"^(?:" + "|".join(TOTALS_WORDS) + r")[:：]?(?:\(.*\))?$")


def totals_rows(body: pd.DataFrame) -> np.ndarray:
    """Rows holding 合计, 总计 or 小计 (with or without a colon, spaces, or a note in brackets) in a cell."""
    found = np.zeros(len(body), dtype=bool)
    for name in body.columns:
        column = body[name]
        if not (pd.api.types.is_string_dtype(column.dtype) or column.dtype == object):
            continue
        candidates = column.astype(str).str.contains("计", regex=False).fillna(False).to_numpy(dtype=bool)
        if candidates.any():
            words = column[candidates].map(lambda v: bool(_TOTALS.match(normalize_text(str(v)))))
            found[np.flatnonzero(candidates)[words.to_numpy(dtype=bool)]] = True
    return found


#: What a signature or note row under a table starts with (制表人：…, 审核人：…, 注：…), in every cell it fills.
FOOTER_WORDS = ("制表", "填表", "填报", "制单", "审核", "审批", "复核", "核对", "负责", "经办", "统计", "打印", "导出",
                "报送", "单位负责", "分管领导", "主管领导", "联系", "注", "备注", "说明", "数据来源", "数据截至")
_FOOTER = re.compile(r"^(?:" + "|".join(FOOTER_WORDS) + r")(?:人|时间|日期|单位|领导|电话)?[:：]")


#: How many rows at the bottom of a table may be signature or note rows.
FOOTER_ROWS = 20


#: A bare date (or date and time) in a footer row: 制表人：王五 … 2026-03-10 (spaces already removed).
_BARE_DATE = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\d{1,2}:\d{2}(?::\d{2})?)?")


def _signed_and_dated(cells: list[str]) -> bool:
    """A signature or note row with a bare date beside it: its first cell a signature or note word, every
    other cell one too, or a date."""
    first, rest = cells[0], cells[1:]
    return bool(rest) and bool(_FOOTER.match(first) or lone_footer(first)) and all(
        _FOOTER.match(c) or _BARE_DATE.fullmatch(c) for c in rest)


def footer_rows(body: pd.DataFrame) -> np.ndarray:
    """The rows at the bottom of a table (below the last record, totals rows already set aside) whose
    every filled cell is a signature or a note: ``制表人：张三``, ``审核人：``, ``注：本表…``, what offices
    write under an export, or whose one filled cell starts with a totals or note word (``合计：183``,
    ``共计 183 件``, ``导出时间：…``: :func:`.strays.lone_footer`). Such a row can hold no record."""
    found = np.zeros(len(body), dtype=bool)
    for position in range(len(body) - 1, max(len(body) - 1 - FOOTER_ROWS, -1), -1):
        cells = [normalize_text(str(v)) for v in body.iloc[position] if v is not None and v == v and str(v).strip()]
        if not cells or not (all(_FOOTER.match(c) for c in cells) or (len(cells) == 1 and lone_footer(cells[0]))
                             or _signed_and_dated(cells)):
            break
        found[position] = True
    return found


def _report_unsaved(path: Path, grid: pd.DataFrame, header: list[str], header_at: int, expect, aliases) -> list[int]:
    """Formula cells saved without a result, in the documented columns: one error per column, naming
    its first cell and how many the column has. Returns the grid positions of the rows holding them,
    which give no other message (their empty cells would only repeat the cause as 不能为空 …).

    When the cells cannot all be placed (no cell reference, or more than the scan tracks), one message
    for the file, and nothing more is read from it."""
    refs, count = grid.attrs.get("unsaved", ([], 0))
    if not count:
        return []
    if count > len(refs) or not all(refs):
        raise InputError(
            f"有 {count} 个单元格是公式，但文件中没有保存计算结果", path=path,
            expected="保存了计算结果的值：请在 Excel 中打开并保存后再导出（或把公式转为数值）",
        )
    wanted = {c.header for c in expect}
    by_column: dict[str, list[tuple[int, str]]] = {}
    for ref in refs:
        position, at = column_position(ref)
        if position <= header_at or at >= len(header) or (expect and aliases.get(header[at], header[at]) not in wanted):
            continue
        by_column.setdefault(aliases.get(header[at], header[at]), []).append((position, ref))
    placed = sorted({position for cells in by_column.values() for position, _ in cells})
    totals = {p for p, is_total in zip(placed, totals_rows(grid.iloc[placed])) if is_total} if placed else set()
    by_column = {column: [c for c in cells if c[0] not in totals] for column, cells in by_column.items()}
    by_column = {column: cells for column, cells in by_column.items() if cells}  # a totals row's =SUM(…) is set aside
    rows: set[int] = set()
    for column, cells in by_column.items():
        cells.sort()
        listed = "、".join(ref for _, ref in cells[:MAX_NAMED]) + ("……" if len(cells) > MAX_NAMED else "")
        more = f"（这一列共 {len(cells)} 个这样的单元格：{listed}）" if len(cells) > 1 else ""
        _report(InputError(
            f"单元格 {cells[0][1]} 是公式，但文件中没有保存计算结果{more}", path=path, row=cells[0][0] + 1,
            column=column, expected="保存了计算结果的值：请在 Excel 中打开并保存后再导出（或把公式转为数值）",
        ))
        rows.update(position for position, _ in cells)
    return sorted(rows)


#: Cells named in a formula message (the count says how many more).
MAX_NAMED = 5


def _read_parquet(path: Path, keep=None) -> tuple[pd.DataFrame, list[str]]:
    """A Parquet file's columns (only those whose normalised header ``keep`` accepts), typed.

    Also returns every normalised header of the file. No value goes through
    Python strings: text columns stay Arrow-backed (or categorical when the file
    dictionary-encodes them), timestamps and integers keep their types.
    """
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        names = parquet.schema_arrow.names
        headers = [normalize_text(str(n)) for n in names]
        selected = [n for n, h in zip(names, headers) if keep is None or keep(h)]
        table = parquet.read(columns=selected, use_threads=True)
    except Exception as exc:  # pyarrow raises many kinds
        raise InputError(f"无法读取 Parquet 文件（{exc}）", path=path) from None
    import pyarrow as pa

    date_only = [normalize_text(str(f.name)) for f in table.schema if pa.types.is_date(f.type)]
    frame = table.to_pandas(date_as_object=False, self_destruct=True, split_blocks=True)
    frame = frame.reset_index(drop=True)  # rows by position, not a pandas index kept in the file's metadata
    frame.columns = [normalize_text(str(n)) for n in selected]
    frame.attrs["date_only"] = date_only
    empty = _blank_rows(frame)
    if empty.any():
        frame = frame.loc[~empty]
    return frame, headers
