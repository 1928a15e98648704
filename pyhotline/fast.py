"""The DuckDB engine: the appendix table of one month straight from a Parquet file.

``evaluation(path, registry, month, scheme)`` returns exactly what
``metrics.evaluation(load_orders(path, registry), registry, month, scheme)``
returns, without building the orders frame: DuckDB checks the file and counts
per unit in a few scans of the columns it needs, and the rates, 综合指标值,
grades and order are then computed by :func:`metrics.evaluation_from_counts`,
the same code the pandas path uses.

Errors stay the readers' own: the checks here only decide whether the file is
clean. Whenever anything is off (a blank or repeated 工单编号, an unknown unit,
a value that is not recognised, text dates, a negative count ...) or the file
is not Parquet, the work is handed to the pandas readers, which raise the
usual message with file, row and column (or, for inputs that are fine but not
typed, give the same result more slowly).

Needs the optional ``duckdb`` package (``pip install pyhotline[fast]``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import metrics
from .io import (
    EARLIEST,
    FLAG_VALUES,
    HEADER_ALIASES,
    LATEST,
    ORDER_COLUMNS,
    FileQuality,
    Registry,
    _warn_or_fail,
    direct_with_unit_warning,
    load_orders,
    normalize_text,
    visited_open_warning,
)
from .scheme import Scheme

ENGINES = ("pandas", "duckdb")


def available() -> bool:
    """True when the duckdb package can be imported."""
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def evaluate(
    orders: str | Path,
    registry: Registry,
    month: str | pd.Period,
    scheme: Scheme,
    *,
    engine: str = "pandas",
    header_aliases: dict[str, str] | None = None,
    strict: bool = False,
    quality: list | None = None,
) -> pd.DataFrame:
    """The month's evaluation table from an orders file, with the chosen engine (same result either way).

    ``strict`` and ``quality`` are those of :func:`~pyhotline.io.load_orders`.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    if engine == "duckdb":
        return evaluation(orders, registry, month, scheme, header_aliases=header_aliases, strict=strict, quality=quality)
    frame = load_orders(orders, registry, header_aliases=header_aliases, strict=strict, quality=quality)
    return metrics.evaluation(frame, registry, month, scheme)


def evaluation(
    orders: str | Path,
    registry: Registry,
    month: str | pd.Period,
    scheme: Scheme,
    *,
    header_aliases: dict[str, str] | None = None,
    strict: bool = False,
    quality: list | None = None,
) -> pd.DataFrame:
    """``metrics.evaluation`` of the orders file, computed by DuckDB (Parquet) or pandas (anything else).

    A file DuckDB counts is recorded in ``quality`` as the reader records it (with the same warnings,
    which ``strict`` turns into errors); any doubt sends it to the reader.
    """
    month = metrics.parse_month(month)
    counts = duckdb_counts(orders, registry, month, scheme, header_aliases=header_aliases, strict=strict,
                           quality=quality)
    if counts is None:  # not a clean typed Parquet file: the readers decide (and name any error)
        frame = load_orders(orders, registry, header_aliases=header_aliases, strict=strict, quality=quality)
        return metrics.evaluation(frame, registry, month, scheme)
    return metrics.evaluation_from_counts(counts, registry, scheme)


#: Anything the reader's strip might remove (broader is safe: it only sends more files to the reader).
_SPACE = r"[\s\p{Z}\x{85}\x{1c}-\x{1f}\x{200b}\x{feff}]"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_list(values) -> str:
    values = list(values)
    if not values:
        return "NULL"
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def duckdb_counts(
    orders: str | Path,
    registry: Registry,
    month: pd.Period,
    scheme: Scheme,
    *,
    header_aliases: dict[str, str] | None = None,
    strict: bool = False,
    quality: list | None = None,
) -> pd.DataFrame | None:
    """:func:`metrics.unit_counts` of a clean, typed Parquet file by DuckDB; None when the readers must look.

    ``strict`` and ``quality`` as for :func:`~pyhotline.io.load_orders` (nothing is recorded when None
    is returned: the reader then records the file).
    """
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(orders)
    if path.suffix.lower() != ".parquet" or not path.is_file():
        return None
    try:
        meta = pq.read_metadata(path)  # the file's footer, read once: schema and statistics
        schema = meta.schema.to_arrow_schema()
    except Exception:  # the reader names the problem
        return None
    if any(str(name).lower() == "file_row_number" for name in schema.names):
        return None  # DuckDB's own row-number column would clash with it
    aliases = {**HEADER_ALIASES, **(header_aliases or {})}
    by_header: dict[str, str] = {}
    for name in schema.names:
        header = aliases.get(normalize_text(str(name)), normalize_text(str(name)))
        if header in by_header:
            return None  # two columns for one header: leave it to the reader
        by_header[header] = name
    columns = {}
    for col in ORDER_COLUMNS:
        if col.header not in by_header:
            return None
        name = by_header[col.header]
        kind = schema.field(name).type
        if col.kind == "datetime":
            ok = pa.types.is_timestamp(kind) and kind.tz is None  # dates and zones: the reader's rules apply
        elif col.kind == "count":
            ok = pa.types.is_integer(kind)
        else:
            value_type = kind.value_type if pa.types.is_dictionary(kind) else kind
            ok = pa.types.is_string(value_type) or pa.types.is_large_string(value_type)
        if not ok:
            return None
        columns[col.name] = _quote(name)
    c = columns
    by_name = {col.name: by_header[col.header] for col in ORDER_COLUMNS}

    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        source = "read_parquet(" + _sql_list([str(path.resolve())]) + ")"

        def distinct(column: str) -> list[str | None]:
            return [r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM {source}").fetchall()]

        # The text columns, one distinct value at a time, exactly as the reader treats them
        # (办理方式 and 回访结果 below, from the grouped scan).
        category = _cleaned(distinct(c["category"]))
        if "" in category.values():
            return None
        flags = _cleaned(distinct(c["city_returned"]))
        if not {v.lower() for v in flags.values()} <= FLAG_VALUES:
            return None
        stats = {name: _statistics(meta, by_name[name]) for name in by_name}
        id_stats = stats["order_id"]
        if not _ids_clean(con, source, c["order_id"], id_stats[1:] if id_stats else None):
            if con.execute(
                f"""SELECT count(*) FILTER ({c['order_id']} IS NULL OR {c['order_id']} = ''
                                            OR regexp_matches({c['order_id']}, '^{_SPACE}|{_SPACE}$'))
                    FROM {source}"""
            ).fetchone()[0] or _has_duplicates(path, by_header["工单编号"]):
                return None

        start, end = month.start_time, (month + 1).start_time

        def within(column: str) -> str:
            return f"({column} >= TIMESTAMP '{start}' AND {column} < TIMESTAMP '{end}')"

        def total(condition: str) -> str:
            return f"sum(({condition})::INTEGER)"

        # One scan, grouped by unit, 办理方式 and 回访结果 as written (a few hundred groups): the date
        # conditions counted per group, and every row-level check of load_orders. Which 办理方式 and
        # 回访结果 count is decided afterwards, per group, with the readers' own normalisation.
        # (Summing 0/1 of a precomputed flag is markedly faster in DuckDB than count(*) FILTER.)
        basis = "_pyhotline_due" if scheme.visit_basis == "due" else within(c["closed_at"])
        # The reader's row checks, each left out where the file's own statistics (per row group: nulls,
        # smallest and largest value) already rule it out. Times pandas cannot hold (placeholders such
        # as 9999-12-31) are the reader's to report.
        checks = [f"{c['closed_at']} < {c['accepted_at']}"]
        if stats["accepted_at"] is None or stats["accepted_at"][0]:
            checks.append(f"{c['accepted_at']} IS NULL")
        for name in ("extensions", "send_backs", "reworks"):
            if stats[name] is None or (stats[name][1] is not None and stats[name][1] < 0):
                checks.append(f"{c[name]} < 0")
        for name in ("accepted_at", "deadline", "closed_at"):
            known = stats[name]
            if known is None or (known[1] is not None and not (EARLIEST <= known[1] and known[2] <= LATEST)):
                checks.append(f"NOT ({c[name]} BETWEEN TIMESTAMP '{EARLIEST}' AND TIMESTAMP '{LATEST}')")
        rows = con.execute(
            f"""
            SELECT _pyhotline_unit, _pyhotline_mode, _pyhotline_visit,
                {total(within(c['accepted_at']))} AS accepted,
                {total("_pyhotline_due")} AS due,
                {total(f"_pyhotline_due AND {c['closed_at']} IS NOT NULL")} AS handled,
                {total(f"_pyhotline_due AND {c['closed_at']} <= {c['deadline']}")} AS on_time,
                {total(f"_pyhotline_due AND {c['reworks']} >= 1")} AS reworked,
                {total(basis)} AS basis,
                count(*) AS n,
                {total(f"{c['deadline']} IS NULL")} AS no_deadline,
                {total(f"{c['closed_at']} IS NULL")} AS still_open,
                {total(" OR ".join(checks))} AS problems,
                min(file_row_number) AS first_row,
                min(CASE WHEN {c['closed_at']} IS NULL THEN file_row_number END) AS first_open
            FROM (SELECT {', '.join(c.values())}, {c['unit']} AS _pyhotline_unit, {c['mode']} AS _pyhotline_mode,
                         {c['visit']} AS _pyhotline_visit, {within(c['deadline'])} AS _pyhotline_due, file_row_number
                  FROM {source[:-1]}, file_row_number = true))
            GROUP BY _pyhotline_unit, _pyhotline_mode, _pyhotline_visit
            """
        ).fetchall()
        return _counts_from_groups(rows, path, registry, strict=strict, quality=quality)
    finally:
        con.close()


def _counts_from_groups(rows: list[tuple], path: Path, registry: Registry, *, strict: bool,
                        quality: list | None) -> pd.DataFrame | None:
    """The per-unit counts from the grouped scan's rows, after the reader's checks; None when in doubt.

    Records the file in ``quality`` as the reader would (rows read, and its two warnings: 直接办结
    orders naming a unit, visit results on open orders), or raises them with ``strict``.
    """
    if not rows:
        return None  # no orders at all: the reader says so
    # Group keys as DuckDB gives them (text, or None for a blank cell); counts as a table.
    units_raw, modes, visits = ([r[i] for r in rows] for i in range(3))
    numbers = ["accepted", "due", "handled", "on_time", "reworked", "basis", "n", "no_deadline", "still_open", "problems"]
    grouped = pd.DataFrame([[v or 0 for v in r[3:-2]] for r in rows], columns=numbers, dtype="int64")  # NULL sums: 0
    first_row, first_open = [r[-2] for r in rows], [r[-1] for r in rows]  # 0-based rows in the file (or None)
    total_rows = int(grouped["n"].sum())
    mode, visit = _cleaned(set(modes)), _cleaned(set(visits))
    allowed = {col.name: set(col.values) for col in ORDER_COLUMNS if col.kind == "enum"}
    if not set(mode.values()) <= allowed["mode"] or not set(visit.values()) <= allowed["visit"]:
        return None
    work = np.array([mode[v] == "派单" for v in modes], dtype=bool)
    outcome = pd.Series([visit[v] for v in visits], dtype=object)
    unit_text = _cleaned(set(units_raw))
    keys = [unit_text[v] for v in units_raw]
    if grouped["problems"].sum() or grouped.loc[work, "no_deadline"].sum():
        return None
    direct_named = np.array([not w and k != "" for w, k in zip(work, keys)], dtype=bool)
    open_visited = outcome.isin(metrics.VISITED).to_numpy()
    warnings = []
    # Spreadsheet rows as the reader numbers Parquet rows: the header is row 1.
    if direct_named.any():
        first = min((first_row[i], i) for i in np.flatnonzero(direct_named))[1]
        warnings.append(direct_with_unit_warning(path, int(grouped.loc[direct_named, "n"].sum()), first_row[first] + 2,
                                                 keys[first]))
    if grouped.loc[open_visited, "still_open"].sum():
        first = min((first_open[i], i) for i in np.flatnonzero(open_visited) if first_open[i] is not None)[1]
        warnings.append(visited_open_warning(path, int(grouped.loc[open_visited, "still_open"].sum()),
                                             first_open[first] + 2, outcome[first]))
    grouped = grouped.assign(
        visited=grouped["basis"].where(outcome.isin(metrics.VISITED).to_numpy(), 0),
        dissatisfied=grouped["basis"].where((outcome == "不满意").to_numpy(), 0),
    ).loc[work]
    keys = [k for w, k in zip(work, keys) if w]
    # Unit names, once per distinct value, as the reader resolves them.
    table = registry.lookup
    if any(k != "" and k not in table for k in keys):
        return None
    if any(k == "" and n > 0 for k, n in zip(keys, grouped["n"])):
        return None  # a 派单 order without 承办单位
    grouped["unit"] = [table.get(k, "") for k in keys]
    counts = grouped.loc[grouped["unit"] != ""].groupby("unit")[metrics.COUNT_COLUMNS].sum()
    counts = counts.loc[counts.sum(axis=1) > 0].astype("int64")
    counts.index = pd.Index(counts.index.astype(str), name="unit")
    record = FileQuality(kind="工单明细", file=path.name, rows=total_rows)
    if quality is not None:
        quality.append(record)
    for warning in warnings:  # in the reader's order; with strict the first one is raised
        _warn_or_fail(record, strict, warning)
    return counts


def _cleaned(raw) -> dict:
    """Each raw text value (None for a blank cell) -> the value as the reader normalises it."""
    raw = list(raw)
    stripped = pd.Series(["" if v is None else v for v in raw], dtype=str).str.strip()
    return {v: normalize_text(t) for v, t in zip(raw, stripped)}


def _statistics(meta, column: str) -> tuple[int, object, object] | None:
    """(null cells, smallest, largest value) of a top-level Parquet column from its row-group statistics
    (``meta``: the file's metadata), or None when some row group has none or they cannot be read (a
    year past 9999, say). Smallest and largest are None when every cell is null."""
    try:
        leaves = [j for j in range(meta.num_columns) if meta.schema.column(j).path == column]
        if len(leaves) != 1:
            return None
        nulls, lows, highs = 0, [], []
        for group in range(meta.num_row_groups):
            stats = meta.row_group(group).column(leaves[0]).statistics
            if stats is None or not stats.has_null_count:
                return None
            nulls += stats.null_count
            if stats.null_count == meta.row_group(group).num_rows:
                continue
            if not stats.has_min_max:
                return None
            lows.append(stats.min)
            highs.append(stats.max)
        return nulls, (min(lows) if lows else None), (max(highs) if highs else None)
    except Exception:  # statistics are a shortcut only: without them every check runs
        return None


def _ids_clean(con, source: str, column: str, bounds: tuple[object, object] | None = None) -> bool:
    """True when every 工单编号 is a plain number and no number comes twice (the usual case, checked fast).

    ``bounds`` are the column's smallest and largest text from the file's statistics: when both are
    digit strings of one length (text order is then number order), DuckDB marks each number in a
    bitmap between them without handing ten million numbers to Python. A number outside them makes
    that fail and the general way below decides, so the bounds only ever cost time.
    """
    low_text, high_text = (str(b.decode() if isinstance(b, bytes) else b) for b in bounds or ("", ""))
    if low_text.isascii() and low_text.isdigit() and high_text.isdigit() and len(low_text) == len(high_text):
        low, high = int(low_text), int(high_text)
        if high - low < 1 << 30:
            try:
                marked, numbers, rows = con.execute(
                    f"SELECT bit_count(bitstring_agg(i, {low}, {high})), count(i), count(*) "
                    f"FROM (SELECT TRY_CAST({column} AS BIGINT) AS i FROM {source})"
                ).fetchone()
            except Exception:  # duckdb: a number outside the bounds
                pass
            else:
                if rows and marked == numbers == rows:
                    return True
    numbers = con.execute(f"SELECT TRY_CAST({column} AS BIGINT) AS i FROM {source}").fetchnumpy()["i"]
    if isinstance(numbers, np.ma.MaskedArray):
        if numbers.mask.any():
            return False
        numbers = numbers.data
    if len(numbers) < 2:
        return True
    low, high = int(numbers.min()), int(numbers.max())
    if high - low < 16 * len(numbers):  # dense ids: a bitmap, no sort
        seen = np.zeros(high - low + 1, dtype=bool)
        numbers -= low
        seen[numbers] = True
        return int(np.count_nonzero(seen)) == len(numbers)
    numbers = np.sort(numbers)
    return not (numbers[1:] == numbers[:-1]).any()


def _has_duplicates(path: Path, column: str) -> bool:
    """Any 工单编号 twice (as written)?"""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    ids = pq.read_table(path, columns=[column])[column]
    return pc.count_distinct(ids).as_py() != len(ids)
