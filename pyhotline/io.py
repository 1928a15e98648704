"""Reading platform exports: work orders, letters and the units registry.

The accepted format is documented in ``docs/input-format.md``. Readers accept
CSV (UTF-8, UTF-8 with BOM, GB18030/GBK, detected) and XLSX, find the header
row below any title rows, map header variants to the documented names, keep
only the documented columns (personal columns such as 来电人, 联系电话 and
诉求内容 are dropped right here and never travel further), parse and check
every value, and raise :class:`~pyhotline.errors.InputError` naming file, row
and column for anything wrong.

Internally columns carry English names; values stay as the platform writes
them (派单, 满意, 县直单位 ...).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError, MissingColumnError, UnknownUnitError


# ---------------------------------------------------------------- problems
# Row-level problems are raised at once (the first one found), except inside
# ``collecting()``, where every problem is gathered and reading goes on: that is
# how ``pyhotline check`` reports everything wrong with a file in one go.
_PROBLEMS: ContextVar[list | None] = ContextVar("pyhotline_problems", default=None)
MAX_ROWS_PER_PROBLEM = 20


@contextmanager
def collecting() -> Iterator[list[InputError]]:
    """Gather row-level problems instead of raising the first (file-level ones still raise)."""
    token = _PROBLEMS.set([])
    try:
        yield _PROBLEMS.get()
    finally:
        _PROBLEMS.reset(token)


def _report(error: InputError) -> None:
    problems = _PROBLEMS.get()
    if problems is None:
        raise error
    problems.append(error)


def _report_rows(positions: np.ndarray, make: Callable[[int], InputError]) -> None:
    """A problem at each position (positional row index): raise the first, or collect up to a limit."""
    if len(positions) == 0:
        return
    problems = _PROBLEMS.get()
    if problems is None:
        raise make(int(positions[0]))
    for pos in positions[:MAX_ROWS_PER_PROBLEM]:
        problems.append(make(int(pos)))
    if len(positions) > MAX_ROWS_PER_PROBLEM:
        first = problems[-1]
        problems.append(InputError(
            f"{first.reason}：另有 {len(positions) - MAX_ROWS_PER_PROBLEM} 行同样的问题（只列出前 {MAX_ROWS_PER_PROBLEM} 行）",
            path=first.path, column=first.column,
        ))


def _positions(mask) -> np.ndarray:
    return np.flatnonzero(np.asarray(mask, dtype=bool))


@dataclass
class FileQuality:
    """What reading one file found: rows read, rows set aside and why, warnings."""

    kind: str  # 工单明细, 信件明细, 单位名录
    file: str
    rows: int = 0  # data rows below the header (blank rows not counted)
    blank: int = 0  # blank rows skipped
    set_aside: dict[str, int] = field(default_factory=dict)  # reason -> rows
    warnings: list[str] = field(default_factory=list)

    @property
    def used(self) -> int:
        return self.rows - sum(self.set_aside.values())

    def summary(self) -> str:
        text = f"{self.kind} {self.file}：读入 {self.rows} 行"
        if self.set_aside:
            text += "，剔除 " + "、".join(f"{reason} {n} 行" for reason, n in self.set_aside.items())
        if self.blank:
            text += f"（另跳过空行 {self.blank} 行）"
        return text + f"，使用 {self.used} 行"


@dataclass(frozen=True)
class Column:
    header: str  # documented Chinese header
    name: str  # internal English name
    kind: str  # text | label | id | datetime | count | enum | flag | unit | aliases
    required: bool = True  # the column must be in the header
    values: tuple[str, ...] = ()  # for enum
    nullable: bool = False  # for datetime: an empty cell is allowed
    end_of_day: bool = False  # for datetime: a date without a time means the end of that day (deadlines)


ORDER_COLUMNS = (
    Column("工单编号", "order_id", "id"),
    Column("受理时间", "accepted_at", "datetime"),
    Column("事件分类", "category", "text"),
    Column("办理方式", "mode", "enum", values=("派单", "直接办结")),
    Column("承办单位", "unit", "unit"),
    Column("办理时限", "deadline", "datetime", nullable=True, end_of_day=True),
    Column("办结时间", "closed_at", "datetime", nullable=True),
    Column("延期次数", "extensions", "count"),
    Column("回退次数", "send_backs", "count"),
    Column("返工次数", "reworks", "count"),
    Column("市热线办退回", "city_returned", "flag"),
    Column("回访结果", "visit", "enum", values=("满意", "基本满意", "不满意", "未回访", "")),
)
#: 回访结果 values that mean the caller was reached (a visit took place).
VISITED = ("满意", "基本满意", "不满意")
#: Local time of the platform: time-zoned timestamps are converted to it, then used as wall time.
LOCAL_TIMEZONE = "Asia/Shanghai"

LETTER_COLUMNS = (
    Column("信件编号", "letter_id", "id"),
    Column("来信渠道", "channel", "text"),
    Column("收信时间", "received_at", "datetime"),
    Column("答复期限", "reply_due", "datetime", end_of_day=True),
    Column("答复时间", "replied_at", "datetime", nullable=True),
    Column("承办单位", "unit", "unit"),
    Column("评价", "rating", "enum", values=("非常满意", "满意", "基本满意", "不满意", "未评价", "")),
)
UNIT_COLUMNS = (
    Column("单位名称", "name", "label"),
    Column("单位类型", "group", "text"),  # checked against the scheme's unit types (report.check_groups)
    Column("简称", "aliases", "aliases", required=False),
    Column("参与考核", "assessed", "flag", required=False),
)
#: Personal columns: recognised so that they are dropped on purpose, never read.
PERSONAL_HEADERS = ("来电人", "联系电话", "诉求内容", "来信人", "来信内容", "身份证号", "地址")

#: Header variants seen in platform exports -> documented header. Extend per call
#: with ``header_aliases=``.
HEADER_ALIASES = {
    "工单号": "工单编号",
    "工单编码": "工单编号",
    "受理日期": "受理时间",
    "登记时间": "受理时间",
    "事件类型": "事件分类",
    "诉求分类": "事件分类",
    "处理方式": "办理方式",
    "承办部门": "承办单位",
    "责任单位": "承办单位",
    "办理期限": "办理时限",
    "截止时间": "办理时限",
    "办结日期": "办结时间",
    "延期数": "延期次数",
    "回退数": "回退次数",
    "退单次数": "回退次数",
    "返工数": "返工次数",
    "退回重办次数": "返工次数",
    "回访情况": "回访结果",
    "满意度": "回访结果",
    "信件号": "信件编号",
    "渠道": "来信渠道",
    "来信时间": "收信时间",
    "办理单位": "承办单位",
    "满意度评价": "评价",
    "单位": "单位名称",
    "类型": "单位类型",
    "别名": "简称",
    "是否参与考核": "参与考核",
}

_SPACES = re.compile(r"\s+")
_YES = {"是", "y", "yes", "true", "1"}
_NO = {"否", "n", "no", "false", "0", ""}
FLAG_VALUES = frozenset(_YES | _NO)  # what a 是/否 column may hold (normalised, lower case)


def normalize_text(value: str) -> str:
    """Full-width forms to half-width (（）-> ()), and no spaces: the form names are compared in."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", value))


# ---------------------------------------------------------------- raw tables
def read_table(path: str | Path, *, expect: tuple[Column, ...] = ()) -> tuple[pd.DataFrame, int]:
    """Read a CSV or XLSX file as text cells, or a Parquet file as its typed columns.

    Parquet columns keep their types (timestamps, integers, strings;
    dictionary-encoded strings become categoricals) and nulls stay missing
    values: the typed readers (:func:`load_orders` ...) take them as they are
    and treat a null like an empty cell. Fully empty rows are dropped, as for
    CSV and XLSX, and row numbers count the header as row 1.

    Returns the frame and the 1-based spreadsheet row number of its header
    (title rows above the header are skipped when ``expect`` names the columns
    to look for).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("文件不存在", path=path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        grid = _read_xlsx(path)
    elif suffix in (".csv", ".txt"):
        grid = _read_csv(path)
    elif suffix == ".parquet":
        return _read_parquet(path)[0], 1
    else:
        raise InputError("不支持的文件类型", path=path, value=path.suffix, expected=".csv、.xlsx 或 .parquet")
    header_at = _find_header(grid, expect)
    header = [normalize_text(str(h)) for h in grid.iloc[header_at]]
    fields = grid.attrs.get("fields")
    if fields is not None:  # CSV rows cut short below the header
        width = sum(1 for h in header if h)
        cut = np.array([0 < n < width and any(str(v).strip() for v in grid.iloc[i]) for i, n in enumerate(fields)])
        cut[: header_at + 1] = False
        _report_rows(
            _positions(cut),
            lambda p: InputError(
                f"这一行只有 {fields[p]} 列，表头有 {width} 列（这一行可能被截断了）", path=path, row=p + 1,
                expected="每一行的列数与表头相同",
            ),
        )
    body = grid.iloc[header_at + 1 :].reset_index(drop=True)
    body.columns = header
    blank = (body == "").all(axis=1) if len(body) else pd.Series(dtype=bool)
    body = body.loc[~blank] if len(body) else body
    body.attrs["blank_rows"] = int(blank.sum())
    return body, header_at + 1


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


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows with every cell blank (null or the empty string); stops looking once no row can be."""
    blank = np.full(len(frame), bool(len(frame.columns)), dtype=bool)
    for name in frame.columns:
        if not blank.any():
            break
        blank &= _blank_cells(frame[name])
    return blank


def _blank_cells(values: pd.Series) -> np.ndarray:
    """Null cells, and text cells holding the empty string."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        blank_category = np.asarray(values.cat.categories == "", dtype=bool)
        codes = values.cat.codes.to_numpy()
        return (codes < 0) | np.append(blank_category, False)[codes]
    blank = np.array(values.isna(), dtype=bool)
    if pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
        blank |= (values == "").fillna(False).to_numpy(dtype=bool)
    return blank


def _read_csv(path: Path) -> pd.DataFrame:
    """All cells as text, rows padded to the widest (a one-cell title row above the header is fine).

    Blank lines are kept here, so row numbers match what a spreadsheet shows;
    :func:`read_table` drops empty rows after numbering.
    """
    import csv
    from io import StringIO

    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise InputError("这是一个 Excel 文件而不是 CSV", path=path, expected="把文件扩展名改为 .xlsx")
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError("这是一个旧版 Excel（.xls）文件而不是 CSV", path=path, expected="在 Excel 中另存为 .xlsx 或 CSV")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            "这是 UTF-16 编码的“Unicode 文本”文件", path=path,
            expected="在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx",
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise InputError("无法识别文件编码", path=path, expected="UTF-8 或 GB18030/GBK 编码的 CSV")
    try:
        head = list(csv.reader(StringIO(text[:65536], newline="")))[:30]
    except csv.Error as exc:
        raise InputError(f"CSV 格式错误：{exc}", path=path) from None
    if not head:
        raise InputError("文件是空的", path=path)
    first = next((r for r in head if any(c.strip() for c in r)), [])
    if len(first) == 1 and any(sep in first[0] for sep in (";", "\t", "；")):
        raise InputError(
            f"表头只有一列（“{first[0][:40]}”），分隔符似乎不是逗号", path=path, row=head.index(first) + 1,
            expected="逗号分隔的 CSV（在 Excel 中另存为“CSV UTF-8（逗号分隔）”）",
        )
    width = max(len(r) for r in head)
    # A row with fewer fields than the header (a cut-off line) must not pass as empty cells. Lines
    # without quotes can be counted cheaply; only when one is short (a title row, or a cut-off line)
    # is the file read row by row, keeping each row's field count for read_table to check.
    short = any(
        line.count(",") < width - 1 for line in text.splitlines() if line.strip() and '"' not in line
    )
    if not short:
        try:  # the C parser, told the width, keeps blank lines as empty rows
            return pd.read_csv(
                StringIO(text), header=None, names=range(width), dtype=str, keep_default_na=False,
                skip_blank_lines=False, engine="c",
            )
        except (pd.errors.ParserError, ValueError):
            pass
    try:
        rows = list(csv.reader(StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(f"CSV 格式错误：{exc}", path=path) from None
    width = max(len(r) for r in rows)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)
    grid.attrs["fields"] = [len(r) for r in rows]
    return grid


#: Use the Arrow CSV reader when it can (tests switch it off to compare with the csv module).
ARROW_CSV = True
#: Columns with few distinct values, which the Arrow CSV reader keeps dictionary-encoded (others as text).
_ARROW_DICTIONARY_KINDS = {"count", "text", "unit", "enum", "flag"}


def _read_csv_arrow(
    path: Path, columns: tuple[Column, ...], aliases: dict[str, str]
) -> tuple[pd.DataFrame, list[str], int] | None:
    """The wanted columns of a well-formed CSV file, read by Arrow in C: (frame, all headers, header row).

    Only the columns the readers use leave the file (personal columns are
    never read, nor checked: a damaged byte in 诉求内容 does not stop the
    month), as text (few distinct values: dictionary-encoded) that the
    readers convert by their own rules. Returns None whenever the file is
    anything but plain (not UTF-8/GB18030 text, blank lines, rows blank in
    every column used, doubled headers, a row of the wrong width, ...):
    :func:`read_table` then reads it cell by cell and reports any problem
    with its row and column, exactly as before.
    """
    import codecs
    import csv
    from io import StringIO

    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not ARROW_CSV:
        return None
    with open(path, "rb") as fh:
        start = fh.read(65536)
        if not start or start.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xff\xfe", b"\xfe\xff")):
            return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(start, final=len(start) < 65536)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    try:
        head = list(csv.reader(StringIO(text, newline="")))[:30]
    except csv.Error:
        return None
    if not head or any(not r for r in head):
        return None
    header_at = _find_header(pd.DataFrame([r + [""] * (30 - len(r)) for r in head]), columns)
    names = head[header_at]
    headers = [normalize_text(n) for n in names]
    if len(head) <= header_at + 1 or len(set(names)) != len(names) or len(names) < 2 or names[0].startswith("\ufeff"):
        return None
    kinds = {c.header: c.kind for c in columns}
    targets = [aliases.get(h, h) for h in headers]
    used = [(n, h, t) for n, h, t in zip(names, headers, targets) if t in kinds]
    if len({t for _, _, t in used}) != len(used):
        return None  # two columns for one header: read_table's rules apply
    # Everything as text, converted by the readers' own rules (Arrow's integer parser would take 0x1F).
    dictionary = pa.dictionary(pa.int32(), pa.string())
    types = {name: dictionary if kinds[target] in _ARROW_DICTIONARY_KINDS else pa.string() for name, _, target in used}
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=header_at, encoding="utf8" if encoding == "utf-8-sig" else encoding),
            # A blank line is a row of one field here, so the read fails and read_table keeps row numbers right.
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=types, include_columns=list(types), null_values=[""], strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, UnicodeDecodeError, ValueError, OSError):
        return None
    if table.column_names != list(types):
        return None
    frame = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    frame.columns = [h for _, h, _ in used]
    if _blank_rows(frame).any():
        return None  # a row blank in every column used: only the whole row tells if it is empty
    frame.attrs["blank_rows"] = 0
    return frame, headers, header_at + 1


#: pandas engines tried in turn for .xlsx (tests narrow it to compare them).
XLSX_ENGINES = ("calamine", "openpyxl")


def _read_xlsx(path: Path) -> pd.DataFrame:
    import zipfile

    if not zipfile.is_zipfile(path):
        with open(path, "rb") as fh:
            old_xls = fh.read(4) == b"\xd0\xcf\x11\xe0"
        raise InputError(
            "不是有效的 Excel .xlsx 文件" + ("（这是旧版 .xls）" if old_xls else "（可能是改了扩展名的 CSV 或旧版 .xls）"),
            path=path, expected="在 Excel 中另存为 .xlsx 或 CSV",
        )
    # calamine (Rust) reads a sheet about ten times faster than openpyxl and gives the same cell values
    # (tests compare them); a workbook it cannot read goes to openpyxl, whose failures are reported.
    failure: Exception | None = None
    for engine in XLSX_ENGINES:
        try:
            grid = pd.read_excel(path, header=None, dtype=object, engine=engine)
        except ImportError:
            continue
        except Exception as exc:  # the readers raise many kinds; the last one's is reported
            failure = exc
            continue
        return grid.apply(lambda col: col.map(_cell_text))
    kind = type(failure).__name__ if failure else "没有可用的 Excel 读取库"
    raise InputError(f"无法读取 Excel 文件（{kind}）", path=path, expected="在 Excel 中另存为 .xlsx 后重试")


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if hasattr(value, "strftime"):  # an Excel date cell: date-only when it has no time of day
        if getattr(value, "hour", 0) == getattr(value, "minute", 0) == getattr(value, "second", 0) == 0:
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _find_header(grid: pd.DataFrame, expect: tuple[Column, ...]) -> int:
    if not expect:
        return 0
    wanted = {c.header for c in expect if c.required}
    for i in range(min(len(grid), 15)):
        cells = {HEADER_ALIASES.get(h, h) for h in (normalize_text(str(v)) for v in grid.iloc[i])}
        if len(wanted & cells) >= max(2, len(wanted) // 2):
            return i
    return 0


# ---------------------------------------------------------------- typed tables
def _typed(
    path: Path,
    columns: tuple[Column, ...],
    header_aliases: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Read, rename, check and convert. Returns the frame and each row's spreadsheet row number."""
    aliases = {**HEADER_ALIASES, **(header_aliases or {})}
    suffix = path.suffix.lower() if path.is_file() else ""
    fast = _read_csv_arrow(path, columns, aliases) if suffix in (".csv", ".txt") else None
    if suffix == ".parquet":
        wanted = {c.header for c in columns}
        body, headers = _read_parquet(path, keep=lambda h: aliases.get(h, h) in wanted)
        header_row = 1
        present = {aliases.get(h, h) for h in headers}
    elif fast is not None:
        body, headers, header_row = fast
        present = {aliases.get(h, h) for h in headers}
    else:
        body, header_row = read_table(path, expect=columns)
        present = None
    renamed = {h: aliases.get(h, h) for h in body.columns}
    targets: dict[str, list[str]] = {}
    for original, target in renamed.items():
        targets.setdefault(target, []).append(str(original))
    clashes = {t: names for t, names in targets.items() if len(names) > 1 and t in {c.header for c in columns}}
    for target, names in clashes.items():
        if target in names:  # the documented header wins; its variants are ignored
            body = body.drop(columns=[n for n in names if n != target])
            renamed = {h: t for h, t in renamed.items() if h in body.columns}
        else:
            raise InputError(
                f"有多列都可以当作“{target}”：{'、'.join(names)}", path=path, row=header_row,
                expected=f"只保留其中一列，或把要用的那一列改名为“{target}”",
            )
    body = body.rename(columns=renamed)
    present = set(body.columns) if present is None else present
    known = {c.header for c in columns} | set(PERSONAL_HEADERS)
    unrecognised = [str(h) for h in present if h not in known and str(h).strip()]
    for col in columns:
        if col.required and col.header not in present:
            close = difflib.get_close_matches(col.header, unrecognised, n=1, cutoff=0.4)
            hint = f"；表头中的“{close[0]}”是否就是这一列？" if close else ""
            _report(MissingColumnError(
                f"缺少必需的列“{col.header}”{hint}", path=path, row=header_row, expected="表头中有“" + col.header + "”"
            ))
    if len(body) == 0:
        raise InputError("表头下面没有任何记录", path=path, row=header_row)
    keep = [c for c in columns if c.header in present]
    rows = pd.Series(body.index + header_row + 1, index=body.index, name="row")
    body = body[[c.header for c in keep]]
    date_only = {renamed.get(h, h) for h in body.attrs.get("date_only", ())}
    usual_times = _usual_times_side_by_side(body, keep)
    converted = {}
    for col in keep:
        values = body[col.header]
        if col.header in date_only:
            values.attrs["date_only"] = True
        converted[col.name] = _convert(values, col, path, rows, usual=usual_times.pop(col.header, None))
        del body[col.header]  # each source column is freed as soon as it is converted
    blank_rows = body.attrs.get("blank_rows", 0)
    frame = pd.DataFrame(converted, index=body.index, copy=False)
    frame.attrs["blank_rows"] = blank_rows
    del body
    for col in columns:
        if col.name not in frame:
            frame[col.name] = _default(col, len(frame))
    frame = frame.reset_index(drop=True)
    frame.attrs["blank_rows"] = blank_rows
    return frame, rows.reset_index(drop=True)


def _default(col: Column, n: int) -> pd.Series:
    if col.kind == "flag":
        return pd.Series([True] * n if col.name == "assessed" else [False] * n, dtype=bool)
    if col.kind == "datetime":
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    if col.kind == "count":
        return pd.Series(0, index=range(n), dtype="int64")
    if col.kind == "aliases":
        return pd.Series([()] * n, dtype=object)
    return pd.Series([""] * n, dtype=str)


# Columns are converted through their distinct values: a column of ten million
# cells holding fifty unit names is normalised fifty times, not ten million.
def _factorize(values: pd.Series) -> tuple[np.ndarray, list]:
    """``values`` as (codes, uniques): cell i holds ``uniques[codes[i]]``; missing values are a unique too."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.intp)
        uniques = list(values.cat.categories)
        if (codes < 0).any():
            codes = np.where(codes < 0, len(uniques), codes)
            uniques.append(np.nan)
        return codes, uniques
    array = values.array
    if isinstance(array, pd.arrays.ArrowStringArray):
        import pyarrow as pa
        import pyarrow.compute as pc

        chunked = pa.chunked_array(array._pa_array) if not hasattr(array._pa_array, "chunks") else array._pa_array
        encoded = pc.dictionary_encode(chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0), null_encoding="encode")
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
        uniques = [np.nan if u is None else u for u in encoded.dictionary.to_pylist()]
        return codes, uniques
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes.astype(np.intp), list(uniques)


def _text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, texts): each cell's text, stripped, is ``texts[codes[i]]`` (a missing value reads as "")."""
    codes, uniques = _factorize(values)
    if isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(values.dtype):
        texts = pd.Series(["" if _missing(u) else str(u) for u in uniques], dtype=str)
    else:
        texts = pd.Series([_cell_text(u) for u in uniques], dtype=str)
    return codes, texts.str.strip().to_numpy(dtype=object)


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _as_text(values: pd.Series) -> pd.Series:
    """Every cell as stripped text (typed Parquet columns written as a spreadsheet shows them)."""
    if pd.api.types.is_string_dtype(values.dtype) and not isinstance(values.dtype, pd.CategoricalDtype):
        return values.fillna("").astype(str).str.strip() if values.hasnans else values.astype(str).str.strip()
    if pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(str)
    codes, texts = _text_codes(values)
    return _take(texts, codes, values.index)


def _take(uniques, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """A text column from its distinct values and codes (Arrow-backed, no Python string per cell)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dictionary = pa.array(list(uniques), type=pa.large_string())
    return pd.Series(pd.array(pc.take(dictionary, pa.array(codes)), dtype="str"), index=index)


def _bad_positions(bad_unique: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Positions of the cells whose distinct value is flagged."""
    if not bad_unique.any():
        return np.array([], dtype=np.intp)
    return np.flatnonzero(bad_unique[codes])


def _convert(values: pd.Series, col: Column, path: Path, rows: pd.Series, usual: pd.Series | None = None) -> pd.Series:
    if col.kind == "datetime" and usual is not None:  # parsed already (_usual_times_side_by_side)
        return _usual_result(values, usual, col.header, path, rows, required=not col.nullable)
    if col.kind == "datetime" and pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _typed_datetimes(values, col, path, rows)
    if col.kind == "count" and _is_number(values.dtype):
        return _typed_counts(values, col, path, rows)
    if col.kind in ("id", "datetime", "label"):
        values = _as_text(values)
        if col.kind == "datetime":
            return parse_datetimes(
                values, column=col.header, path=path, rows=rows, required=not col.nullable, end_of_day=col.end_of_day
            )
        if col.kind == "label":  # printed as written (full-width brackets stay), stray spaces removed
            values = values.str.replace(_SPACES, "", regex=True)
        blank = values == ""
        if col.required and blank.any():
            _report_rows(_positions(blank), lambda p: InputError("不能为空", path=path, row=int(rows.iloc[p]), column=col.header))
        return values
    codes, texts = _text_codes(values)
    if col.kind == "text":
        if col.required:
            _report_rows(
                _bad_positions(texts == "", codes),
                lambda p: InputError("不能为空", path=path, row=int(rows.iloc[p]), column=col.header),
            )
        return _take([normalize_text(t) for t in texts], codes, values.index)
    if col.kind == "unit":
        return _take([normalize_text(t) for t in texts], codes, values.index)
    if col.kind == "aliases":
        split = [tuple(a for a in (normalize_text(x) for x in re.split(r"[；;、,，]", v)) if a) for v in texts]
        out = np.empty(len(split), dtype=object)
        out[:] = split
        return pd.Series(out[codes], index=values.index, dtype=object)
    if col.kind == "enum":
        cleaned = np.array([normalize_text(t) for t in texts], dtype=object)
        allowed = "、".join(v for v in col.values if v) + ("或留空" if "" in col.values else "")

        def unknown(p: int) -> InputError:
            text = texts[codes[p]]
            if text == "":
                return InputError("不能为空", path=path, row=int(rows.iloc[p]), column=col.header, expected=allowed)
            return InputError("取值无法识别", path=path, row=int(rows.iloc[p]), column=col.header, value=text, expected=allowed)

        _report_rows(_bad_positions(~pd.Series(cleaned, dtype=object).isin(col.values).to_numpy(), codes), unknown)
        return _take(cleaned, codes, values.index)
    if col.kind == "flag":
        lowered = pd.Series([normalize_text(t) for t in texts], dtype=str).str.lower()
        _report_rows(
            _bad_positions(~lowered.isin(_YES | _NO).to_numpy(), codes),
            lambda p: InputError(
                "取值无法识别", path=path, row=int(rows.iloc[p]), column=col.header, value=texts[codes[p]], expected="“是”或“否”"
            ),
        )
        yes = lowered.isin(_YES)
        if col.name == "assessed":
            yes = yes | (lowered == "")
        return pd.Series(yes.to_numpy(dtype=bool)[codes], index=values.index, dtype=bool)
    if col.kind == "count":
        blank = texts == ""
        numbers = pd.to_numeric(pd.Series(np.where(blank, "0", texts), dtype=str), errors="coerce")
        bad = (numbers.isna() | (numbers < 0) | (numbers % 1 != 0)).to_numpy()
        _report_rows(
            _bad_positions(bad, codes),
            lambda p: InputError(
                "次数应为非负整数", path=path, row=int(rows.iloc[p]), column=col.header, value=texts[codes[p]],
                expected="0、1、2 这样的整数",
            ),
        )
        numbers = numbers.where(~bad, 0)
        return pd.Series(numbers.astype("int64").to_numpy()[codes], index=values.index)
    raise AssertionError(col.kind)  # pragma: no cover


def _is_number(dtype) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _typed_datetimes(values: pd.Series, col: Column, path: Path, rows: pd.Series) -> pd.Series:
    """A timestamp column of a Parquet file: used as it is (a time zone is dropped, wall time kept)."""
    if getattr(values.dtype, "tz", None) is not None:  # an instant: as the platform's local wall time
        values = values.dt.tz_convert(LOCAL_TIMEZONE).dt.tz_localize(None)
    parsed, far = _nanoseconds(values)
    _report_far(far, lambda p: _shown_time(values.iloc[p]), col.header, path, rows, values)
    if col.end_of_day and values.attrs.get("date_only"):  # a Parquet date column: a deadline day ends at 23:59:59
        parsed = parsed + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)
    if not col.nullable:
        _report_rows(
            _positions(parsed.isna().to_numpy() & ~far),
            lambda p: InputError("不能为空", path=path, row=int(rows.iloc[p]), column=col.header),
        )
    return parsed


def _shown_time(value: object) -> str:
    """A typed time as a spreadsheet would show it (also for years strftime cannot print)."""
    try:
        return _cell_text(value)
    except (ValueError, OverflowError, NotImplementedError):
        return str(value)


def _typed_counts(values: pd.Series, col: Column, path: Path, rows: pd.Series) -> pd.Series:
    """A numeric column of a Parquet file: missing is 0, otherwise a non-negative whole number."""
    numbers = values.fillna(0) if values.hasnans else values
    bad = (numbers < 0) | (numbers % 1 != 0)
    if bad.any():
        _report_rows(
            _positions(bad),
            lambda p: InputError(
                "次数应为非负整数", path=path, row=int(rows.iloc[p]), column=col.header,
                value=_cell_text(values.iloc[p]), expected="0、1、2 这样的整数",
            ),
        )
        numbers = numbers.where(~bad, 0)
    return numbers.astype("int64")


#: The form platform exports write timestamps in; parsed exactly (2024-02-30 is not a date).
USUAL_DATETIME = "%Y-%m-%d %H:%M:%S"
_USUAL_LAYOUT = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$"
_CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日\s*(.*)$")
_OFFSET = r"\d[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})$"
_DATE_ONLY = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日"


def parse_datetimes(
    values: pd.Series,
    *,
    column: str,
    path: Path | None = None,
    rows: pd.Series | None = None,
    required: bool = True,
    end_of_day: bool = False,
) -> pd.Series:
    """Parse the date forms exports use: ISO, 2024/5/3 8:05, 2024年5月3日, Excel serial numbers.

    Empty cells become NaT (an error when ``required``).
    """
    if not isinstance(values.array, pd.arrays.ArrowStringArray):
        values = values.astype(str)
    if values.hasnans:  # a missing cell is an empty one
        values = values.fillna("")
    # The platforms' own form (2024-05-03 08:05:00) parses in one vectorised pass; only a column
    # holding anything else (other forms, spaces, bad values) goes through the general rules below.
    usual = _usual_datetimes(values)
    if usual is not None:
        return _usual_result(values, usual, column, path, rows, required)
    values = values.str.strip()
    blank = values == ""
    zoned = values.str.contains(_OFFSET, regex=True)
    plain = values.where(~blank & ~zoned & values.str.match(r"\d"))  # no words: "now" is not a date
    # Each piece goes to nanoseconds as parsed; a time they cannot hold (9999-12-31) is set aside as
    # ``far`` and reported below, never narrowed or left to crash.
    parsed, far = _nanoseconds(pd.to_datetime(plain, format="ISO8601", errors="coerce"))
    if zoned.any():  # instants with an offset (…+08:00, …Z): as the platform's local wall time
        instants = pd.to_datetime(values[zoned], utc=True, format="ISO8601", errors="coerce")
        local, local_far = _nanoseconds(instants.dt.tz_convert(LOCAL_TIMEZONE).dt.tz_localize(None))
        parsed[zoned] = local
        far[zoned.to_numpy()] = local_far
    todo = ~blank & ~zoned & parsed.isna() & ~far
    if todo.any():
        fallback, fallback_far = _nanoseconds(pd.to_datetime(values[todo].map(_parse_one), errors="coerce"))
        parsed[todo] = fallback
        far[todo.to_numpy()] = fallback_far
    bad = ~blank & parsed.isna() & ~far
    _report_rows(
        _positions(bad),
        lambda p: InputError(
            "日期时间无法识别", path=path, row=_row(rows, values, p), column=column, value=values.iloc[p],
            expected="如 2024-05-03 08:05:00、2024/5/3 8:05 或 2024年5月3日 的日期",
        ),
    )
    _report_far(far, lambda p: values.iloc[p], column, path, rows, values)
    if required:
        _report_rows(_positions(blank), lambda p: InputError("不能为空", path=path, row=_row(rows, values, p), column=column))
    if end_of_day:  # "2024-05-20" as a deadline means by the end of that day
        date_only = values.str.fullmatch(_DATE_ONLY) & parsed.notna()
        if date_only.any():
            parsed = parsed.where(~date_only, parsed + pd.Timedelta(days=1) - pd.Timedelta(seconds=1))
    return parsed.astype("datetime64[ns]")


#: The times accepted: well inside what nanoseconds since 1970 in 64 bits hold (1677-09-21 to 2262-04-11),
#: so that a deadline's end of day never overflows. Outside is a placeholder such as 9999-12-31.
EARLIEST, LATEST = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31 23:59:59")


def _nanoseconds(parsed: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Times of any resolution as nanoseconds (never narrowed), and which ones lie outside
    :data:`EARLIEST`..:data:`LATEST` (those become NaT, to be reported by the caller)."""
    far = np.array(parsed.notna() & ((parsed < EARLIEST) | (parsed > LATEST)), dtype=bool)  # a writable copy
    if far.any():
        parsed = parsed.where(~far)
    return parsed.astype("datetime64[ns]"), far


def _report_far(far: np.ndarray, shown, column: str, path: Path | None, rows: pd.Series | None,
                cells: pd.Series) -> None:
    """Each time outside the accepted years, as an error on its row showing the cell (``shown(p)``)."""
    _report_rows(
        _positions(far),
        lambda p: InputError(
            "日期时间超出可处理的范围", path=path, row=_row(rows, cells, p), column=column, value=shown(p),
            expected="1678 年至 2261 年之间的日期；没有这个日期时请留空",
        ),
    )


def _usual_result(values: pd.Series, usual: pd.Series, column: str, path: Path | None, rows: pd.Series | None,
                  required: bool) -> pd.Series:
    """The times :func:`_usual_datetimes` parsed, after the check for empty cells in a required column."""
    if required:
        blank = (values.isna() | (values == "")).to_numpy(dtype=bool)
        _report_rows(_positions(blank), lambda p: InputError("不能为空", path=path, row=_row(rows, values, p), column=column))
    return usual


#: From how many rows text time columns are parsed side by side (below, threads cost more than they save).
SIDE_BY_SIDE_ROWS = 200_000


def _usual_times_side_by_side(body: pd.DataFrame, columns: list[Column]) -> dict[str, pd.Series]:
    """The text time columns of a big table in the usual form, parsed at once on all CPUs (Arrow
    releases the GIL): header -> parsed times. Columns in any other form are left to the general rules."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    texts = [c.header for c in columns if c.kind == "datetime" and c.header in body
             and not pd.api.types.is_datetime64_any_dtype(body[c.header].dtype)]
    if len(texts) < 2 or len(body) < SIDE_BY_SIDE_ROWS:
        return {}
    with ThreadPoolExecutor(max_workers=min(len(texts), os.cpu_count() or 1)) as pool:
        parsed = dict(zip(texts, pool.map(lambda h: _usual_datetimes(body[h]), texts)))
    return {h: times for h, times in parsed.items() if times is not None}


def _usual_datetimes(values: pd.Series) -> pd.Series | None:
    """Text wholly in the usual form ``2024-05-03 08:05:00`` (or empty), parsed by Arrow; else None.

    Exactly that layout with fields in range is accepted (no single-digit fields, no doubled spaces,
    no second 60: those keep going to the general rules, which decide about them). Arrow's strptime
    rolls a day past the month's end over (2024-02-30 -> 2024-03-01), so wherever the result could
    be such a roll-over (day 1-3) the day must be the one written.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def every(mask) -> bool:
        return pc.all(mask).as_py() is not False  # an empty column has nothing against it

    if hasattr(values.array, "__arrow_array__"):
        text = values.array.__arrow_array__()
    else:
        text = pa.array(values.to_numpy(dtype=object), pa.string(), from_pandas=True)
    text = text if isinstance(text, pa.ChunkedArray) else pa.chunked_array([text])
    blank = pc.fill_null(pc.equal(text, ""), True)
    if not every(pc.or_(blank, pc.match_substring_regex(text, _USUAL_LAYOUT))):
        return None
    parsed = pc.strptime(text, format=USUAL_DATETIME, unit="s", error_is_null=True)
    if parsed.null_count != (pc.sum(blank).as_py() or 0):
        return None
    suspect = pc.fill_null(pc.less_equal(pc.day(parsed), 3), False)
    written, read = pc.filter(text, suspect), pc.filter(parsed, suspect)
    if not every(pc.equal(pc.cast(pc.utf8_slice_codeunits(written, 8, 10), pa.int64()), pc.day(read))):
        return None
    try:
        return pd.Series(parsed.cast(pa.timestamp("ns")).to_numpy(zero_copy_only=False), index=values.index)
    except pa.ArrowInvalid:  # a year outside what nanoseconds hold: the general rules report it
        return None


def _row(rows: pd.Series | None, values: pd.Series, p: int) -> int:
    """The spreadsheet row of position ``p`` (header in row 1 when no row numbers are given)."""
    return int(rows.iloc[p]) if rows is not None else int(values.index[p]) + 2


def _parse_one(text: str) -> pd.Timestamp | None:
    match = _CN_DATE.match(text)
    if match:
        y, m, d, rest = match.groups()
        text = f"{y}-{int(m):02d}-{int(d):02d} {rest}".strip()
    else:
        try:
            serial = float(text)
        except ValueError:
            serial = None
        if serial is not None:
            if 20000 < serial < 80000:  # Excel serial day number (1954-2119)
                return pd.Timestamp("1899-12-30") + pd.to_timedelta(round(serial * 86400), unit="s")
            return None
    text = text.replace("/", "-").replace(".", "-", 2) if text.count(".") == 2 else text.replace("/", "-")
    if not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", text):
        return None  # year first only: no "now", no 1/2/2024 read month-first
    try:
        return pd.to_datetime(text)
    except (ValueError, TypeError, OverflowError):
        return None


# ---------------------------------------------------------------- registry
@dataclass(frozen=True)
class Registry:
    """The units registry (承办单位名录): canonical names, groups, aliases, assessment."""

    units: pd.DataFrame  # name, group, aliases, assessed, short, position
    path: Path | None = None

    @cached_property
    def lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for name, aliases in zip(self.units["name"], self.units["aliases"]):
            table[normalize_text(name)] = name
            for alias in aliases:
                table.setdefault(alias, name)
        return table

    def resolve(self, names: pd.Series, *, path: Path | None = None, column: str = "承办单位", rows: pd.Series | None = None) -> pd.Series:
        """Map names or aliases to registry names (empty stays empty)."""
        table = self.lookup
        codes, uniques = _factorize(names)  # each distinct name is looked up once
        keys = [normalize_text(u) for u in uniques]
        resolved = [table.get(k) for k in keys]
        unknown = np.array([k != "" and r is None for k, r in zip(keys, resolved)], dtype=bool)
        if unknown.any():
            n_unknown = int(unknown.sum())
            bad_cells = unknown[codes]
            first_of = {}
            for pos in np.flatnonzero(bad_cells):
                first_of.setdefault(int(codes[pos]), int(pos))
            registry_name = f"（单位名录 {self.path.name}）" if self.path is not None else ""
            for code, pos in sorted(first_of.items(), key=lambda kv: kv[1]):
                close = difflib.get_close_matches(keys[code], list(table), n=3, cutoff=0.5)
                hint = "；最接近的有：" + "、".join(dict.fromkeys(table[c] for c in close)) if close else ""
                count = int((codes == code).sum())
                rows_note = f"，共 {count} 行" if count > 1 else ""
                more = f"（共 {n_unknown} 个不在名录中的单位名称）" if n_unknown > 1 else ""
                _report(UnknownUnitError(
                    f"承办单位不在单位名录中{registry_name}{rows_note}{more}{hint}",
                    path=path,
                    row=None if rows is None else int(rows.iloc[pos]),
                    column=column,
                    value=names.iloc[pos],
                    expected="单位名录中的单位名称或简称",
                ))
        return _take(["" if r is None else r for r in resolved], codes, names.index)

    def info(self) -> pd.DataFrame:
        """name -> group, assessed, short, position (one row per unit)."""
        return self._info

    @cached_property
    def _info(self) -> pd.DataFrame:
        return self.units.set_index("name")[["group", "assessed", "short", "position"]]


def _quality(kind: str, path: Path, frame: pd.DataFrame, quality: list | None) -> FileQuality:
    record = FileQuality(kind=kind, file=path.name, rows=len(frame), blank=int(frame.attrs.get("blank_rows", 0)))
    if quality is not None:
        quality.append(record)
    return record


def _warn_or_fail(record: FileQuality, strict: bool, error: InputError) -> None:
    """A warning normally (recorded in the data-quality summary); an error with ``strict``."""
    if strict:
        _report(error)
    else:
        record.warnings.append(str(error))


def _duplicate_ids(
    frame: pd.DataFrame, id_column: str, header: str, path: Path, rows: pd.Series, record: FileQuality,
    strict: bool, what: str,
) -> pd.DataFrame:
    """Rows repeating an earlier row exactly are set aside (a warning); other repeated ids are errors."""
    dup = _duplicated(frame[id_column])
    if not dup.any():
        return frame
    exact = frame.duplicated()
    copies = dup & exact
    if copies.any():
        first = frame.loc[copies].index[0]
        _warn_or_fail(record, strict, InputError(
            f"有 {int(copies.sum())} 行与前面的行完全相同（重复导出），已剔除", path=path, row=int(rows[first]),
            column=header, value=frame.at[first, id_column], expected=f"每个{what}只出现一次",
        ))
        if not strict:
            record.set_aside["完全重复的行"] = int(copies.sum())
    conflicts = dup & ~exact
    first_row = {}
    for idx, value in zip(frame.index, frame[id_column]):
        first_row.setdefault(value, int(rows[idx]))
    _report_rows(
        _positions(conflicts),
        lambda p: InputError(
            f"{header}重复（与第 {first_row[frame[id_column].iloc[p]]} 行相同，但内容不同）", path=path,
            row=int(rows.iloc[p]), column=header, value=frame[id_column].iloc[p], expected=f"每个{what}只出现一次",
        ),
    )
    return frame.loc[~copies] if not strict else frame


def load_units(
    path: str | Path,
    *,
    header_aliases: dict[str, str] | None = None,
    quality: list | None = None,
) -> Registry:
    """Read the units registry (单位名称, 单位类型, 简称, 参与考核)."""
    path = Path(path)
    frame, rows = _typed(path, UNIT_COLUMNS, header_aliases)
    _quality("单位名录", path, frame, quality)
    keys = frame["name"].map(normalize_text)  # 平江县 民政局 and 平江县民政局 are one unit
    dup = keys.duplicated()
    first_row = {}
    for key, row in zip(keys, rows):
        first_row.setdefault(key, int(row))
    _report_rows(
        _positions(dup),
        lambda p: InputError(
            f"单位名称重复（与第 {first_row[keys.iloc[p]]} 行相同）", path=path, row=int(rows.iloc[p]),
            column="单位名称", value=frame["name"].iloc[p], expected="每个单位只出现一次",
        ),
    )
    frame = frame.loc[~dup]
    units = frame.assign(
        short=frame["aliases"].map(lambda a: a[0] if a else "").where(frame["aliases"].map(bool), frame["name"]),
        position=range(len(frame)),
    )
    seen: dict[str, str] = {normalize_text(n): n for n in units["name"]}
    for name, aliases, row in zip(units["name"], units["aliases"], rows[units.index]):
        for alias in aliases:
            owner = seen.setdefault(alias, name)
            if owner != name:
                _report(InputError(
                    f"简称“{alias}”同时属于“{owner}”和“{name}”", path=path, row=int(row), column="简称",
                    expected="每个简称只对应一个单位",
                ))
    units = units.assign(row=rows[units.index].to_numpy())
    return Registry(
        units=units[["name", "group", "aliases", "assessed", "short", "position", "row"]].reset_index(drop=True), path=path
    )


def load_orders(
    path: str | Path,
    registry: Registry | None,
    *,
    header_aliases: dict[str, str] | None = None,
    strict: bool = False,
    quality: list | None = None,
) -> pd.DataFrame:
    """Read work orders (工单明细) and resolve units through the registry.

    Errors (see docs/input-errors.md) raise :class:`InputError`; warnings are
    recorded in ``quality`` (a list of :class:`FileQuality`) and become errors
    with ``strict``. Without a registry (only when checking a file) units are
    left as written.
    """
    path = Path(path)
    frame, rows = _typed(path, ORDER_COLUMNS, header_aliases)
    record = _quality("工单明细", path, frame, quality)
    kept = _duplicate_ids(frame, "order_id", "工单编号", path, rows, record, strict, "工单")
    if len(kept) != len(frame):
        frame, rows = kept, rows[kept.index]
    dispatched = (frame["mode"] == "派单").to_numpy()
    _report_rows(
        _positions(dispatched & (frame["unit"] == "").to_numpy()),
        lambda p: InputError("派单工单缺少承办单位", path=path, row=int(rows.iloc[p]), column="承办单位", expected="承办单位名称"),
    )
    _report_rows(
        _positions(dispatched & frame["deadline"].isna().to_numpy()),
        lambda p: InputError("派单工单缺少办理时限", path=path, row=int(rows.iloc[p]), column="办理时限", expected="日期时间"),
    )
    _check_order(frame, rows, path, ("closed_at", "办结时间"), ("accepted_at", "受理时间"))
    direct_with_unit = ~dispatched & (frame["unit"] != "").to_numpy()
    if direct_with_unit.any():
        first = int(_positions(direct_with_unit)[0])
        _warn_or_fail(record, strict, direct_with_unit_warning(
            path, int(direct_with_unit.sum()), int(rows.iloc[first]), frame["unit"].iloc[first]
        ))
        frame = frame.assign(unit=frame["unit"].where(~pd.Series(direct_with_unit, index=frame.index), ""))
    visited_open = (frame["closed_at"].isna() & frame["visit"].isin(VISITED)).to_numpy()
    if visited_open.any():
        first = int(_positions(visited_open)[0])
        _warn_or_fail(record, strict, visited_open_warning(
            path, int(visited_open.sum()), int(rows.iloc[first]), frame["visit"].iloc[first]
        ))
    frame = frame.reset_index(drop=True)
    rows = rows.reset_index(drop=True)
    if registry is None:
        return frame
    return frame.assign(unit=registry.resolve(frame["unit"], path=path, rows=rows))


def direct_with_unit_warning(path: Path, count: int, row: int, unit: str) -> InputError:
    """直接办结 orders that name a unit (the unit is ignored): ``count`` of them, the first on ``row``."""
    return InputError(
        f"有 {count} 件直接办结的工单填了承办单位，统计时不计入该单位", path=path, row=row, column="承办单位",
        value=unit, expected="直接办结的工单不填承办单位",
    )


def visited_open_warning(path: Path, count: int, row: int, visit: str) -> InputError:
    """Orders not yet closed that already have a 回访结果 (kept as written)."""
    return InputError(
        f"有 {count} 件尚未办结的工单已有回访结果", path=path, row=row, column="回访结果", value=visit,
        expected="办结后才有回访结果",
    )


def _duplicated(values: pd.Series) -> pd.Series:
    """``values.duplicated()``, answered by one hash pass when (as usual) every value is distinct."""
    if isinstance(values.array, pd.arrays.ArrowStringArray) and len(values):
        import pyarrow as pa
        import pyarrow.compute as pc

        array = values.array._pa_array
        try:  # numeric ids: distinct numbers mean distinct texts (the reverse is checked the slow way)
            numbers = pc.cast(array, pa.int64()).to_numpy()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            numbers = None
        if numbers is not None:
            numbers = np.sort(numbers)
            if not (numbers[1:] == numbers[:-1]).any():
                return pd.Series(False, index=values.index)
        elif pc.count_distinct(array).as_py() == len(values):
            return pd.Series(False, index=values.index)
    return values.duplicated()


def _check_order(frame: pd.DataFrame, rows: pd.Series, path: Path, later: tuple[str, str], earlier: tuple[str, str]) -> None:
    """Report rows where the ``later`` time (e.g. 办结时间) comes before the ``earlier`` one (受理时间)."""
    (late, late_header), (early, early_header) = later, earlier
    wrong = (frame[late].notna() & (frame[late] < frame[early])).to_numpy()
    _report_rows(
        _positions(wrong),
        lambda p: InputError(
            f"{late_header}早于{early_header}", path=path, row=int(rows.iloc[p]), column=late_header,
            value=frame[late].iloc[p], expected=f"不早于{early_header} {frame[early].iloc[p]}",
        ),
    )


def load_letters(
    path: str | Path,
    registry: Registry | None,
    *,
    header_aliases: dict[str, str] | None = None,
    strict: bool = False,
    quality: list | None = None,
) -> pd.DataFrame:
    """Read mailbox letters (信件明细) and resolve units through the registry."""
    path = Path(path)
    frame, rows = _typed(path, LETTER_COLUMNS, header_aliases)
    record = _quality("信件明细", path, frame, quality)
    kept = _duplicate_ids(frame, "letter_id", "信件编号", path, rows, record, strict, "信件")
    if len(kept) != len(frame):
        frame, rows = kept.reset_index(drop=True), rows[kept.index].reset_index(drop=True)
    _report_rows(
        _positions((frame["unit"] == "").to_numpy()),
        lambda p: InputError("信件缺少承办单位", path=path, row=int(rows.iloc[p]), column="承办单位", expected="承办单位名称"),
    )
    _check_order(frame, rows, path, ("replied_at", "答复时间"), ("received_at", "收信时间"))
    if registry is None:
        return frame
    return frame.assign(unit=registry.resolve(frame["unit"], path=path, rows=rows))
