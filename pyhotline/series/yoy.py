"""同比: the month's totals and categories against the same month a year earlier (docs/metrics.md).

Only when the store covers that month (its orders imported, nothing missing); otherwise no
comparison, and the reason for 数据说明.
"""

from __future__ import annotations

import pandas as pd

from ..metrics import in_month, parse_month, totals
from ..numbers import percent

COLUMNS = ["item", "kind", "current", "previous", "change", "change_rate"]


def year_ago(month) -> pd.Period:
    return parse_month(month) - 12


def compare(orders: pd.DataFrame, letters: pd.DataFrame | None, month, other, scheme) -> pd.DataFrame:
    """Totals (热线诉求总量, 派单工单, 直接办结, 群众来信 when letters are given) and each 事件分类 of
    ``month`` against ``other``: current, previous, change, change_rate (% of previous, the scheme's
    rounding; None when previous is 0). Categories by their combined count, descending."""
    month, other = parse_month(month), parse_month(other)
    now, before = totals(orders, month), totals(orders, other)
    names = {"requests": "热线诉求总量", "work_orders": "派单工单", "direct": "直接办结"}
    rows = [{"item": label, "kind": "总量", "current": now[k], "previous": before[k]} for k, label in names.items()]
    if letters is not None:
        rows.append({"item": "群众来信", "kind": "总量", "current": int(in_month(letters["received_at"], month).sum()),
                     "previous": int(in_month(letters["received_at"], other).sum())})
    cur = orders.loc[in_month(orders["accepted_at"], month)].groupby("category").size()
    prev = orders.loc[in_month(orders["accepted_at"], other)].groupby("category").size()
    both = cur.add(prev, fill_value=0).reset_index(name="n").sort_values(["n", "category"], ascending=[False, True])
    for cat in both["category"]:
        rows.append({"item": cat, "kind": "事件分类", "current": int(cur.get(cat, 0)), "previous": int(prev.get(cat, 0))})
    table = pd.DataFrame(rows)
    table["change"] = table["current"] - table["previous"]
    table["change_rate"] = [percent(c - p, p, scheme.rate_decimals, scheme.rounding_mode) if p else None
                            for c, p in zip(table["current"], table["previous"])]
    return table[COLUMNS]


def year_over_year(orders, letters, month, scheme, gaps: list[str] | None = None
                   ) -> tuple[pd.DataFrame | None, str | None]:
    """(table, None) when the month a year earlier is in the data and ``gaps`` (what the store lacks
    for it, :func:`pyhotline.store.month_coverage`) is empty; otherwise (None, the reason)."""
    month = parse_month(month)
    other = year_ago(month)
    label = f"{other.year}年{other.month}月"
    if not in_month(orders["accepted_at"], other).any():
        return None, f"未导入 {other} 受理的工单，本月不作同比（与{label}比较）"
    if gaps:
        return None, f"{other} 的数据不全（{'；'.join(gaps)}），本月不作同比"
    return compare(orders, letters, month, other, scheme), None
