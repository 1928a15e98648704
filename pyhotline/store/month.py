"""A month's slice of the store, as the :class:`~pyhotline.report.Dataset` the metrics take.

The rows a month's figures use (orders accepted, due or closed in the month or in the months
before it that 环比 and continuity look at; letters received then) are selected in DuckDB and
returned with the readers' own dtypes, so the pandas metrics give exactly what they give on
the files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..errors import MonthError
from ..io import FileQuality
from ..metrics import parse_month
from .coverage import coverage_settings, kind_cutoff, letter_gaps, order_gaps
from .db import LETTER_FIELDS, ORDER_FIELDS, CoverageError, connect
from . import vanished
from .registry import effective_registry, registry_imports

_TIMES = {"orders": ("accepted_at", "deadline", "closed_at"), "letters": ("received_at",)}
#: What the month's evaluation table reads of an order (:func:`pyhotline.metrics.unit_counts`, and 受理时间 for
#: the month's check): all ``evaluate`` selects (``table_only``).
TABLE_FIELDS = ("accepted_at", "mode", "unit", "deadline", "closed_at", "reworks", "visit")


def _typed(table, fields) -> pd.DataFrame:
    """An Arrow result as the readers' frame: text as pandas strings, times in nanoseconds."""
    frame = table.to_pandas()
    out = {}
    for name, kind in fields:
        values = frame[name]
        wanted = _DTYPES.get(kind)
        if wanted is None:
            continue
        # a column Arrow already gave in the wanted dtype is kept (astype would copy it: 0.3 s at 10M)
        out[name] = values if str(values.dtype) == wanted else values.astype(wanted)
    return pd.DataFrame(out)


_DTYPES = {"VARCHAR": "str", "TIMESTAMP_NS": "datetime64[ns]", "BIGINT": "int64", "BOOLEAN": "bool"}


def window_condition(kind: str, first: pd.Timestamp, end: pd.Timestamp, extra=()) -> tuple[str, list]:
    """The SQL condition (and its parameters) of :func:`_select`'s rows: any time in [first, end), or
    accepted (received) in one of the ``extra`` months."""
    condition = " OR ".join([f'("{c}" >= ? AND "{c}" < ?)' for c in _TIMES[kind]]
                            + [f'("{_TIMES[kind][0]}" >= ? AND "{_TIMES[kind][0]}" < ?)' for _ in extra])
    args = [first.to_pydatetime(), end.to_pydatetime()] * len(_TIMES[kind])
    args += [t.to_pydatetime() for m in extra for t in (m.start_time, (m + 1).start_time)]
    return f"({condition})", args


def _select(con, kind: str, first: pd.Timestamp | None, end: pd.Timestamp | None, extra=(), only=None) -> pd.DataFrame:
    """Rows with any time of ``_TIMES[kind]`` in [first, end), and rows accepted (received) in the
    ``extra`` months (the month a year earlier, for 同比), in the files' order. ``only``: just these
    columns, in no particular row order (what the evaluation table needs, counted whatever the order)."""
    fields = ORDER_FIELDS if kind == "orders" else LETTER_FIELDS
    if only is not None:
        fields = tuple(f for f in fields if f[0] in only)
    names = ", ".join(f'"{n}"' for n, _ in fields)
    where, args = _where(kind, first, end, extra)
    order = "" if only is not None else " ORDER BY import_id, seq"
    table = con.sql(f"SELECT {names} FROM {kind} {where}{order}", params=args or None).to_arrow_table()
    return _typed(table, fields)


def _where(kind: str, first, end, extra=()) -> tuple[str, list]:
    if first is None:
        return "", []
    condition, args = window_condition(kind, first, end, extra)
    return "WHERE " + condition, args


def _units_seen(con, kind: str, first, end, extra=()) -> set:
    """The unit names of :func:`_select`'s rows, without selecting them."""
    where, args = _where(kind, first, end, extra)
    return {r[0] for r in con.execute(f"SELECT DISTINCT unit FROM {kind} {where}", args).fetchall() if r[0] is not None}


def imports_table(con) -> pd.DataFrame:
    """One row per import; ``open_due``: the orders the store holds from that import that were still
    open at its cut-off, by the month they were due: {"2024-03": (orders, earliest 受理时间)}
    (:func:`~pyhotline.store.coverage.stale_orders`); ``missing``: the earlier orders that export lacks
    although it covers their 受理时间 (:mod:`~pyhotline.store.vanished`)."""
    imports = con.execute(
        "SELECT import_id, kind, file, rows, blank, set_aside, warnings, cutoff, span_start, span_end "
        "FROM imports ORDER BY import_id"
    ).df()
    open_rows = con.execute(
        "SELECT import_id, strftime(deadline, '%Y-%m') AS due, count(*) AS n, min(accepted_at) AS first "
        "FROM orders WHERE closed_at IS NULL AND deadline IS NOT NULL GROUP BY ALL"
    ).fetchall()
    by_import: dict[int, dict] = {}
    for import_id, due, n, first in open_rows:
        by_import.setdefault(import_id, {})[due] = (int(n), pd.Timestamp(first))
    return imports.assign(open_due=[by_import.get(i, {}) for i in imports["import_id"]],
                          missing=vanished.by_export(con, imports))


def _quality(imports: pd.DataFrame, window: tuple | None) -> list[FileQuality]:
    """The reading record of the latest registry and of every export overlapping the window."""
    records = []
    units = imports.loc[imports["kind"] == "units"]
    chosen = [units.iloc[-1]] if len(units) else []
    for kind in ("orders", "letters"):
        rows = imports.loc[imports["kind"] == kind]
        if window is not None:
            first, end = window
            rows = rows.loc[(rows["span_end"] >= first) & (rows["span_start"] < end)]
        chosen.extend(row for _, row in rows.iterrows())
    labels = {"units": "单位名录", "orders": "工单明细", "letters": "信件明细"}
    for row in chosen:
        records.append(FileQuality(
            kind=labels[row["kind"]], file=row["file"], rows=int(row["rows"]), blank=int(row["blank"]),
            set_aside=json.loads(row["set_aside"]), warnings=json.loads(row["warnings"]),
        ))
    return records


def store_months(con) -> list[pd.Period]:
    rows = con.execute(
        "SELECT strftime(m, '%Y-%m') FROM (SELECT DISTINCT date_trunc('month', accepted_at) AS m FROM orders "
        "WHERE accepted_at IS NOT NULL) ORDER BY 1"  # date_trunc, then one strftime a month: 3x faster at 10M
    ).fetchall()
    return [pd.Period(r[0], "M") for r in rows]


def _complete(imports: pd.DataFrame, month: pd.Period, settings) -> bool:
    """True when the imported spans of 受理时间 (and of 收信时间, if letters were imported) cover every
    day of ``month``: what its totals and categories need (同比)."""
    from .coverage import _covered_days, _missing_by_month

    start, end = month.start_time.date(), month.end_time.date()
    for kind in ("orders", "letters"):
        spans = imports.loc[imports["kind"] == kind, ["span_start", "span_end"]]
        if kind == "letters" and spans.empty:
            continue
        if list(_missing_by_month(start, end, _covered_days(spans.itertuples(index=False)))):
            return False
    return True


def month_coverage(store: str | Path, month, scheme=None) -> list[str]:
    """What the store lacks for ``month`` (empty list: complete)."""
    month = parse_month(month)
    with connect(store) as con:
        imports = imports_table(con)
    return order_gaps(imports, month, coverage_settings(scheme)) + letter_gaps(imports, month)


def month_dataset(store: str | Path, month=None, scheme=None, *, strict: bool = False, history: int = 1, extra=(),
                  table_only: bool = False):
    """The Dataset for ``month`` (``history`` months before it included); all of the store when
    ``month`` is None. Coverage gaps are warnings in the quality record (errors with ``strict``).
    ``extra`` months (before the window) add their accepted orders and received letters when the
    store holds them completely (no coverage gap but 环比 ones): 同比's month a year earlier.
    ``table_only`` (``evaluate``): the orders hold only ``month``'s rows and :data:`TABLE_FIELDS`,
    in no particular order, and no letters; the registry, warnings and cut-offs are the full slice's."""
    from ..report import Dataset
    from .drops import month_note

    settings = coverage_settings(scheme)
    with connect(store) as con:
        imports = imports_table(con)
        if month is None:
            window, gaps, of_letters, dropped = None, [], [], []
        else:
            month = parse_month(month)
            found = con.execute(
                "SELECT count(*) FROM (SELECT 1 FROM orders WHERE accepted_at >= ? AND accepted_at < ? LIMIT 1)",
                [month.start_time.to_pydatetime(), (month + 1).start_time.to_pydatetime()],
            ).fetchall()[0][0]
            if not found:
                known = store_months(con)
                span = f"数据中的月份为 {known[0]} 至 {known[-1]}" if known else "数据中没有任何工单"
                raise MonthError(f"{month} 没有任何工单记录（{span}）")
            window = ((month - history).start_time, (month + 1).start_time)
            of_letters = letter_gaps(imports, month)
            gaps = order_gaps(imports, month, settings) + of_letters
            dropped = month_note(con, month)
        if strict and gaps:
            raise CoverageError(f"{month} 的数据不全：" + "；".join(gaps) + "（去掉 --strict 则照常生成并注明）")
        extra = [m for m in extra if window is not None and m < month - history and _complete(imports, m, settings)]
        has_letters = (imports["kind"] == "letters").any()
        if table_only and month is not None:
            orders = _select(con, "orders", month.start_time, (month + 1).start_time, only=TABLE_FIELDS)
            letters = None
            units_seen = set(orders["unit"].unique())
            if len(registry_imports(con)) > 1:  # older registries' units join the latest: the whole slice's
                units_seen = _units_seen(con, "orders", *window, extra)
                if has_letters:
                    units_seen |= _units_seen(con, "letters", *window, extra)
        else:
            orders = _select(con, "orders", *(window or (None, None)), extra)
            letters = _select(con, "letters", *(window or (None, None)), extra) if has_letters else None
            units_seen = set(orders["unit"].unique())
            if letters is not None:
                units_seen |= set(letters["unit"].unique())
        registry, mapping = effective_registry(con, sorted(units_seen))
    if any(k != v for k, v in mapping.items()):
        orders = orders.assign(unit=orders["unit"].map(lambda u: mapping.get(u, u)).astype("str"))
        if letters is not None:
            letters = letters.assign(unit=letters["unit"].map(lambda u: mapping.get(u, u)).astype("str"))
    quality = _quality(imports, None if window is None else (window[0] - pd.Timedelta(days=settings.max_days_before), window[1]))
    gaps = gaps + dropped  # orders dropped as voided: said, not a gap (never an error with strict)
    for kind, found in (("工单明细", [g for g in gaps if g not in of_letters]), ("信件明细", of_letters)):
        if found:  # each kind's warnings with that kind's latest export
            target = next((q for q in reversed(quality) if q.kind == kind), quality[-1])
            target.warnings.extend(found)
    spans = tuple(imports.loc[imports["kind"] == "orders", ["span_start", "span_end"]].itertuples(index=False, name=None))
    # each kind its own cut-off: a letters export never moves the orders' (their 超期 rule) nor the other way
    return Dataset(orders=orders, registry=registry, letters=letters, quality=tuple(quality),
                   cutoff=kind_cutoff(imports, "orders"), letters_cutoff=kind_cutoff(imports, "letters"), spans=spans)
