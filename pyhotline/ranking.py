"""Grades and rankings of an evaluation table — a month's, a quarter's or a year's (docs/metrics.md).

- scoring: :func:`score` turns one unit's counts into its four rates, 综合指标值 and grade;
  :func:`sort_evaluation` puts a table in the appendix's order (the scheme's tie keys, :func:`tie_columns`);
- the bulletin's lists: :func:`volume_ranking`, :func:`composite_ranking`, :func:`graded_units`,
  :func:`deductions`;
- the scheme's ranking rules (排名规则): :func:`ranked` (``ranking.min_orders``, ties shared or
  broken), :func:`too_few`, :func:`red_list`, :func:`black_list`, :func:`costliest`;
- :func:`rank`: the one ranking step every report takes (month, quarter, year), giving the
  bulletin's 综合指标值排名 and, when the scheme turns the rules on, the ranking parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from .numbers import percent, quantize
from .scheme import RATES, Scheme

RATE_COLUMNS = {
    "办结率": ("completion_rate", "handled", "due"),
    "按期办结率": ("on_time_rate", "on_time", "due"),
    "返工率": ("rework_rate", "reworked", "due"),
    "回访不满意率": ("dissatisfaction_rate", "dissatisfied", "visited"),
}
TIE_COLUMNS = {"受理案件数": "accepted", "应办理数": "due", "办理数": "handled"}
RANK_COLUMNS = ["group", "unit", "short", "position", "accepted", "due", "handled", "composite", "grade", "volume", "rank"]


# ---------------------------------------------------------------- scoring
def score(counts: pd.Series, scheme: Scheme) -> pd.Series:
    """One unit's (or group's) counts -> completion_rate, on_time_rate, rework_rate,
    dissatisfaction_rate, composite (Decimals, the scheme's rounding; 综合指标值 from the rounded
    rates) and grade; all None when nothing was due."""
    out: dict[str, object] = {}
    evaluated = counts["due"] > 0
    for name, num, den in RATE_COLUMNS.values():
        out[name] = percent(counts[num], counts[den], scheme.rate_decimals, scheme.rounding_mode) if evaluated else None
    if evaluated:
        total = Decimal(0)
        for rate, positive in RATES.items():
            value = out[RATE_COLUMNS[rate][0]]
            total += scheme.weights[rate] * (value if positive else Decimal(100) - value)
        composite = quantize(total, scheme.composite_decimals, scheme.rounding_mode)
        out["composite"], out["grade"] = composite, scheme.grade_for(composite).name
    else:
        out["composite"] = out["grade"] = None
    return pd.Series(out)


def tie_columns(scheme: Scheme) -> list[str]:
    """The columns of the scheme's ``ranking.composite_ties`` (受理案件数 -> accepted, …)."""
    return [TIE_COLUMNS[t] for t in scheme.composite_ties]


def sort_evaluation(table: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """The appendix's order: the scheme's appendix group order, rated units first, 综合指标值
    descending, the scheme's tie keys descending, registry order."""
    ties = tie_columns(scheme)
    return (
        table.assign(
            _g=table["group"].map({g: i for i, g in enumerate(scheme.appendix_groups)}),
            _unrated=table["composite"].isna(),
            _s=table["composite"].map(lambda v: Decimal(-1) if v is None else v),
        )
        .sort_values(["_g", "_unrated", "_s", *ties, "position"],
                     ascending=[True, True, False, *([False] * len(ties)), True], kind="stable")
        .drop(columns=["_g", "_unrated", "_s"])
        .reset_index(drop=True)
    )


# ---------------------------------------------------------------- the bulletin's lists
def volume_ranking(evaluation: pd.DataFrame, scheme: Scheme, top: int | None = None) -> pd.DataFrame:
    """Units by 受理案件数 descending within each group (registry order on ties)."""
    top = scheme.top_n if top is None else top
    return (
        evaluation.assign(g=evaluation["group"].map({g: i for i, g in enumerate(scheme.narrative_groups)}))
        .sort_values(["g", "accepted", "position"], ascending=[True, False, True], kind="stable")
        .groupby("group", sort=False)
        .head(top)
        .drop(columns="g")
        .reset_index(drop=True)
    )


def composite_ranking(evaluation: pd.DataFrame, scheme: Scheme, top: int | None = None) -> pd.DataFrame:
    """Units by 综合指标值 within each group, in the appendix's order (ties by the scheme)."""
    top = scheme.top_n if top is None else top
    rated = evaluation.loc[evaluation["composite"].notna()]
    return (
        rated.assign(g=rated["group"].map({g: i for i, g in enumerate(scheme.narrative_groups)}))
        .sort_values("g", kind="stable")
        .groupby("group", sort=False)
        .head(top)
        .drop(columns="g")
        .reset_index(drop=True)
    )


def graded_units(evaluation: pd.DataFrame, scheme: Scheme) -> dict[str, list[str]]:
    """Short names of the units per grade that carries a deduction (B, C, D ...).

    Within a grade: the appendix group order, then registry order.
    """
    out: dict[str, list[str]] = {}
    for grade in scheme.grades:
        if grade.deduction == 0:
            continue
        rows = evaluation.loc[evaluation["grade"] == grade.name]
        rows = rows.assign(g=rows["group"].map({g: i for i, g in enumerate(scheme.appendix_groups)}))
        out[grade.name] = rows.sort_values(["g", "position"], kind="stable")["short"].tolist()
    return out


def deductions(evaluation: pd.DataFrame, overdue_table: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Points deducted per unit: unjustified overdue orders and the grade.

    Columns: label, unjustified, overdue_points, grade, grade_points, total (Decimals).
    Units with nothing deducted are left out.
    """
    grades = evaluation.set_index("short")["grade"]
    assessed = overdue_table.loc[overdue_table["assessed"]] if len(overdue_table) else overdue_table
    unjustified = assessed.set_index("label")["unjustified"] if len(assessed) else pd.Series(dtype="int64")
    labels = list(dict.fromkeys([*evaluation["short"], *unjustified.index]))
    rows = []
    for label in labels:
        n = int(unjustified.get(label, 0))
        grade = grades.get(label)
        overdue_points = scheme.unjustified_overdue_points * n
        grade_points = scheme.deduction_for(grade) if grade else Decimal(0)
        if overdue_points or grade_points:
            rows.append({"label": label, "unjustified": n, "overdue_points": overdue_points, "grade": grade,
                         "grade_points": grade_points, "total": overdue_points + grade_points})
    return pd.DataFrame(rows, columns=["label", "unjustified", "overdue_points", "grade", "grade_points", "total"])


# ---------------------------------------------------------------- the ranking rules (排名规则)
def _volume(evaluation: pd.DataFrame, settings) -> pd.Series:
    return evaluation[settings.min_orders_basis].astype("int64")


def ranked(evaluation: pd.DataFrame, scheme: Scheme, settings) -> pd.DataFrame:
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
            rank_ = [1 + sum(1 for s in scores if s > v) for v in scores]
        else:
            rank_ = list(range(1, len(part) + 1))
        parts.append(part.assign(rank=rank_))
    if not parts:
        return pd.DataFrame(columns=RANK_COLUMNS)
    return pd.concat(parts, ignore_index=True)[RANK_COLUMNS]


def too_few(evaluation: pd.DataFrame, scheme: Scheme, settings) -> pd.DataFrame:
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


def black_list(table: pd.DataFrame, scheme: Scheme, settings) -> pd.DataFrame:
    """The bottom ``ranking.black_list`` units, worst first: per unit type, or over all of them
    (``ranking.black_list_scope = "overall"``, ordered by 综合指标值, the scheme's tie keys, registry
    order). ``bottom_rank`` is 1 for the lowest; with shared ranks every unit tied with the cut is in.
    A unit on the 红榜 (:func:`red_list`) is never on the 黑榜: in a unit type with fewer units than both lists
    together the 黑榜 takes only the others (a unit is not praised and criticised in one bulletin)."""
    n = settings.black_list
    table = table.loc[~table["unit"].isin(red_list(table, settings)["unit"])]
    if n <= 0 or table.empty:
        return table.iloc[0:0].assign(bottom_rank=pd.Series(dtype="int64"))
    if settings.black_list_scope == "overall":
        extra = table.columns.intersection(tie_columns(scheme))
        ordered = table.sort_values(["composite", *extra, "position"],
                                    ascending=[False, *([False] * len(extra)), True], kind="stable")
        out = _bottom(ordered, n, settings.ties)
    else:
        out = pd.concat([_bottom(table.loc[table["group"] == g], n, settings.ties)
                         for g in scheme.narrative_groups if (table["group"] == g).any()])
    return out.reset_index(drop=True)


def costliest(evaluation_row, scheme: Scheme) -> tuple[str, Decimal, Decimal]:
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


def with_costliest(table: pd.DataFrame, evaluation: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """``table`` (units of the evaluation) with ``indicator``, ``indicator_rate``, ``indicator_points``."""
    rows = evaluation.set_index("unit")
    found = [costliest(rows.loc[u], scheme) for u in table["unit"]]
    return table.assign(indicator=[f[0] for f in found], indicator_rate=[f[1] for f in found],
                        indicator_points=[f[2] for f in found])


# ---------------------------------------------------------------- the one ranking step
@dataclass(frozen=True)
class Ranking:
    """What a report says about ranks. ``top``: the 综合指标值排名前 N units the bulletin names
    (ranked units only, ties as the scheme says, when the rules are on). ``ranked``, ``too_few``,
    ``red_list``, ``black_list``: the rules' tables, None when the rule is off. ``settings``: the
    series settings in force for this kind of period (its ``min_orders``)."""

    settings: object
    top: pd.DataFrame
    ranked: pd.DataFrame | None = None
    too_few: pd.DataFrame | None = None
    red_list: pd.DataFrame | None = None
    black_list: pd.DataFrame | None = None

    @property
    def rules_on(self) -> bool:
        return self.ranked is not None


def rank(evaluation: pd.DataFrame, scheme: Scheme, period: pd.Period | str = "M") -> Ranking:
    """The ranking step of any evaluation table (a month's, a quarter's, a year's) under ``scheme``:
    the minimum volume (``ranking.min_orders``, or ``quarter_min_orders`` / ``year_min_orders`` for a
    quarter or a year), ties (``ranking.ties``), red and black lists and the costliest indicator.
    ``period`` is the table's period (or its frequency, "M", "Q", "Y")."""
    from .series.settings import series_settings

    freq = period if isinstance(period, str) else period.freqstr
    settings = series_settings(scheme).for_period(freq)
    rules = settings.min_orders or settings.ties == "share" or settings.red_list or settings.black_list
    if not rules:
        return Ranking(settings=settings, top=composite_ranking(evaluation, scheme))
    table = ranked(evaluation, scheme, settings)
    black = None
    if settings.black_list:
        black = black_list(table, scheme, settings)
        if settings.costliest_indicator:
            black = with_costliest(black, evaluation, scheme)
    return Ranking(
        settings=settings,
        top=table.loc[table["rank"] <= scheme.top_n].reset_index(drop=True),
        ranked=table,
        too_few=too_few(evaluation, scheme, settings),
        red_list=red_list(table, settings) if settings.red_list else None,
        black_list=black,
    )
