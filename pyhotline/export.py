"""Writing results: the appendix table as CSV or print-ready XLSX.

Files are written to a temporary name beside the target and moved into place
only when complete, so a failure never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .errors import PyhotlineError
from .report import MonthlyReport


def umask() -> int:
    """The process's file-creation mask (read without changing it for good)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    tmp_path.chmod(0o666 & ~umask())  # mkstemp makes it private; give it the usual permissions
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def appendix_title(report: MonthlyReport | pd.Period) -> str:
    m = report if isinstance(report, pd.Period) else report.month
    return f"{m.year}年{m.month}月份12345政务服务热线综合评价表"


def write_appendix(report: MonthlyReport, path: str | Path, *, encoding: str = "utf-8") -> Path:
    """Write the appendix table; the format follows the extension (.csv or .xlsx)."""
    return write_table(report.appendix(), report.month, path, encoding=encoding)


def write_table(table: pd.DataFrame, month: pd.Period, path: str | Path, *, encoding: str = "utf-8") -> Path:
    """Write an appendix table (as :func:`~pyhotline.report.appendix_table` prints it) as .csv or .xlsx."""
    import codecs

    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        raise PyhotlineError(f"输出路径 {path.name} 是一个文件夹；请给出文件名，如 评价表.xlsx")
    if suffix == ".csv":
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise PyhotlineError(
                f"不认识的编码“{encoding}”；可用 utf-8、utf-8-sig（Excel 直接打开）或 gb18030"
            ) from None
        try:  # RFC 4180 line ends, as Excel writes; encoded once, so a bad encoding fails before any file
            data = table.to_csv(index=False, lineterminator="\r\n").encode(encoding)
        except UnicodeEncodeError:
            raise PyhotlineError(
                f"评价表含中文，无法用编码 {encoding} 写出；请用 utf-8、utf-8-sig 或 gb18030"
            ) from None
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
    elif suffix == ".xlsx":
        with atomic_path(path) as tmp:
            write_appendix_xlsx(table, tmp, title=appendix_title(month))
    else:
        raise PyhotlineError(f"输出文件 {path.name} 的类型不支持：请用 .csv 或 .xlsx 结尾")
    return path


def write_appendix_xlsx(table: pd.DataFrame, path: str | Path, *, title: str) -> None:
    """A print-ready sheet: title, bold header repeated on every page, A4 landscape, fit to width.

    Counts are written as numbers; rates and 综合指标值 as the bulletin prints
    them (97.9%, 100) so the sheet shows exactly the published figures.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "综合评价表"
    ncols = len(table.columns)
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    ws.cell(row=1, column=1, value=title).font = Font(name="宋体", size=16, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.cell(row=1, column=1).alignment = center
    ws.row_dimensions[1].height = 30
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    for j, name in enumerate(table.columns, start=1):
        cell = ws.cell(row=2, column=j, value=name)
        cell.font = Font(name="宋体", size=10, bold=True)
        cell.alignment = center
        cell.border = border
        cell.fill = header_fill
    ws.row_dimensions[2].height = 32
    count_columns = {"受理案件数", "应办理数", "办理数", "按期办理数", "返工数", "回访不满意数"}
    grade_fill = {"B": "FFF2CC", "C": "FCE4D6", "D": "F8CBAD"}
    for i, row in enumerate(table.itertuples(index=False), start=3):
        record = dict(zip(table.columns, row))
        for j, name in enumerate(table.columns, start=1):
            value = record[name]
            if name in count_columns:
                value = int(value)
            cell = ws.cell(row=i, column=j, value=value)
            cell.font = Font(name="宋体", size=10)
            cell.border = border
            cell.alignment = center if name not in ("部门名称",) else Alignment(vertical="center")
        fill = grade_fill.get(record.get("等级评价"))
        if fill:
            for j in range(1, ncols + 1):
                ws.cell(row=i, column=j).fill = PatternFill("solid", fgColor=fill)
    widths = {"单位类型": 11, "部门名称": 28}
    for j, name in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = widths.get(name, 9)
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    wb.save(path)
