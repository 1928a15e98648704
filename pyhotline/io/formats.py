"""Raw files: which reader a file goes to (CSV, XLSX, Parquet), and the table of text cells it gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .columns import Column, _find_header, normalize_text
from .csvfile import _read_csv
from .excel import _read_xlsx
from .problems import _positions, _report_rows
from .values import _blank_rows


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
