"""Web-page tables saved as .xls (what many web platforms' 导出Excel gives): every cell as text.

The page's encoding is taken from its byte-order mark or ``<meta charset>``
(GB2312 and GBK are read as their superset GB18030), else UTF-8, else
GB18030. Only the text of each ``<td>``/``<th>`` is kept (a ``colspan`` leaves
empty cells, and so does a ``rowspan`` in the rows below it, so columns stay in place; the spans
are kept as merged ranges, like an .xlsx file's); nothing in the page is run or fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .limits import Limits, check_cells, current_limits

_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.IGNORECASE)
_CHINESE = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "cp936": "gb18030", "x-gbk": "gb18030"}


def looks_like_html(start: bytes) -> bool:
    """Whether the first bytes of a file are those of a web page or a bare table."""
    text = start.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta", b"<head", b"<body", b"<!--")) and (
        b"<table" in start.lower() or b"<html" in start.lower()
    )


def _decode(raw: bytes, path: Path) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    declared = _CHARSET.search(raw[:4096])
    tried = []
    if declared:
        name = declared.group(1).decode("ascii").lower()
        tried.append(_CHINESE.get(name, name))
    tried += ["utf-8", "gb18030"]
    for encoding in tried:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError("无法识别网页表格的编码", path=path, expected="UTF-8 或 GBK 编码")  # pragma: no cover


def _span(value: str | None, most: int) -> int:
    """A colspan or rowspan attribute as a number of cells (1 when absent or not a positive number)."""
    value = (value or "1").strip()
    return min(int(value), most) if value.isdigit() and int(value) > 0 else 1


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.merged: list[list[tuple[int, int, int, int]]] = []  # each table's spans, as in .xlsx
        self._open: list[list[list[str]]] = []  # tables being read (nested ones too)
        self._spans: list[tuple[dict[int, int], list]] = []  # per open table: column -> rows still covered, spans
        self._cell: list[str] | None = None
        self._span = 1
        self._down = 1
        self._skip = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._open.append([])
            self._spans.append(({}, []))
        elif tag == "tr" and self._open:
            self._end_cell()
            self._new_row()
        elif tag in ("td", "th") and self._open:
            if not self._open[-1]:
                self._new_row()
            self._end_cell()
            self._cell = []
            attrs = dict(attrs)
            self._span, self._down = _span(attrs.get("colspan"), 1000), _span(attrs.get("rowspan"), 10_000_000)
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_cell()
        elif tag == "table" and self._open:
            self._close_table()

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell.append(data)

    def _new_row(self):
        self._open[-1].append([])
        covered = self._spans[-1][0]
        for column in list(covered):  # one row fewer to cover below a rowspan
            covered[column] -= 1
            if covered[column] <= 0:
                del covered[column]

    def _end_cell(self):
        if self._cell is not None and self._open and self._open[-1]:
            text = " ".join("".join(self._cell).split())
            row, (covered, spans) = self._open[-1][-1], self._spans[-1]
            while len(row) in covered:  # the place of a cell spanning down from a row above
                row.append("")
            column = len(row)
            row.extend([text] + [""] * (self._span - 1))
            if self._down > 1:
                top = len(self._open[-1]) - 1
                spans.append((top, column, top + self._down - 1, column + self._span - 1))
                for at in range(column, column + self._span):
                    covered[at] = self._down  # counted down as each following row starts
        self._cell = None
        self._span = self._down = 1

    def _close_table(self):
        self._end_cell()
        rows, (_, spans) = self._open.pop(), self._spans.pop()
        self.tables.append(rows)
        self.merged.append([(t, lt, min(b, len(rows) - 1), r) for t, lt, b, r in spans])


def html_tables(path: Path, limits: Limits | None = None) -> Iterator[tuple[str, pd.DataFrame]]:
    """Each table of the page with at least one row, as ("表格1", grid of text cells), in order."""
    limits = limits or current_limits()
    if path.stat().st_size > limits.part_bytes:
        raise InputError(
            f"网页表格文件超过 {limits.part_mb} MB，未读取", path=path,
            expected="数据量大时另存为 CSV；确需读取时设置环境变量 PYHOTLINE_XLSX_MAX_MB 提高上限",
        )
    parser = _Tables()
    parser.feed(_decode(path.read_bytes(), path))
    parser.close()
    while parser._open:  # a table never closed still counts
        parser._close_table()
    found = [(rows, spans) for rows, spans in zip(parser.tables, parser.merged) if any(any(c for c in r) for r in rows)]
    if not found:
        raise InputError("这是一个网页文件，但里面没有表格", path=path, expected="导出为 Excel（.xlsx）或 CSV")
    for number, (rows, spans) in enumerate(found, start=1):
        width = max(len(r) for r in rows)
        grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
        check_cells(path, grid, limits, f"表格{number}")
        grid.attrs["unsaved"] = ([], 0)
        grid.attrs["merged"] = spans
        yield f"表格{number}", grid
