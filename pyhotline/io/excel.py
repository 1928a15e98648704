"""Excel workbooks (.xlsx, and the older .xls), sheet by sheet, every cell as text, within limits."""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .columns import _cell_text
from .limits import (
    Limits, PartScan, check_cells, current_limits, hidden_rows, merged_ranges, scan_part, unsaved_formulas,
)

#: pandas engines tried in turn for .xlsx (tests narrow it to compare them).
XLSX_ENGINES = ("calamine", "openpyxl")

OLE2 = b"\xd0\xcf\x11\xe0"
_SHEET = re.compile(rb"<(?:\w{1,8}:)?sheet\b([^>]*)/?>")
_RELATION = re.compile(rb"<(?:\w{1,8}:)?Relationship\b([^>]*)/?>")
_ATTRIBUTE = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
#: Parts a reader never opens as XML (pictures and the like): only their declared size is checked.
_BINARY = (".png", ".jpg", ".jpeg", ".gif", ".emf", ".wmf", ".bin", ".tif", ".tiff", ".bmp")


def _read_xlsx(path: Path) -> pd.DataFrame:
    """The first sheet of a workbook (see :func:`sheets`)."""
    return next(sheets(path))[1]


def sheets(path: Path, limits: Limits | None = None) -> Iterator[tuple[str | None, pd.DataFrame]]:
    """Each worksheet as (name, grid of text cells), in the workbook's order, read only when asked for.

    Every part is checked against ``limits`` (:mod:`.limits`) before a reader opens it. The grid's
    ``attrs["unsaved"]`` lists formula cells saved without a result, as (cell references, count);
    ``attrs["hidden"]`` the numbers of the rows Excel hides, ``attrs["merged"]`` the merged ranges as
    (top, left, bottom, right) grid positions.
    """
    import zipfile

    limits = limits or current_limits()
    with open(path, "rb") as fh:
        start = fh.read(8)
    if start.startswith(OLE2):
        yield from _xls_sheets(path, limits)
        return
    if not zipfile.is_zipfile(path):
        raise InputError(
            "不是有效的 Excel .xlsx 文件（可能是改了扩展名的 CSV）", path=path, expected="在 Excel 中另存为 .xlsx 或 CSV",
        )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"Excel 文件已损坏（{exc}）", path=path, expected="在 Excel 中打开并另存为 .xlsx 后重试") from None
    with archive, open(path, "rb") as raw:
        members = archive.infolist()
        listed = _worksheets(archive, raw, path, limits)
        names = {part: f"工作表 {name}" for name, part in listed}
        for info in members:  # declared sizes first: costs nothing
            if info.file_size > limits.part_bytes:
                scan_part(raw, info, path, limits, sheet=False, label=names.get(info.filename))  # raises
        parts = {part for _, part in listed}
        budget = 0
        for info in members:
            if info.filename in parts or info.filename.lower().endswith(_BINARY) or info.is_dir():
                continue
            budget += scan_part(raw, info, path, limits, sheet=False).size
            if budget > limits.part_bytes:
                raise InputError(
                    f"Excel 文件中工作表以外的部分解压后共超过 {limits.part_mb} MB，未读取", path=path,
                    expected="在 Excel 中另存为 .xlsx 或 CSV 后重试",
                )
        by_name = {info.filename: info for info in members}
        for name, part in listed or [(None, None)]:
            scan, hidden, merged = PartScan(), [], []
            for info in ([by_name[part]] if part in by_name else [i for i in members if _is_sheet(i.filename)]):
                found = scan_part(raw, info, path, limits, sheet=True, label=f"工作表 {name}" if name else None)
                if found.formulas or found.hidden:
                    xml = archive.read(info)
                    if found.formulas:
                        unsaved_formulas(xml, found)
                    if found.hidden:
                        hidden += hidden_rows(xml)
                    del xml
                scan.unsaved += found.unsaved
                merged += merged_ranges(found.merges)
                scan.unsaved_count += found.unsaved_count
            grid = _read_sheet(path, name if name is not None else 0, XLSX_ENGINES)
            check_cells(path, grid, limits, name)
            grid.attrs["unsaved"] = (scan.unsaved, scan.unsaved_count)
            grid.attrs["hidden"] = sorted(hidden)
            grid.attrs["merged"] = merged
            yield name, grid


def _is_sheet(filename: str) -> bool:
    return filename.startswith("xl/worksheets/") and filename.endswith(".xml")


def _attributes(text: bytes) -> dict[str, str]:
    return {k.decode().split(":")[-1]: html.unescape(v.decode("utf-8", "replace")) for k, v in _ATTRIBUTE.findall(text)}


def _worksheets(archive, raw, path: Path, limits: Limits) -> list[tuple[str, str]]:
    """(sheet name, part) of every worksheet, in order; empty when the workbook does not say."""
    try:
        book, rels = archive.getinfo("xl/workbook.xml"), archive.getinfo("xl/_rels/workbook.xml.rels")
    except KeyError:
        return []
    for info in (book, rels):
        scan_part(raw, info, path, limits, sheet=False)
    targets = {}
    for match in _RELATION.finditer(archive.read(rels)):
        attributes = _attributes(match.group(1))
        if attributes.get("Type", "").endswith("/worksheet") and "Id" in attributes:
            target = attributes.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[attributes["Id"]] = target
    listed = []
    for match in _SHEET.finditer(archive.read(book)):
        attributes = _attributes(match.group(1))
        if attributes.get("id") in targets and "name" in attributes:
            listed.append((attributes["name"], targets[attributes["id"]]))
    return listed


def _xls_sheets(path: Path, limits: Limits) -> Iterator[tuple[str | None, pd.DataFrame]]:
    """An Excel 97-2003 (.xls, BIFF) workbook, read by calamine; its size is its own limit."""
    if path.stat().st_size > limits.part_bytes:
        raise InputError(
            f"旧版 Excel（.xls）文件超过 {limits.part_mb} MB，未读取", path=path,
            expected="数据量大时另存为 CSV 或 Parquet；确需读取时设置环境变量 PYHOTLINE_XLSX_MAX_MB 提高上限",
        )
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
    except ImportError:  # pragma: no cover - python-calamine is a dependency
        raise InputError("读取旧版 Excel（.xls）需要 python-calamine", path=path, expected="在 Excel 中另存为 .xlsx") from None
    except Exception as exc:  # calamine raises its own kinds
        raise InputError(
            f"无法读取旧版 Excel（.xls）文件（{type(exc).__name__}）", path=path, expected="在 Excel 中另存为 .xlsx 后重试",
        ) from None
    for name in names:
        grid = _read_sheet(path, name, ("calamine",))
        check_cells(path, grid, limits, name)
        grid.attrs["unsaved"] = ([], 0)
        try:
            ranges = book.get_sheet_by_name(name).merged_cell_ranges or []
        except Exception:  # calamine raises its own kinds; the merges are only a help
            ranges = []
        grid.attrs["merged"] = sorted((top, left, bottom, right) for (top, left), (bottom, right) in ranges)
        yield name, grid


def _read_sheet(path: Path, sheet: str | int, engines: tuple[str, ...]) -> pd.DataFrame:
    # calamine (Rust) reads a sheet about ten times faster than openpyxl and gives the same cell values
    # (tests compare them); a workbook it cannot read goes to openpyxl, whose failures are reported.
    failure: Exception | None = None
    for engine in engines:
        try:
            with open(path, "rb") as fh:  # by content, not by the name's extension
                grid = pd.read_excel(fh, sheet_name=sheet, header=None, dtype=object, engine=engine)
        except ImportError:
            continue
        except Exception as exc:  # the readers raise many kinds; the last one's is reported
            failure = exc
            continue
        return grid.apply(lambda col: col.map(_cell_text))
    kind = type(failure).__name__ if failure else "没有可用的 Excel 读取库"
    raise InputError(f"无法读取 Excel 文件（{kind}）", path=path, expected="在 Excel 中另存为 .xlsx 后重试")
