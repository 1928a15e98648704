"""Helpers for exploring the records in JupyterLab: filter, summarise, drill into orders.

Personal columns (来电人, 联系电话, 诉求内容 …) are never loaded by the readers,
so nothing here can show them.
"""

from __future__ import annotations

import pandas as pd

from .io import ORDER_COLUMNS, normalize_text
from .metrics import in_month, parse_month
from .report import Dataset

ORDER_HEADERS = {c.name: c.header for c in ORDER_COLUMNS}


def filter_orders(
    data: Dataset,
    *,
    month: str | None = None,
    unit: str | None = None,
    category: str | None = None,
    mode: str | None = None,
    basis: str = "accepted",
) -> pd.DataFrame:
    """Orders matching every filter given.

    ``month`` selects by 受理时间 (``basis="accepted"``) or 办理时限 (``"due"``);
    ``unit`` is a registry name or any 简称; ``category`` an exact 事件分类 or
    a part of one (``"市场"``).
    """
    orders = data.orders
    mask = pd.Series(True, index=orders.index)
    if month:
        column = {"accepted": "accepted_at", "due": "deadline"}[basis]
        mask &= in_month(orders[column], parse_month(month))
    if unit:
        name = data.registry.lookup.get(normalize_text(unit), unit)
        mask &= orders["unit"] == name
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


def unit_summary(orders: pd.DataFrame, data: Dataset) -> pd.DataFrame:
    """Per unit: orders, still open, overdue (among those with a deadline), reworked, dissatisfied."""
    dispatched = orders.loc[orders["mode"] == "派单"]
    late = ~(dispatched["closed_at"] <= dispatched["deadline"]) & dispatched["deadline"].notna()
    table = (
        dispatched.assign(
            still_open=dispatched["closed_at"].isna(),
            late=late,
            reworked=dispatched["reworks"] >= 1,
            dissatisfied=dispatched["visit"] == "不满意",
        )
        .groupby("unit")
        .agg(
            工单数=("order_id", "size"),
            未办结=("still_open", "sum"),
            超期=("late", "sum"),
            返工=("reworked", "sum"),
            不满意=("dissatisfied", "sum"),
        )
        .join(data.registry.info()[["group"]].rename(columns={"group": "单位类型"}))
        .sort_values("工单数", ascending=False)
    )
    table.index.name = "承办单位"
    return table


def category_by_month(data: Dataset) -> pd.DataFrame:
    """Requests per 事件分类 (rows) and month of 受理时间 (columns)."""
    orders = data.orders
    return (
        orders.assign(月份=orders["accepted_at"].dt.to_period("M").astype(str))
        .pivot_table(index="category", columns="月份", values="order_id", aggfunc="size", fill_value=0)
        .rename_axis(index="事件分类")
        .sort_values(by=orders["accepted_at"].max().to_period("M").strftime("%Y-%m"), ascending=False)
    )
