"""Is a month complete in the store? What each month's figures need, and what is missing.

Orders due in month M may have been accepted up to ``coverage.max_days_before`` days before M
(a scheme setting), so the imported spans of 受理时间 must reach back that far; the cut-off of
orders and the cut-off of letters (each kind its own) must be past M's end; 环比 needs the whole
previous month. See docs/store.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .vanished import month_warnings

from ..errors import SchemeError

DEFAULT_MAX_DAYS_BEFORE = 60  # the sample's longest 办理时限 is 33 days; two months leave room for extensions


@dataclass(frozen=True)
class CoverageSettings:
    max_days_before: int = DEFAULT_MAX_DAYS_BEFORE


def coverage_settings(scheme) -> CoverageSettings:
    """The scheme's ``[coverage]`` table, validated (a missing table gives the defaults)."""
    if scheme is None:
        return CoverageSettings()
    if not hasattr(scheme, "raw"):
        from ..scheme import load_scheme

        scheme = load_scheme(scheme)
    raw = getattr(scheme, "raw", {}) or {}
    table = raw.get("coverage", {})
    path = getattr(scheme, "path", None)
    if not isinstance(table, dict):
        raise SchemeError("coverage 应为一张表（[coverage]）", path=path)
    from ..scheme_keys import check_table

    check_table("coverage", table, path)  # also for a scheme made with dataclasses.replace
    days = table.get("max_days_before", DEFAULT_MAX_DAYS_BEFORE)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 366:
        raise SchemeError(f"coverage.max_days_before 应为 0 到 366 之间的整数（天），给出的是“{days}”", path=path)
    return CoverageSettings(max_days_before=days)


def _covered_days(spans) -> set[dt.date]:
    days: set[dt.date] = set()
    for start, end in spans:
        if start is None or end is None or pd.isna(start) or pd.isna(end):
            continue
        day, last = pd.Timestamp(start).date(), pd.Timestamp(end).date()
        while day <= last:
            days.add(day)
            day += dt.timedelta(days=1)
    return days


def _missing_by_month(needed_from: dt.date, needed_to: dt.date, covered: set[dt.date]) -> list[tuple[pd.Period, str]]:
    """(month, "" or "（4月1日至4月10日）") for each month with needed days not covered."""
    missing: dict[pd.Period, list[dt.date]] = {}
    day = needed_from
    while day <= needed_to:
        if day not in covered:
            missing.setdefault(pd.Period(day, "M"), []).append(day)
        day += dt.timedelta(days=1)
    out = []
    for month, days in missing.items():
        whole = len(days) == month.days_in_month
        if whole:
            out.append((month, ""))
            continue
        stretches, first, prev = [], days[0], days[0]
        for day in days[1:] + [None]:
            if day is not None and day == prev + dt.timedelta(days=1):
                prev = day
                continue
            stretches.append(f"{first.month}月{first.day}日" + ("" if first == prev else f"至{prev.month}月{prev.day}日"))
            if day is not None:
                first = prev = day
        out.append((month, "（" + "、".join(stretches) + "）"))
    return out


def kind_cutoff(imports: pd.DataFrame, kind: str) -> pd.Timestamp | None:
    """The cut-off of what the store holds of one kind ("orders" or "letters"): the latest cut-off of
    its imports (None when none was imported). Each kind has its own: a letters export never moves
    the orders' cut-off, nor the other way round."""
    cutoffs = imports.loc[imports["kind"] == kind, "cutoff"].dropna()
    return pd.Timestamp(cutoffs.max()) if len(cutoffs) else None


def _cutoff_gap(imports: pd.DataFrame, month: pd.Period, kind: str) -> list[str]:
    cutoff = kind_cutoff(imports, kind)
    if cutoff is None or cutoff >= (month + 1).start_time:
        return []
    m = month.month
    what, status = ("工单", "办结、回访") if kind == "orders" else ("信件", "答复、评价")
    return [f"导入的{what}数据截至 {cutoff:%Y-%m-%d %H:%M}，早于 {m} 月底：{m} 月{what}的{status}情况可能不全，"
            f"请导入 {month + 1} 以后导出的{what}（这份导出若是 {m} 月底以后导出的，重新导入时用 --as-of 写明导出时间）"]


def order_gaps(imports: pd.DataFrame, month: pd.Period, settings: CoverageSettings) -> list[str]:
    """What the store lacks of orders for ``month``: spans of 受理时间 (back ``max_days_before`` days,
    and the previous month for 环比) and the orders' own cut-off past the month's end."""
    m = month.month
    order_spans = imports.loc[imports["kind"] == "orders", ["span_start", "span_end"]].itertuples(index=False)
    warnings: list[str] = []
    covered = _covered_days(order_spans)
    start, end = month.start_time.date(), month.end_time.date()
    back = start - dt.timedelta(days=settings.max_days_before)
    due_gaps = dict(_missing_by_month(back, end, covered))
    previous = month - 1
    mom_gaps = dict(_missing_by_month(previous.start_time.date(), previous.end_time.date(), covered))
    for gap_month in sorted(set(due_gaps) | set(mom_gaps)):
        what = []
        if gap_month in due_gaps:
            what.append("受理数、应办理数" if gap_month == month else "应办理数")
        if gap_month in mom_gaps:
            what.append("环比")
        part = due_gaps.get(gap_month, mom_gaps.get(gap_month))
        warnings.append(f"未导入 {gap_month} 受理的工单{part}：{m} 月{'和'.join(what)}可能不全")
    return warnings + _cutoff_gap(imports, month, "orders") + stale_orders(imports, month) + month_warnings(imports, month)


def stale_orders(imports: pd.DataFrame, month: pd.Period) -> list[str]:
    """Orders due in ``month`` that the store knows only as open in an export taken before the month
    ended (and older than the orders' cut-off): what became of them by the month's end is not
    imported, yet the month's 超期 rule judges them at the latest cut-off. One warning per such
    export, naming it and the export that would settle them.

    (Platforms export by 受理时间: an order accepted in January is in the January–February export,
    open on 2月29日, and in no later one when those start in February.)"""
    if "open_due" not in imports.columns:
        return []
    cutoff = kind_cutoff(imports, "orders")
    due, m, out = f"{month:%Y-%m}", month.month, []
    for row in imports.loc[imports["kind"] == "orders"].itertuples(index=False):
        if row.cutoff is None or pd.isna(row.cutoff):
            continue
        taken = pd.Timestamp(row.cutoff)
        if taken >= cutoff or taken >= (month + 1).start_time:
            continue  # the latest export, or one taken after the month ended: the month's own statuses are known
        found = row.open_due.get(due)
        if found:
            n, first = found
            out.append(f"工单明细 {row.file}（截至 {pd.Timestamp(row.cutoff):%Y-%m-%d %H:%M}）中有 {n} 件 {m} 月到期的工单"
                       f"当时尚未办结，此后导入的工单明细中没有它们：{m} 月超期、按期办结等数字可能不准，"
                       f"请导入含 {first:%Y-%m-%d} 起受理的工单、{month + 1} 以后导出的工单明细")
    return out


def letter_gaps(imports: pd.DataFrame, month: pd.Period) -> list[str]:
    """What the store lacks of letters for ``month`` (nothing when no letters were imported: the
    bulletin then leaves the mailbox out): spans of 收信时间 over the month and the previous one
    (环比), and the letters' own cut-off past the month's end."""
    letters = imports.loc[imports["kind"] == "letters"]
    if not len(letters):
        return []
    m, previous = month.month, month - 1
    warnings: list[str] = []
    got = _covered_days(letters[["span_start", "span_end"]].itertuples(index=False))
    for gap_month, part in _missing_by_month(month.start_time.date(), month.end_time.date(), got):
        warnings.append(f"未导入 {gap_month} 收到的信件{part}：{m} 月信件数可能不全")
    for gap_month, part in _missing_by_month(previous.start_time.date(), previous.end_time.date(), got):
        warnings.append(f"未导入 {gap_month} 收到的信件{part}：{m} 月信件的环比可能不准")
    return warnings + _cutoff_gap(imports, month, "letters")


def coverage_gaps(imports: pd.DataFrame, month: pd.Period, settings: CoverageSettings) -> list[str]:
    """Warnings naming what the store lacks for ``month`` (empty when complete): the orders'
    (:func:`order_gaps`), then the letters' (:func:`letter_gaps`), each kind checked on its own.

    ``imports`` has one row per imported file: kind, cutoff, span_start, span_end.
    """
    return order_gaps(imports, month, settings) + letter_gaps(imports, month)
