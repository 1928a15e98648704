"""The store: an embedded DuckDB database that monthly exports accumulate into (docs/store.md).

    files -> readers (pyhotline.io) -> store (import) -> month slice (Dataset) -> metrics -> report

- :func:`import_files` reads and checks export files with the usual readers and merges them in
  one transaction (an order seen in several exports keeps the values of the latest cut-off).
- :func:`month_dataset` selects one month's rows as the :class:`~pyhotline.report.Dataset` the
  metrics take, with warnings for what the month lacks (:func:`month_coverage`).
- :func:`load_month` is what the commands and notebooks call: a store, or files read through a
  temporary store, or (with neither) the default store, else the bundled sample.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .coverage import CoverageSettings, coverage_settings
from .db import CoverageError, StoreError, connect, default_store_path, memory_store, temporary_store
from .imports import FileImport, ImportSummary, import_files, parse_as_of
from .month import month_coverage, month_dataset, store_months

__all__ = [
    "CoverageError", "CoverageSettings", "describe_store", "FileImport", "ImportSummary", "StoreError", "connect",
    "coverage_settings", "default_store_path", "import_files", "load_month", "month_coverage", "month_dataset",
    "parse_as_of", "prepared_store", "resolve_store", "store_months", "temporary_store",
]


def resolve_store(store=None) -> Path | None:
    """The store to read: ``store`` as given, else the default one when it exists, else None."""
    if store is not None:
        return Path(store)
    default = default_store_path()
    return default if default.is_file() else None


def import_oneoff(target, orders=None, units=None, letters=None, *, scheme=None, strict=False, keep=None
                  ) -> ImportSummary:
    """Files given for a one-off run (or, with none, the bundled sample) into the store ``target``;
    ``keep``: only the rows one month's slice needs (see :func:`import_files`)."""
    from ..sample import resolve_inputs

    orders, units, letters = resolve_inputs(orders, units, letters)
    return import_files(target, orders=[orders], units=[units], letters=[letters] if letters else None,
                        scheme=scheme, strict=strict, keep=keep)


@contextmanager
def prepared_store(store=None, orders=None, units=None, letters=None, *, scheme=None, strict=False
                   ) -> Iterator[tuple[Path, ImportSummary | None]]:
    """The store a command reads, and the summary of the one-off import that made it (or None).

    ``store`` when given; files given are read into a temporary store (removed on leaving); with
    neither, the default store when it exists, else the bundled sample through a temporary store.
    """
    if any(p is not None for p in (orders, units, letters)):
        if store is not None:
            raise StoreError("--store 不能与 --orders/--units/--letters 同时使用：请先用 pyhotline import 把文件导入数据库")
        source = None
    else:
        source = resolve_store(store)
    if source is not None:
        yield source, None
        return
    with temporary_store() as target:
        summary = import_oneoff(target, orders, units, letters, scheme=scheme, strict=strict)
        yield target, summary


def load_month(month=None, *, store=None, orders=None, units=None, letters=None, scheme=None, strict: bool = False,
               history: int = 1, table_only: bool = False):
    """The :class:`~pyhotline.report.Dataset` for ``month`` (all months when None), with at least
    ``history`` months before it, more when the scheme's series parts need them (:mod:`pyhotline.series`).

    With ``store``, read from it. With files, they are read into a temporary store, never the
    user's default one (same checks, same coverage warnings). With neither, the default store
    (``$PYHOTLINE_STORE`` or data/store/pyhotline.duckdb) when it exists, else the bundled sample
    through a temporary store. ``table_only`` (``evaluate``): only what the month's evaluation table
    needs (:func:`~pyhotline.store.month.month_dataset`); a file read for it is still checked whole.
    """
    files = any(p is not None for p in (orders, units, letters))
    if files and store is not None:
        raise StoreError("--store 不能与 --orders/--units/--letters 同时使用：请先用 pyhotline import 把文件导入数据库")
    source = None if files else resolve_store(store)
    extra = ()
    if month is not None:
        from ..series import extra_months, history_months
        from ..scheme import Scheme, load_scheme

        rules = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
        history, extra = max(history, history_months(rules)), tuple(extra_months(month, rules))
    if source is not None:
        return month_dataset(source, month, scheme, strict=strict, history=history, extra=extra, table_only=table_only)
    keep = None
    if month is not None:  # the one-off store holds only the slice month_dataset selects
        from ..errors import MonthError
        from ..metrics import parse_month

        try:
            period = parse_month(month)
        except (MonthError, ValueError):  # month_dataset gives its message after the files' checks
            period = None
        if period is not None:
            keep = ((period, period.start_time, (period + 1).start_time, ()) if table_only
                    else (period, (period - history).start_time, (period + 1).start_time, extra))
    with memory_store() as con:  # one process: the temporary store need not touch the disk
        import_oneoff(con, orders, units, letters, scheme=scheme, strict=strict, keep=keep)
        return month_dataset(con, month, scheme, strict=strict, history=history, extra=extra, table_only=table_only)


def describe_store(store, *, scheme=None) -> tuple[list[str], list[str]]:
    """Lines describing what the store holds (one per import, then the months), and its coverage gaps
    (month by month, for every month with orders)."""
    from .coverage import coverage_gaps
    from .drops import dropped_orders
    from .month import imports_table

    settings = coverage_settings(scheme)
    with connect(store) as con:
        imports = imports_table(con)
        months = store_months(con)
        dropped = dropped_orders(con)
    labels = {"units": "单位名录", "orders": "工单明细", "letters": "信件明细"}
    lines = [f"数据库 {store}："]
    for row in imports.itertuples(index=False):
        text = f"  {labels[row.kind]} {row.file}：{_used_rows(row)} 行"
        if row.kind != "units" and row.span_start is not None and not _isna(row.span_start):
            text += f"，{row.span_start:%Y-%m-%d} 至 {row.span_end:%Y-%m-%d}，截至 {row.cutoff:%Y-%m-%d %H:%M}"
        lines.append(text)
    if months:
        lines.append(f"  受理月份：{months[0]} 至 {months[-1]}")
    if len(dropped):
        named = "、".join(dropped["order_id"].head(5)) + ("等" if len(dropped) > 5 else "")
        lines.append(f"  已去掉的工单（pyhotline drop，平台上已作废或删除）：{len(dropped)} 件（{named}）")
    gaps = []
    for month in months:
        gaps.extend(f"{month}：{gap}" for gap in coverage_gaps(imports, month, settings))
    return lines, gaps


def _used_rows(row) -> int:
    """An import's rows without those its reader set aside (合计行, 说明行 …: no records), as its summary says."""
    import json

    from ..io import FileQuality

    set_aside = json.loads(row.set_aside) if isinstance(row.set_aside, str) and row.set_aside else {}
    return FileQuality(kind="", file="", rows=int(row.rows), set_aside=set_aside).used


def _isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))
