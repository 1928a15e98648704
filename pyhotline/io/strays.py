"""Rows that cannot be records: a footer under the table, or a stray cell or two near the data.

A trailing row whose only filled cell starts with a totals or note word (``合计：183``, ``共计 183 件``,
``导出时间：…``, ``备注 …``) is a footer: set aside and counted, its row named in the file's summary.
Any other row with one or two filled cells, where a record fills four or more required columns, is one
message naming the row and its cells (column letter, header, value), never one 不能为空 per empty
column (docs/input-errors.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .columns import Column, normalize_text
from .limits import column_letters
from .values import _blank_cells

#: The words a footer's one cell starts with: totals and the notes offices write under a table.
FOOTER_START = ("合计", "共计", "总计", "小计", "累计", "制表", "填表", "填报", "制单", "审核", "审批", "复核", "核对",
                "负责", "经办", "统计", "打印", "导出", "报送", "备注", "注", "说明", "数据来源", "数据截至", "截至", "共")
_FOOTER_CELL = re.compile(r"^(?:" + "|".join(FOOTER_START) + r")")

#: A row with at most this many filled cells is no record (a record fills every required column).
MAX_STRAY_CELLS = 2

#: Only files whose records fill at least this many required columns have stray rows (the units registry,
#: with two, reports a half-filled row cell by cell).
MIN_REQUIRED = 4


def _filled(body: pd.DataFrame, positions: np.ndarray) -> list[list[tuple[str, str]]]:
    """For each row position, its filled cells as (column, text)."""
    rows = []
    for position in positions:
        cells = [(str(h), str(v).strip()) for h, v in zip(body.columns, body.iloc[position])
                 if v is not None and v == v and str(v).strip()]
        rows.append(cells)
    return rows


def lone_footer(text: str) -> bool:
    """Whether a row's only filled cell (normalised) is a footer: 合计：183, 共计 183 件, 导出时间：…"""
    return bool(_FOOTER_CELL.match(text))


def stray_rows(body: pd.DataFrame, columns: tuple[Column, ...]) -> np.ndarray:
    """Rows of ``body`` (columns renamed to the documented headers) with at most :data:`MAX_STRAY_CELLS`
    filled cells (in a file whose records fill at least :data:`MIN_REQUIRED` required columns)."""
    required = [c.header for c in columns if c.required and c.header in body.columns]
    found = np.zeros(len(body), dtype=bool)
    if len(required) < MIN_REQUIRED or not len(body):
        return found
    # such a row leaves one of the first two required columns empty: a cheap first look at every row
    candidates = _blank_cells(body[required[0]]) | _blank_cells(body[required[1]])
    positions = np.flatnonzero(candidates)
    for position, cells in zip(positions, _filled(body, positions)):
        found[position] = 0 < len(cells) <= MAX_STRAY_CELLS
    return found


def stray_error(path: Path, row: int, cells: list[tuple[str, str]], letters: dict[str, int]) -> InputError:
    """One message for a stray row: its cells with their column letters and headers."""
    def cell(header: str, text: str) -> str:
        at = f"{column_letters(letters[header])}{row}，" if header in letters else ""
        shown = text if len(text) <= 40 else text[:40] + "……"
        return f"{at}“{header}”列：“{shown}”"

    listed = "；".join(cell(h, t) for h, t in cells)
    what = "只有一个单元格" if len(cells) == 1 else f"只有 {len(cells)} 个单元格"
    return InputError(
        f"这一行{what}有内容（{listed}），不是一条完整的记录", path=path, row=row,
        expected="删除表格外的零散内容（或整行），或把这条记录补全",
    )
