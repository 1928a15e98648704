"""Finding the header row (below any title rows) and saying, once, what is wrong when there is none."""

from __future__ import annotations

import difflib
from pathlib import Path

import pandas as pd

from ..errors import MissingColumnError
from .cleaning import shown
from .limits import column_letters
from .columns import (
    HEADER_ALIASES, LETTER_COLUMNS, ORDER_COLUMNS, PERSONAL_HEADERS, UNIT_COLUMNS, Column, normalize_text,
)

#: How many rows from the top may hold the header (title and note rows above it are skipped).
HEADER_ROWS = 15

#: A header cell longer than this is no column name: never suggested, nor shown as an example.
MAX_HEADER_CHARS = 40
ALIASES_HINT = "导出文件用了别的列名时，在考评规则文件的 [input.header_aliases] 中写明对应关系，如 \"{variant}\" = \"{header}\""


def _cells(grid: pd.DataFrame, i: int) -> list[str]:
    return [normalize_text(str(v)) for v in grid.iloc[i]]


def _matches(cells: list[str], expect: tuple[Column, ...], aliases: dict[str, str]) -> set[str]:
    known = {c.header for c in expect}
    return {aliases.get(h, h) for h in cells} & known


def find_header(grid: pd.DataFrame, expect: tuple[Column, ...], aliases: dict[str, str] | None = None) -> int | None:
    """The position of the header row among the first :data:`HEADER_ROWS` rows, or None.

    A header is the first row naming (directly or through ``aliases``) at least half the required
    columns, and at least two of the documented ones.
    """
    if not expect:
        return 0
    aliases = HEADER_ALIASES if aliases is None else aliases
    wanted = {c.header for c in expect if c.required}
    for i in range(min(len(grid), HEADER_ROWS)):
        found = _matches(_cells(grid, i), expect, aliases)
        if len(found) >= 2 and len(found & wanted) >= len(wanted) // 2:
            return i
    return None


def no_header_error(
    path: Path, grids: list[tuple[str | None, pd.DataFrame]], expect: tuple[Column, ...], aliases: dict[str, str],
) -> MissingColumnError:
    """One message for a file (or workbook) where no row looks like the header: the required columns not
    found in the first rows, the row closest to a header, and how to map a column in the scheme."""
    required = [c.header for c in expect if c.required]
    seen: set[str] = set()
    best = None  # (matches, width, sheet, position, cells)
    for sheet, grid in grids:
        for i in range(min(len(grid), HEADER_ROWS)):
            cells = _cells(grid, i)
            found = _matches(cells, expect, aliases)
            seen |= found
            key = (len(found), sum(1 for c in cells if c))
            if best is None or key > best[:2]:
                best = (*key, sheet, i, cells)
    missing = [h for h in required if h not in seen] or required
    if best is None or best[1] == 0:
        return MissingColumnError(
            f"文件中没有内容可作表头，缺少必需的列{'、'.join(f'“{h}”' for h in missing)}", path=path,
            expected="第一行（或标题行下面的一行）是列名",
        )
    _, _, sheet, position, cells = best
    other = _other_kind(grids, expect, aliases)
    if other is not None:
        (name, option), (wanted, _) = other, KINDS.get(expect, ("", ""))
        row_text = "、".join(shown(c) for c in cells if c)
        row_text = row_text if len(row_text) <= 120 else row_text[:120] + "……"
        return MissingColumnError(
            f"这似乎是{name}，不是{wanted or '这里要的文件'}（表头是：{row_text}）",
            path=path, row=position + 1, expected=f"{name}用 {option} 指定；检查是否选错了文件或把两个文件的位置写反了",
        )
    known = {c.header for c in expect} | set(PERSONAL_HEADERS)
    strangers = [c for c in cells if c and len(c) <= MAX_HEADER_CHARS and aliases.get(c, c) not in known]
    pairs = [(h, difflib.get_close_matches(h, strangers, n=1, cutoff=0.4)) for h in missing]
    if len(missing) == 1 and pairs[0][1]:
        reason = f"缺少必需的列“{missing[0]}”；表头中的“{pairs[0][1][0]}”是否就是这一列？"
    else:
        row_text = "、".join(shown(c) for c in cells if c)
        row_text = row_text if len(row_text) <= 120 else row_text[:120] + "……"
        where = f"工作表“{sheet}”的" if sheet is not None and len(grids) > 1 else ""
        reason = (
            f"在前 {HEADER_ROWS} 行中找不到表头，缺少必需的列{'、'.join(f'“{h}”' for h in missing)}；"
            f"最接近表头的是{where}这一行：{row_text}"
        )
    if len(grids) > 1:
        reason += f"（各工作表 {'、'.join(f'“{name}”' for name, _ in grids)} 中都没有找到表头）"
    variant, header = next(((close[0], h) for h, close in pairs if close), (strangers[0] if strangers else "编号", missing[0]))
    return MissingColumnError(
        reason, path=path, row=position + 1,
        expected=f"表头中有这些列名；{ALIASES_HINT.format(variant=variant, header=header)}",
    )


#: The three kinds of file, by their columns: what the analyst calls them and the option that names them.
KINDS = {ORDER_COLUMNS: ("工单明细", "--orders"), LETTER_COLUMNS: ("信件明细", "--letters"),
         UNIT_COLUMNS: ("承办单位名录", "--units")}


def _other_kind(grids, expect: tuple[Column, ...], aliases: dict[str, str]) -> tuple[str, str] | None:
    """When a file without the header wanted has the header of another kind of file (the letters given
    as the orders), that kind's name and option."""
    for columns, kind in KINDS.items():
        if columns == expect:
            continue
        if any(find_header(grid, columns, aliases) is not None for _, grid in grids):
            return kind
    return None


def missing_column_error(
    path: Path, header: str, header_row: int, unrecognised: list[str],
) -> MissingColumnError:
    """A required column absent from a header row that was found (a close, unrecognised header suggested)."""
    close = difflib.get_close_matches(header, [u for u in unrecognised if len(u) <= MAX_HEADER_CHARS], n=1, cutoff=0.4)
    hint = f"；表头中的“{close[0]}”是否就是这一列？" if close else ""
    variant = close[0] if close else "导出文件中的列名"
    return MissingColumnError(
        f"缺少必需的列“{header}”{hint}", path=path, row=header_row,
        expected=f"表头中有“{header}”；{ALIASES_HINT.format(variant=variant, header=header)}",
    )


def header_names(
    grid: pd.DataFrame, header_at: int, expect: tuple[Column, ...], aliases: dict[str, str], path: Path,
) -> tuple[list[str], int]:
    """The column names of the header found at ``header_at``, and the position of its last row.

    A header over two rows (group titles merged across columns above their columns' names, the other
    names merged down both rows) is read as one: the row below is part of the header when it names a
    documented column the first row lacks and is empty under every column the first row names. Blank
    names (trailing empty columns) and repeats of a name no documented column takes are given their
    column's letters, so they are ignored like any extra column; a documented column named twice is
    an error naming both columns."""
    from ..errors import InputError

    names = _cells(grid, header_at)
    last = header_at
    if header_at + 1 < len(grid):
        below = _cells(grid, header_at + 1)
        known = {c.header for c in expect} | set(PERSONAL_HEADERS)
        named = {aliases.get(h, h) for h in names} & known
        adds = {aliases.get(h, h) for h in below if h} & known
        under_known = any(b for n, b in zip(names, below) if aliases.get(n, n) in known)
        if adds - named and not under_known:
            names = [b or n for n, b in zip(names, below)]
            last = header_at + 1
    documented = {c.header for c in expect}
    first: dict[str, int] = {}
    result = []
    for i, name in enumerate(names):
        if name in first and aliases.get(name, name) in documented:
            raise InputError(
                f"表头中有两列都叫“{name}”（第 {column_letters(first[name])} 列和第 {column_letters(i)} 列）",
                path=path, row=last + 1, column=name, expected="只保留其中一列，或把另一列改名",
            )
        first.setdefault(name, i)
        if not name or name in result:
            name = f"（第 {column_letters(i)} 列）" if not name else f"{name}（第 {column_letters(i)} 列）"
        result.append(name)
    return result, last


def header_repeats(body: pd.DataFrame, aliases: dict[str, str], known: set[str]) -> "np.ndarray":
    """Rows below the header that repeat it (pages of an export pasted one under the other, each with
    its header): every filled cell of a documented column names that column, and at least two do."""
    import numpy as np

    used = [h for h in body.columns if aliases.get(str(h), str(h)) in known]
    candidates = np.zeros(len(body), dtype=bool)
    for h in used:  # a repeated header is nearly always the same text: found first by equality, cheaply
        column = body[h]
        if pd.api.types.is_string_dtype(column.dtype) or column.dtype == object or isinstance(
                column.dtype, pd.CategoricalDtype):
            candidates |= (column == h).fillna(False).to_numpy(dtype=bool)
    found = np.zeros(len(body), dtype=bool)
    for position in np.flatnonzero(candidates):
        cells = [(aliases.get(str(h), str(h)), normalize_text(str(v))) for h, v in zip(used, body[used].iloc[position])
                 if v is not None and v == v and str(v).strip()]
        named = sum(1 for target, cell in cells if aliases.get(cell, cell) == target)
        found[position] = named >= 2 and named == len(cells)
    return found
