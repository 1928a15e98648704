"""Ranking rules (docs/metrics.md, 排名规则): a minimum volume to be ranked, ties shared or broken,
red and black lists (红榜、黑榜), and the indicator that cost a unit most.

All take the month's evaluation table (:func:`pyhotline.metrics.evaluation`), whose order within
a unit type is the appendix's: 综合指标值 descending, then the scheme's tie keys, then registry order.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from ..metrics import RATE_COLUMNS
from ..scheme import RATES

RANK_COLUMNS = ["group", "unit", "short", "position", "accepted", "due", "handled", "composite", "grade", "volume", "rank"]


def _volume(evaluation: pd.DataFrame, settings) -> pd.Series:
    return evaluation[settings.min_orders_basis].astype("int64")


def ranked(evaluation: pd.DataFrame, scheme, settings) -> pd.DataFrame:
    """The rated units that take part in the ranking (``volume`` ≥ ``ranking.min_orders``), per unit
    type in the appendix order, with ``rank`` within the type: 1, 2, 3 … when ties are broken by the
    appendix's keys (``ranking.ties = "break"``), or shared — 1, 2, 2, 4 — when equal 综合指标值 share
    the rank (``"share"``)."""
    rated = evaluation.loc[evaluation["composite"].notna()]
    rated = rated.assign(volume=_volume(rated, settings))
    eligible = rated.loc[rated["volume"] >= settings.min_orders]
    parts = []
    for group in scheme.narrative_groups:
        part = eligible.loc[eligible["group"] == group]
        if part.empty:
            continue
        if settings.ties == "share":
            scores = list(part["composite"])
            rank = [1 + sum(1 for s in scores if s > v) for v in scores]
        else:
            rank = list(range(1, len(part) + 1))
        parts.append(part.assign(rank=rank))
    if not parts:
        return pd.DataFrame(columns=RANK_COLUMNS)
    return pd.concat(parts, ignore_index=True)[RANK_COLUMNS]


def too_few(evaluation: pd.DataFrame, scheme, settings) -> pd.DataFrame:
    """Rated units below ``ranking.min_orders`` (listed apart: 工单量不足 N 件，不参与排名), in the
    narrative group order, then registry order. Empty when the rule is off."""
    if settings.min_orders <= 0:
        return pd.DataFrame(columns=["group", "unit", "short", "volume"])
    rated = evaluation.loc[evaluation["composite"].notna()]
    rated = rated.assign(volume=_volume(rated, settings))
    low = rated.loc[rated["volume"] < settings.min_orders]
    order = {g: i for i, g in enumerate(scheme.narrative_groups)}
    return (low.assign(_g=low["group"].map(order)).sort_values(["_g", "position"], kind="stable")
            [["group", "unit", "short", "volume"]].reset_index(drop=True))


def red_list(table: pd.DataFrame, settings) -> pd.DataFrame:
    """The top ``ranking.red_list`` units of each unit type from :func:`ranked`; with shared ranks,
    every unit tied with the last place is in (相同分数排名不分先后)."""
    if settings.red_list <= 0:
        return table.iloc[0:0]
    return table.loc[table["rank"] <= settings.red_list].reset_index(drop=True)


def _bottom(part: pd.DataFrame, n: int, ties: str) -> pd.DataFrame:
    worst_first = part.iloc[::-1]
    if ties == "share":
        scores = list(worst_first["composite"])
        place = [1 + sum(1 for s in scores if s < v) for v in scores]
        return worst_first.assign(bottom_rank=place).loc[lambda d: d["bottom_rank"] <= n]
    return worst_first.head(n).assign(bottom_rank=range(1, min(n, len(worst_first)) + 1))


def black_list(table: pd.DataFrame, scheme, settings) -> pd.DataFrame:
    """The bottom ``ranking.black_list`` units, worst first: per unit type, or over all of them
    (``ranking.black_list_scope = "overall"``, ordered by 综合指标值, the scheme's tie keys, registry
    order). ``bottom_rank`` is 1 for the lowest; with shared ranks every unit tied with the cut is in.
    With ``ranking.costliest_indicator``, the indicator that cost each unit most (:func:`costliest`)."""
    n = settings.black_list
    if n <= 0 or table.empty:
        return table.iloc[0:0].assign(bottom_rank=pd.Series(dtype="int64"))
    if settings.black_list_scope == "overall":
        ties = [{"受理案件数": "accepted", "应办理数": "due", "办理数": "handled"}[t] for t in scheme.composite_ties]
        extra = table.columns.intersection(ties)
        ordered = table.sort_values(["composite", *extra, "position"],
                                    ascending=[False, *([False] * len(extra)), True], kind="stable")
        out = _bottom(ordered, n, settings.ties)
    else:
        out = pd.concat([_bottom(table.loc[table["group"] == g], n, settings.ties)
                         for g in scheme.narrative_groups if (table["group"] == g).any()])
    return out.reset_index(drop=True)


def costliest(evaluation_row, scheme) -> tuple[str, Decimal, Decimal]:
    """The indicator that cost a unit most points of 综合指标值: (name, its rate, points lost), where
    points lost = weight × (100 − rate) for 办结率 and 按期办结率, weight × rate for 返工率 and
    回访不满意率 (exact decimals). The first in the appendix's order wins a tie."""
    best = None
    for rate, positive in RATES.items():
        weight = scheme.weights[rate]
        if not weight:
            continue
        value = evaluation_row[RATE_COLUMNS[rate][0]]
        lost = weight * ((Decimal(100) - value) if positive else value)
        if best is None or lost > best[2]:
            best = (rate, value, lost)
    return best


def with_costliest(table: pd.DataFrame, evaluation: pd.DataFrame, scheme) -> pd.DataFrame:
    """``table`` (units of the evaluation) with ``indicator``, ``indicator_rate``, ``indicator_points``."""
    rows = evaluation.set_index("unit")
    found = [costliest(rows.loc[u], scheme) for u in table["unit"]]
    return table.assign(indicator=[f[0] for f in found], indicator_rate=[f[1] for f in found],
                        indicator_points=[f[2] for f in found])
