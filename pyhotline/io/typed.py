"""From a file to a typed table: read, find and rename the columns, clean and convert every cell.

What reading found without being wrong (cells cleaned of invisible characters,
dates without a time, data on another sheet) goes to the frame's
``attrs["notes"]``, which the readers put into the file's data-quality record.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from . import times
from .cleaning import clean_cells, unwrap_text_markers
from .columns import HEADER_ALIASES, PERSONAL_HEADERS, Column
from .csvfile import _read_csv_arrow
from .formats import _read_parquet, check_path, footer_rows, read_table, set_aside_rows, sniff, totals_rows
from .headers import header_repeats, missing_column_error
from .problems import _report, _report_rows
from .strays import stray_error, stray_rows
from .values import _convert, _default


def _typed(
    path: Path,
    columns: tuple[Column, ...],
    header_aliases: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Read, rename, check and convert. Returns the frame and each row's spreadsheet row number."""
    aliases = {**HEADER_ALIASES, **(header_aliases or {})}
    check_path(path)
    kind = sniff(path)
    fast = _read_csv_arrow(path, columns, aliases) if kind == "csv" else None
    if kind == "parquet":
        wanted = {c.header for c in columns}
        body, headers = _read_parquet(path, keep=lambda h: aliases.get(h, h) in wanted)
        header_row = 1
        present = {aliases.get(h, h) for h in headers}
    elif fast is not None:
        body, headers, header_row = fast
        present = {aliases.get(h, h) for h in headers}
    else:
        body, header_row = read_table(path, expect=columns, aliases=aliases)
        present = None
    notes: list[InputError] = list(body.attrs.get("notes", ()))
    stated = body.attrs.get("stated")  # (time, row) of a title row's 导出时间 (io/stated.py)
    totals, footers = int(body.attrs.get("totals", 0)), int(body.attrs.get("footers", 0))
    where = dict(body.attrs.get("set_aside_rows", {}))  # reason -> the first rows set aside (their numbers)
    letters = {str(h): i for i, h in enumerate(headers if present is not None else body.columns)}
    repeats = 0
    if kind != "parquet" and len(body):  # the header again further down (pages pasted together)
        found = header_repeats(body, aliases, {c.header for c in columns} | set(PERSONAL_HEADERS))
        if found.any():
            where["repeats"] = set_aside_rows(body, found, header_row)
            body, repeats = body.loc[~found], int(found.sum())
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
    missing = [missing_column_error(path, c.header, header_row, unrecognised)
               for c in columns if c.required and c.header not in present]
    if missing:  # one message per missing column, then nothing more from this file (no row-level cascade)
        for error in missing[:-1]:
            _report(error)
        raise missing[-1]
    if "totals" not in body.attrs and len(body):  # the Arrow CSV and Parquet readers: only the columns used
        used = body[[c for c in body.columns if c in known]]
        found = totals_rows(used)
        if found.any():
            where["totals"] = set_aside_rows(body, found, header_row)
            body, used, totals = body.loc[~found], used.loc[~found], int(found.sum())
        found = footer_rows(used) if kind != "parquet" else np.zeros(len(body), dtype=bool)
        if found.any():
            where["footers"] = set_aside_rows(body, found, header_row)
            body, footers = body.loc[~found], int(found.sum())
    strays = stray_rows(body, columns) if kind != "parquet" else np.zeros(len(body), dtype=bool)
    if strays.any():  # one message a row, naming its cells; none of its empty cells is reported again
        letters = {renamed.get(h, h): i for h, i in letters.items()}
        positions = np.flatnonzero(strays)
        _report_rows(positions, lambda p: stray_error(
            path, int(body.index[p]) + header_row + 1, [
                (str(h), str(v).strip()) for h, v in zip(body.columns, body.iloc[p])
                if v is not None and v == v and str(v).strip()], letters))
        body = body.loc[~strays]
    refused = int(body.attrs.get("refused", 0)) + int(strays.sum())
    if len(body) == 0:
        raise InputError("表头下面没有任何记录", path=path, row=header_row)
    keep = [c for c in columns if c.header in present]
    rows = pd.Series(body.index + header_row + 1, index=body.index, name="row")
    body = body[[c.header for c in keep]]
    date_only = {renamed.get(h, h) for h in body.attrs.get("date_only", ())}
    usual_times = times._usual_times_side_by_side(body, keep)
    converted = {}
    for col in keep:
        values = body[col.header]
        if col.header in date_only:
            values.attrs["date_only"] = True
        if col.header not in usual_times:
            values = clean_cells(values, col.header, path, rows, notes)
            if kind != "parquet":  # '0012 and ="0012": spreadsheet text markers (Parquet is typed)
                values = unwrap_text_markers(values)
        converted[col.name] = _convert(values, col, path, rows, usual=usual_times.pop(col.header, None))
        del body[col.header]  # each source column is freed as soon as it is converted
    notes += _dates_without_time(keep, converted, path, rows)
    for col in keep:  # "--" or "null" for no time: read as empty, said once per column
        found = converted[col.name].attrs.get(times.PLACEHOLDER_CELLS)
        if found and col.nullable:  # in a required column the empty cell is the message
            count, first, text = found
            where = dict(path=path, row=int(rows.iloc[first]), column=col.header)
            note = InputError(
                f"有 {count} 个单元格写的是“{text}”这类表示没有的符号，按空白读入"
                + ("（未办结）" if col.name == "closed_at" else "（未答复）" if col.name == "replied_at" else ""), **where)
            note.as_error = InputError(  # with --strict nothing is read (io.problems._warn_or_fail)
                f"有 {count} 个单元格写的是“{text}”这类表示没有的符号", **where,
                expected="空白单元格或时间（不加 --strict 时按空白读入并在数据说明中注明）")
            notes.append(note)
    reported = {name: tuple(np.flatnonzero(values.attrs[times.REPORTED]).tolist()) for name, values in converted.items()
                if values.attrs.get(times.REPORTED) is not None and values.attrs[times.REPORTED].any()}
    blank_rows = body.attrs.get("blank_rows", 0)
    frame = pd.DataFrame(converted, index=body.index, copy=False)
    del body
    for col in columns:
        if col.name not in frame:
            frame[col.name] = _default(col, len(frame))
    frame = frame.reset_index(drop=True)
    frame.attrs.update(stated=stated, blank_rows=blank_rows, totals=totals, footers=footers, repeats=repeats, notes=notes,
                       reported=reported, refused=refused, set_aside_rows={k: v for k, v in where.items() if v})
    return frame, rows.reset_index(drop=True)


def _dates_without_time(keep: list[Column], converted: dict, path: Path, rows: pd.Series) -> list[InputError]:
    """A note for each time column holding dates without a time in a file whose times have one."""
    counts = {c.header: converted[c.name].attrs.get(times.DATES_WITHOUT_TIME) for c in keep if c.kind == "datetime"}
    timed = any(c and c[2] for c in counts.values()) or any(
        pd.api.types.is_datetime64_any_dtype(converted[c.name].dtype) and converted[c.name].attrs.get(times.DATES_WITHOUT_TIME) is None
        for c in keep if c.kind == "datetime"
    )
    notes = []
    for col in keep:
        found = counts.get(col.header)
        if not found or not found[0] or not timed:
            continue
        count, first, _ = found
        meaning = "按当天 23:59:59 计（当天内都不算超期）" if col.end_of_day else "按当天 0 点计"
        notes.append(InputError(
            f"有 {count} 个值只有日期、没有时间，{meaning}", path=path, row=int(rows.iloc[first]), column=col.header,
            expected="平台能导出具体时间时，请导出带时间的版本",
        ))
    return notes

