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
from .io import FLAG_VALUES, HEADER_ALIASES, ORDER_COLUMNS, Registry, load_orders, normalize_text
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

    A file DuckDB counts is clean (nothing to warn about); any doubt sends it to the reader, which
    applies ``strict`` and records ``quality``.
    """
    month = metrics.parse_month(month)
    counts = duckdb_counts(orders, registry, month, scheme, header_aliases=header_aliases)
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
) -> pd.DataFrame | None:
    """:func:`metrics.unit_counts` of a clean, typed Parquet file by DuckDB; None when the readers must look."""
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(orders)
    if path.suffix.lower() != ".parquet" or not path.is_file():
        return None
    try:
        schema = pq.read_schema(path)
    except Exception:  # the reader names the problem
        return None
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
        if not _ids_clean(con, source, c["order_id"]):
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
        basis = "due_in_month" if scheme.visit_basis == "due" else within(c["closed_at"])
        rows = con.execute(
            f"""
            SELECT raw, mode, visit,
                {total(within(c['accepted_at']))} AS accepted,
                {total("due_in_month")} AS due,
                {total(f"due_in_month AND {c['closed_at']} IS NOT NULL")} AS handled,
                {total(f"due_in_month AND {c['closed_at']} <= {c['deadline']}")} AS on_time,
                {total(f"due_in_month AND {c['reworks']} >= 1")} AS reworked,
                {total(basis)} AS basis,
                count(*) AS n,
                {total(f"{c['deadline']} IS NULL")} AS no_deadline,
                {total(f"{c['accepted_at']} IS NULL OR {c['closed_at']} < {c['accepted_at']} OR {c['extensions']} < 0 "
                       f"OR {c['send_backs']} < 0 OR {c['reworks']} < 0")} AS problems
            FROM (SELECT {', '.join(c.values())}, {c['unit']} AS raw, {c['mode']} AS mode, {c['visit']} AS visit,
                         {within(c['deadline'])} AS due_in_month FROM {source})
            GROUP BY raw, mode, visit
            """
        ).fetchall()
    finally:
        con.close()
    names = ["raw", "mode", "visit", "accepted", "due", "handled", "on_time", "reworked", "basis", "n",
             "no_deadline", "problems"]
    grouped = pd.DataFrame.from_records(rows, columns=names)
    mode, visit = _cleaned(set(grouped["mode"])), _cleaned(set(grouped["visit"]))
    allowed = {col.name: set(col.values) for col in ORDER_COLUMNS if col.kind == "enum"}
    if not set(mode.values()) <= allowed["mode"] or not set(visit.values()) <= allowed["visit"]:
        return None
    for name in names[3:]:
        grouped[name] = grouped[name].fillna(0).astype("int64")
    work = grouped["mode"].map(lambda v: mode[v] == "派单").astype(bool)
    outcome = grouped["visit"].map(lambda v: visit[v])
    if (grouped["problems"].sum() + grouped.loc[work, "no_deadline"].sum()) > 0:
        return None
    grouped = grouped.loc[work].assign(
        visited=lambda d: d["basis"].where(outcome[d.index].isin(metrics.VISITED), 0),
        dissatisfied=lambda d: d["basis"].where(outcome[d.index] == "不满意", 0),
        dispatched=lambda d: d["n"],
    )
    # Unit names, once per distinct value, as the reader resolves them.
    raw = grouped["raw"].astype(object).where(grouped["raw"].notna(), None)
    stripped = pd.Series(["" if v is None else v for v in raw], dtype=str).str.strip()
    keys = [normalize_text(t) for t in stripped]
    table = registry.lookup
    if any(k != "" and k not in table for k in keys):
        return None
    if any(k == "" and n > 0 for k, n in zip(keys, grouped["dispatched"])):
        return None  # a 派单 order without 承办单位
    grouped["unit"] = [table.get(k, "") for k in keys]
    counts = grouped.loc[grouped["unit"] != ""].groupby("unit")[metrics.COUNT_COLUMNS].sum()
    counts = counts.loc[counts.sum(axis=1) > 0].astype("int64")
    counts.index = pd.Index(counts.index.astype(str), name="unit")
    return counts


def _cleaned(raw) -> dict:
    """Each raw text value (None for a blank cell) -> the value as the reader normalises it."""
    raw = list(raw)
    stripped = pd.Series(["" if v is None else v for v in raw], dtype=str).str.strip()
    return {v: normalize_text(t) for v, t in zip(raw, stripped)}


def _ids_clean(con, source: str, column: str) -> bool:
    """True when every 工单编号 is a plain number and no number comes twice (the usual case, checked fast)."""
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
        seen[numbers - low] = True
        return int(np.count_nonzero(seen)) == len(numbers)
    numbers = np.sort(numbers)
    return not (numbers[1:] == numbers[:-1]).any()


def _has_duplicates(path: Path, column: str) -> bool:
    """Any 工单编号 twice (as written)?"""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    ids = pq.read_table(path, columns=[column])[column]
    return pc.count_distinct(ids).as_py() != len(ids)
