"""The explorer's periods and plain frames (:mod:`pyhotline.explore` re-exports them): a period as
months (:class:`Period`, :func:`parse_period`), runs of months, sorting a shown table, and the
pandas helpers on a :class:`~pyhotline.report.Dataset` (:func:`filter_orders`, :func:`order_table`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .errors import MonthError
from .io import ORDER_COLUMNS, normalize_text
from .metrics import in_month, parse_month
from .report import Dataset

ORDER_HEADERS = {c.name: c.header for c in ORDER_COLUMNS}


# ---------------------------------------------------------------- periods
@dataclass(frozen=True)
class Period:
    """A month, quarter, year or month range: ``start <= t < end``; ``months`` inclusive."""

    label: str
    months: tuple[pd.Period, ...]

    @property
    def start(self) -> pd.Timestamp:
        return self.months[0].start_time

    @property
    def end(self) -> pd.Timestamp:
        return (self.months[-1] + 1).start_time


def parse_period(text, known: list[pd.Period] | None = None) -> Period:
    """``2024-05``, ``2024Q2``, ``2024``, ``2024-03:2024-06``; None or 全部: every month ``known``."""
    if text is None or str(text).strip() in ("", "全部"):
        if not known:
            raise MonthError("数据中没有任何工单")
        return Period("全部", tuple(pd.period_range(known[0], known[-1], freq="M")))
    value = str(text).strip()
    if ":" in value:
        first, last = (parse_month(p) for p in value.split(":", 1))
        if last < first:
            raise MonthError(f"月份范围“{value}”的结束月份早于开始月份")
        return Period(value, tuple(pd.period_range(first, last, freq="M")))
    from .period import months_of, parse_period as parse_report_period  # the quarterly reports' own reading

    period = parse_report_period(value)
    return Period(str(period), tuple(months_of(period)))



def month_runs(months) -> list[list[pd.Period]]:
    """``months`` (sorted) in runs of consecutive months."""
    runs: list[list[pd.Period]] = []
    for m in sorted(set(months)):
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def month_label(key) -> str:
    """``year * 12 + month - 1`` (the scan's month key) as ``YYYY-MM``."""
    return f"{int(key) // 12:04d}-{int(key) % 12 + 1:02d}"


def sort_table(table: pd.DataFrame, sort_by: str | None, ascending: bool = False) -> pd.DataFrame:
    """``table`` sorted by one of its columns (None/unknown: as it is); missing values last."""
    if not sort_by or sort_by not in table.columns:
        return table.reset_index(drop=True)
    key = table[sort_by].map(lambda v: (v is None or v != v, v))  # (missing?, value): None/NaN sort last
    ordered = table.assign(_k=key.map(lambda k: k[0])).sort_values(
        ["_k", sort_by], ascending=[True, ascending], kind="stable", na_position="last")
    return ordered.drop(columns="_k").reset_index(drop=True)


# ---------------------------------------------------------------- the month's frames (pandas)
def filter_orders(data: Dataset, *, month: str | None = None, unit: str | None = None, category: str | None = None,
                  mode: str | None = None, basis: str = "accepted") -> pd.DataFrame:
    """Orders of a :class:`Dataset` matching every filter given (``basis``: 受理时间 or 办理时限)."""
    orders = data.orders
    mask = pd.Series(True, index=orders.index)
    if month:
        mask &= in_month(orders[{"accepted": "accepted_at", "due": "deadline"}[basis]], parse_month(month))
    if unit:
        mask &= orders["unit"] == data.registry.lookup.get(normalize_text(unit), unit)
    if category:
        mask &= orders["category"].str.contains(category, regex=False)
    if mode:
        mask &= orders["mode"] == mode
    return orders.loc[mask]


def order_table(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders with the documented Chinese headers, latest first, ready to display."""
    return (
        orders.assign(city_returned=orders["city_returned"].map({True: "是", False: "否"}))
        .sort_values("accepted_at", ascending=False)
        .rename(columns=ORDER_HEADERS)
        .reset_index(drop=True)
    )
