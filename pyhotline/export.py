"""Writing results: the appendix table as CSV or print-ready XLSX.

Files are written to a temporary name beside the target and moved into place
only when complete, so a failure never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from . import sheet_rows
from .errors import PyhotlineError
from .report import EvaluationTable, MonthlyReport


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


DEFAULT_APPENDIX_TITLE = "{year}年{month}月份12345政务服务热线综合评价表"


def appendix_title(report: MonthlyReport | pd.Period, scheme=None) -> str:
    """The appendix's title: the scheme's ``[appendix] title`` (placeholders ``{year}``, ``{month}``, ``{period}``:
    2024年5月份; for a quarter or a year ``{year}年{month}月份`` reads as ``{period}``, 2024年第二季度 / 2024年度)."""
    m = report if isinstance(report, pd.Period) else report.month
    scheme = scheme if scheme is not None or isinstance(report, pd.Period) else report.scheme
    raw = getattr(scheme, "raw", None) or {}
    template = raw.get("appendix", {}).get("title") or DEFAULT_APPENDIX_TITLE
    if m.freqstr[0] != "M":  # a quarter's or year's table (pyhotline.period): 2024年第二季度, 2024年度
        template = re.sub(r"\{year\}\s*年\s*\{month\}\s*月份?", "{period}", template)
        if "{month}" in template:
            from .errors import SchemeError

            raise SchemeError(f"[appendix] title “{template}”用了 {{month}}，季报、年报的附件标题无法写出：请改用 {{period}}"
                              "（月报为“2024年5月份”，季报为“2024年第二季度”，年报为“2024年度”）",
                              path=getattr(scheme, "path", None))
    from .period import period_title

    try:
        return template.format(year=m.year, month=m.month, period=period_title(m))
    except (KeyError, IndexError, ValueError, AttributeError):
        from .errors import SchemeError

        raise SchemeError(f"[appendix] title “{template}”写法不对：只能用 {{year}}、{{month}}、{{period}} 这几个占位符，"
                          "大括号须成对", path=getattr(scheme, "path", None)) from None


#: What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with ``'`` (OWASP); numbers
    written as text (``-1``, ``+86``…) are left as they are, since a number runs nothing."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_appendix(report: MonthlyReport | EvaluationTable, path: str | Path, *, encoding: str = "utf-8") -> Path:
    """Write the appendix table; the format follows the extension (.csv or .xlsx). A bulletin's report
    (:class:`MonthlyReport`) adds, in an .xlsx, the sheet of the complete lists of problem orders
    (``wording.problem_orders_sheet``, :func:`pyhotline.order_lists.printed`), cut or not."""
    extra = None
    if isinstance(report, MonthlyReport) and Path(path).suffix.lower() == ".xlsx":
        from . import order_lists

        extra = (report.scheme.words("problem_orders_sheet"), order_lists.title(report), order_lists.printed(report))
    return write_table(report.appendix(), report.month, path, encoding=encoding, scheme=report.scheme, extra=extra)


def write_table(table: pd.DataFrame, month: pd.Period, path: str | Path, *, encoding: str = "utf-8",
                scheme=None, title: str | None = None, extra: tuple[str, str, pd.DataFrame] | None = None) -> Path:
    """Write an appendix table (as :func:`~pyhotline.report.appendix_table` prints it) as .csv or .xlsx.

    Text that a spreadsheet would read as a formula is never one: CSV cells get the ``'`` prefix,
    XLSX cells are written as strings (see :func:`write_appendix_xlsx`)."""
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
            safe = table.map(csv_safe).rename(columns=csv_safe)
            data = safe.to_csv(index=False, lineterminator="\r\n").encode(encoding)
        except UnicodeEncodeError:
            raise PyhotlineError(
                f"评价表含中文，无法用编码 {encoding} 写出；请用 utf-8、utf-8-sig 或 gb18030"
            ) from None
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
    elif suffix == ".xlsx":
        with atomic_path(path) as tmp:
            write_appendix_xlsx(table, tmp, title=title or appendix_title(month, scheme), scheme=scheme, extra=extra)
    else:
        raise PyhotlineError(f"输出文件 {path.name} 的类型不支持：请用 .csv、.xlsx 或 .json 结尾")
    return path


_NUMBER = re.compile(r"[-+]?\d+(\.\d+)?")
_PERCENT = re.compile(r"-?\d+(\.\d+)?%")
_FIRST_GRADE_SHADE = None  # the best grade is not shaded, as the printed table


def cell_value(text: object) -> tuple[object, str | None]:
    """The value an XLSX cell stores for a printed figure, and the number format that prints it so.

    ``"97.9%"`` -> 0.979 with ``0.0%``; ``"20.88%"`` -> 0.2088 with ``0.00%``; ``"100"`` -> 100 with
    ``0``; ``"84.20"`` -> 84.2 with ``0.00``; counts as integers. Anything else (``—``, names) is text.
    """
    if isinstance(text, (int,)) and not isinstance(text, bool):
        return text, "0"
    if not isinstance(text, str):
        return text, None
    if _PERCENT.fullmatch(text):
        number = Decimal(text[:-1]) / 100
        places = len(text[:-1].partition(".")[2])
        return float(number), "0" + ("." + "0" * places if places else "") + "%"
    if _NUMBER.fullmatch(text) and not text.startswith("+"):
        places = len(text.partition(".")[2])
        if places == 0 and len(text.lstrip("-")) > 15:
            return text, None  # an order number or the like: keep every digit, as text
        number = Decimal(text)
        return (int(number) if places == 0 else float(number)), "0" + ("." + "0" * places if places else "")
    return text, None


def shown(cell) -> str:
    """The text Excel shows for a cell written by :func:`write_appendix_xlsx` (for tests and checks)."""
    value, fmt = cell.value, cell.number_format
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    places = len(fmt.partition(".")[2].rstrip("%"))
    number = Decimal(repr(value)) * (100 if fmt.endswith("%") else 1)
    text = format(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    return text + ("%" if fmt.endswith("%") else "")


def _shades(scheme) -> dict[str, str]:
    """Row fills per grade: a light tint of the grade's colour (the scheme's, else by rank); none for the best."""
    from .charts import _rank_color

    grades = list(getattr(scheme, "grades", ()) or ())
    if not grades:
        return {"B": "FFF2CC", "C": "FCE4D6", "D": "F8CBAD"}
    fills = {}
    for position, grade in enumerate(grades[1:], start=1):
        colour = (grade.color or _rank_color(position, len(grades))).lstrip("#")
        if len(colour) == 3:
            colour = "".join(c * 2 for c in colour)
        rgb = [int(colour[i:i + 2], 16) for i in (0, 2, 4)]
        fills[grade.name] = "".join(f"{round(c + (255 - c) * 0.75):02X}" for c in rgb)
    return fills


def write_appendix_xlsx(table: pd.DataFrame, path: str | Path, *, title: str, scheme=None,
                        extra: tuple[str, str, pd.DataFrame] | None = None) -> None:
    """A print-ready sheet: title, bold header repeated on every page, A4 landscape, fit to width.

    Counts are stored as integers, rates as fractions (0.979) shown as percentages (97.9%), 综合指标值
    as numbers (100, 84.2), each with the number format that prints exactly the bulletin's figure, so
    Excel can sort and sum them. Every text cell (names, "—", grades) is a string cell: a name that
    starts with ``=`` is shown as written and never becomes a formula. Rows are shaded by grade with
    tints of the scheme's grade colours.
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

    _text_cell(ws, 1, 1, title).font = Font(name="宋体", size=16, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.cell(row=1, column=1).alignment = center
    ws.row_dimensions[1].height = 30
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    for j, name in enumerate(table.columns, start=1):
        cell = _text_cell(ws, 2, j, str(name))
        cell.font = Font(name="宋体", size=10, bold=True)
        cell.alignment = center
        cell.border = border
        cell.fill = header_fill
    ws.row_dimensions[2].height = 32
    from .report import appendix_headers

    unit = appendix_headers(scheme)["unit"]  # the scheme's [appendix] unit_header
    text_columns = {"单位类型", unit, "等级评价"}
    grade_fill = _shades(scheme)
    for i, row in enumerate(table.itertuples(index=False), start=3):
        record = dict(zip(table.columns, row))
        for j, name in enumerate(table.columns, start=1):
            value, fmt = (record[name], None) if name in text_columns else cell_value(record[name])
            if isinstance(value, str) or value is None:
                cell = _text_cell(ws, i, j, "" if value is None else value)
            else:
                cell = ws.cell(row=i, column=j, value=value)
                cell.number_format = fmt
            cell.font = Font(name="宋体", size=10)
            cell.border = border
            cell.alignment = center if name != unit else Alignment(vertical="center")
        fill = grade_fill.get(record.get("等级评价"))
        if fill:
            for j in range(1, ncols + 1):
                ws.cell(row=i, column=j).fill = PatternFill("solid", fgColor=fill)
    widths = {"单位类型": 11, unit: 28}
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
    if extra is not None:
        _list_sheet(wb, *extra)
    sheet_rows.save_workbook(wb, path)


def _list_sheet(wb, name: str, title: str, table: pd.DataFrame):
    """A second sheet: a list as text cells (order numbers keep every digit), title, header repeated.

    The title and header are openpyxl cells; the rows (500k at 10M orders) are kept as text and written
    by :func:`save_workbook` as the very XML openpyxl writes for string cells (inline strings), about
    ten times faster than a cell object each. Text no worksheet can hold raises here, as openpyxl's own
    cells do."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name[:31])
    _text_cell(ws, 1, 1, title).font = Font(name="宋体", size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(table.columns), 1))
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    for j, header in enumerate(table.columns, start=1):
        _text_cell(ws, 2, j, str(header)).font = Font(name="宋体", size=10, bold=True)
    if len(table) + 2 > 1048576:
        raise ValueError(f"Row numbers must be between 1 and 1048576 ({len(table) + 2} rows)")
    ws._pyhotline_rows = sheet_rows.rows_of([[str(v) for v in table[c].tolist()] for c in table.columns], first=3)
    for j, width in enumerate((16, 22, 12, 18, 18, 18), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    return ws


def _text_cell(ws, row: int, column: int, text: str):
    """A string cell whatever the text looks like (openpyxl makes any text starting with ``=`` a formula)."""
    cell = ws.cell(row=row, column=column)
    cell.value = text
    cell.data_type = "s"
    return cell
