"""Reading a period from the store: its rows, its coverage, the office's notes for it (pyhotline.period)."""

from __future__ import annotations

import pandas as pd

from .errors import MonthError
from .period import PeriodDataset, kind, months_of, parse_period, period_name, year_earlier
from .report import Dataset
from .scheme import Scheme, load_scheme


# ---------------------------------------------------------------- reading a period from the store
def load_period(period, *, store=None, orders=None, units=None, letters=None, scheme=None, strict: bool = False,
                history: int = 1) -> Dataset:
    """The Dataset for a month (:func:`pyhotline.store.load_month`), a quarter or a year: from
    ``store``, or from files through a temporary store, or the default store / bundled sample.
    A period's months the store does not hold completely are warnings in its quality record
    (errors with ``strict``), and so in the CLI and the bulletin's 数据说明."""
    from .store import load_month

    period = parse_period(period)
    if kind(period) == "month":
        return load_month(period, store=store, orders=orders, units=units, letters=letters, scheme=scheme,
                          strict=strict, history=history)
    scheme = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
    return source_of(lambda source: period_dataset(source, period, scheme, strict=strict), store=store, orders=orders,
                     units=units, letters=letters, scheme=scheme, strict=strict)


def source_of(compute, *, store=None, orders=None, units=None, letters=None, scheme=None, strict: bool = False):
    """``compute(store)`` on the store the arguments name, as :func:`pyhotline.store.load_month` picks it:
    ``store``; files through an in-memory store; else the default store, else the bundled sample."""
    from .store import StoreError, import_oneoff, memory_store, resolve_store

    files = any(p is not None for p in (orders, units, letters))
    if files and store is not None:
        raise StoreError("--store 不能与 --orders/--units/--letters 同时使用：请先用 pyhotline import 把文件导入数据库")
    source = None if files else resolve_store(store)
    if source is not None:
        return compute(source)
    with memory_store() as con:
        import_oneoff(con, orders, units, letters, scheme=scheme, strict=strict)
        return compute(con)


def period_gaps(imports: pd.DataFrame, present: list[pd.Period], period: pd.Period, settings) -> list[str]:
    """What the store lacks for the period: one line for its months without any order, then the
    coverage warnings of each month it holds (once each; 环比 ones left out, a period has no 环比)."""
    from .store.coverage import coverage_gaps

    gaps: list[str] = []
    missing = [m for m in months_of(period) if m not in present]
    if missing:
        gaps.append(f"{period} 中 {'、'.join(str(m) for m in missing)} 没有任何工单记录：{period_name(period)}各项数字只含已导入的月份")
    for month in months_of(period):
        if month in missing:
            continue
        gaps.extend(g for g in coverage_gaps(imports, month, settings)
                    if g not in gaps and not g.endswith(("环比可能不全", "环比可能不准")))
    return gaps


def month_complete(imports, present, month, settings) -> bool:
    """The store holds the month completely: orders accepted in it, and no coverage gap but 环比 ones."""
    from .store.coverage import coverage_gaps

    return month in present and all(g.endswith(("环比可能不全", "环比可能不准")) for g in coverage_gaps(imports, month, settings))


def period_dataset(store, period: pd.Period, scheme: Scheme, *, strict: bool = False) -> PeriodDataset:
    """The rows of the period and of the periods it is compared with, as a :class:`PeriodDataset`."""
    from .store import CoverageError, coverage_settings, month_dataset
    from .store.coverage import coverage_gaps
    from .store.db import connect
    from .store.month import imports_table, store_months

    settings = coverage_settings(scheme)
    with connect(store) as con:  # one connection: an import cannot land between the coverage and the rows
        imports, present = imports_table(con), store_months(con)
        inside = [m for m in months_of(period) if m in present]
        if not inside:
            span = f"数据中的月份为 {present[0]} 至 {present[-1]}" if present else "数据中没有任何工单"
            raise MonthError(f"{period} 没有任何工单记录（{span}）")
        gaps = period_gaps(imports, present, period, settings)
        if strict and gaps:
            raise CoverageError(f"{period} 的数据不全：" + "；".join(gaps) + "（去掉 --strict 则照常生成并注明）")
        anchor = inside[-1]
        earliest = min(months_of(period - 1)[0], months_of(year_earlier(period))[0])
        data = month_dataset(con, anchor, scheme, history=(anchor - earliest).n)
    anchor_gaps = set(coverage_gaps(imports, anchor, settings))
    quality = list(data.quality)
    for record in quality:
        record.warnings[:] = [w for w in record.warnings if w not in anchor_gaps]
    if gaps and quality:
        target = next((q for q in reversed(quality) if q.kind == "工单明细"), quality[-1])
        target.warnings.extend(gaps)
    window = pd.period_range(earliest, period.asfreq("M", "e"), freq="M")
    covered = tuple(m for m in window if month_complete(imports, present, m, settings))
    return PeriodDataset(orders=data.orders, registry=data.registry, letters=data.letters, quality=tuple(quality),
                         cutoff=data.cutoff, letters_cutoff=data.letters_cutoff,
                         covered=covered)


def period_coverage(store, period, scheme=None) -> list[str]:
    """What the store lacks for a month (:func:`pyhotline.store.month_coverage`), a quarter or a year."""
    return periods_coverage(store, [period], scheme)[0]


def periods_coverage(store, periods, scheme=None) -> list[list[str]]:
    """:func:`period_coverage` of each period, the store's import records read once (a range of months:
    ``imports_table`` counts the store's open orders, 0.4 s a time at 10M orders)."""
    from .store import coverage_settings
    from .store.coverage import coverage_gaps
    from .store.db import connect
    from .store.month import imports_table, store_months

    periods = [parse_period(p) for p in periods]
    settings = coverage_settings(scheme)
    with connect(store) as con:
        imports = imports_table(con)
        present = store_months(con) if any(kind(p) != "month" for p in periods) else None
    return [coverage_gaps(imports, p, settings) if kind(p) == "month" else period_gaps(imports, present, p, settings)
            for p in periods]


def period_notes(source, orders: pd.DataFrame, period):
    """The office's notes for the period (:func:`pyhotline.notes.load_notes` for a month): ``source``
    itself, or ``<source>/2024Q2.md`` / ``<source>/2024.md`` in a folder; every order they name must be
    accepted, due or closed in one of the period's months."""
    from pathlib import Path

    from .errors import NotesError
    from .notes import load_notes, month_order_ids, parse_notes

    period = parse_period(period)
    if kind(period) == "month":
        return load_notes(source, orders, period)
    if source is None or not str(source).strip():
        return None
    path = Path(source)
    if path.is_dir():
        path = path / f"{period}.md"
        if not path.is_file():
            return None
    notes, lines = parse_notes(path)
    known = set().union(*(month_order_ids(orders, m) for m in months_of(period)))
    for order_id in notes.orders:
        if order_id not in known:
            raise NotesError(f"备注的工单 {order_id} 不在 {period} 的工单数据中（本期受理、到期或办结的工单）；请核对工单编号",
                             path=path, row=lines[order_id])
    return notes
