"""同比: the month's totals and categories against the same month a year earlier (docs/metrics.md).

Only when the store covers that month (its orders imported, nothing missing); otherwise no
comparison, and the reason for 数据说明.
"""

from __future__ import annotations

import pandas as pd

from ..metrics import in_month, parse_month

COLUMNS = ["item", "kind", "current", "previous", "change", "change_rate"]


def year_ago(month) -> pd.Period:
    return parse_month(month) - 12


def compare(orders: pd.DataFrame, letters: pd.DataFrame | None, month, other, scheme) -> pd.DataFrame:
    """Totals (热线诉求总量, 派单工单, 直接办结, 群众来信 when letters are given) and each 事件分类 of
    ``month`` against ``other``: the periods' comparison (:func:`pyhotline.period.comparison`, one
    definition for 同比 of a month, a quarter or a year)."""
    from ..period import comparison

    return comparison(orders, letters, parse_month(month), parse_month(other), scheme)[COLUMNS]


def year_over_year(orders, letters, month, scheme, gaps: list[str] | None = None
                   ) -> tuple[pd.DataFrame | None, str | None]:
    """(table, None) when the month a year earlier is in the data and ``gaps`` (what the store lacks
    for it, :func:`pyhotline.store.month_coverage`) is empty; otherwise (None, the reason)."""
    month = parse_month(month)
    other = year_ago(month)
    from . import _note

    if not in_month(orders["accepted_at"], other).any():  # 数据说明 ([series_wording] note_no_year_ago)
        return None, _note(scheme, "note_no_year_ago", year=other.year, month=other.month, period=other)
    if gaps:
        return None, _note(scheme, "note_year_ago_gaps", period=other, gaps="；".join(gaps))
    return compare(orders, letters, month, other, scheme), None
