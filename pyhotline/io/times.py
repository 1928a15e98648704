"""Dates and times: the forms exports write them in, parsed exactly, and the range accepted."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .columns import LOCAL_TIMEZONE, Column, _cell_text
from .problems import _positions, _report_rows


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
    parsed.attrs[REPORTED] = far
    return parsed


def _shown_time(value: object) -> str:
    """A typed time as a spreadsheet would show it (also for years strftime cannot print)."""
    try:
        return _cell_text(value)
    except (ValueError, OverflowError, NotImplementedError):
        return str(value)


#: The form platform exports write timestamps in; parsed exactly (2024-02-30 is not a date).
USUAL_DATETIME = "%Y-%m-%d %H:%M:%S"


_USUAL_LAYOUT = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$"


_CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日\s*(.*)$")


_OFFSET = r"\d[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})$"


#: Dates without a time: 2024-05-03, 2024/5/3, 2024.5.3, 2024年5月3日, 20240503, or a whole Excel serial day.
_DATE_ONLY = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日|\d{8}|\d{5}"


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
    if values.str.contains("[\\s\u3000]{2}|\u3000", regex=True).any():  # 2024-05-03  08:05: one space
        values = values.str.replace("[\\s\u3000]+", " ", regex=True)
    placeholder = values.isin(PLACEHOLDERS).to_numpy(dtype=bool)  # "--", "null": what some exports write for none
    if placeholder.any():
        shown_as = values.iloc[int(np.flatnonzero(placeholder)[0])]
        values = values.where(~placeholder, "")
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
            expected="如 2024-05-03 08:05:00、2024/5/3 8:05、2024.5.3 或 2024年5月3日 的日期（年份在前，见 docs/input-format.md）",
        ),
    )
    _report_far(far, lambda p: values.iloc[p], column, path, rows, values)
    if required:
        _report_rows(_positions(blank), lambda p: InputError("不能为空", path=path, row=_row(rows, values, p), column=column))
    date_only = (values.str.fullmatch(_DATE_ONLY).fillna(False) & parsed.notna()).to_numpy(dtype=bool)
    if end_of_day and date_only.any():  # "2024-05-20" as a deadline means by the end of that day
        parsed = parsed.where(~date_only, parsed + pd.Timedelta(days=1) - pd.Timedelta(seconds=1))
    result = parsed.astype("datetime64[ns]")
    # For the readers' note on dates without a time: (how many, the first's position, how many with a time).
    first = int(np.flatnonzero(date_only)[0]) if date_only.any() else None
    result.attrs[DATES_WITHOUT_TIME] = (int(date_only.sum()), first, int((parsed.notna().to_numpy() & ~date_only).sum()))
    result.attrs[REPORTED] = np.asarray(bad, dtype=bool) | far
    if placeholder.any():
        result.attrs[PLACEHOLDER_CELLS] = (int(placeholder.sum()), int(np.flatnonzero(placeholder)[0]), shown_as)
    return result


#: What exports write in a time cell that has no time (an order still open): read as an empty cell.
PLACEHOLDERS = ("-", "--", "---", "—", "——", "/", "无", "暂无", "null", "NULL", "Null", "None", "NaN", "nan", "NaT",
                "N/A", "n/a", "#N/A")


#: Key of a parsed column's ``attrs``: (cells holding a placeholder, position of the first, its text).
PLACEHOLDER_CELLS = "placeholders"


#: Key of a parsed column's ``attrs``: the cells already reported (unreadable, or out of range), left empty
#: in the result; checks of empty cells (派单工单缺少办理时限 …) pass over them: one cause, one message.
REPORTED = "reported"


#: Key of a parsed column's ``attrs``: (cells with a date only, position of the first, cells with a time).
DATES_WITHOUT_TIME = "dates_without_time"


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


_CN_TIME = re.compile(r"(\d{1,2})[时点](?:(\d{1,2})分(?:(\d{1,2})秒)?)?$")


def _parse_one(text: str) -> pd.Timestamp | None:
    text = _CN_TIME.sub(lambda m: f"{int(m[1]):02d}:{int(m[2] or 0):02d}:{int(m[3] or 0):02d}", text)
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
