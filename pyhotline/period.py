"""Quarterly and annual reports: the monthly metrics over a period (docs/metrics.md, "Periods").

A period is a :class:`pandas.Period` of frequency month (``2024-05``), quarter (``2024Q2``) or
year (``2024``). Its evaluation table is computed from the period's summed monthly counts
(:func:`pyhotline.metrics.unit_counts` month by month, added up) with the rates and 综合指标值
recomputed by the monthly code, or, when the scheme says ``[period] composite = "mean"``, with
综合指标值 the mean of the unit's monthly values. Every other section (totals, categories, overdue,
violations, mailbox) is the monthly metric applied to the whole period.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from . import metrics, ranking
from .errors import MonthError, SchemeError
from .numbers import pct, percent, quantize
from .report import Dataset, MonthlyReport, monthly_report
from .scheme import Scheme, load_scheme

COMPOSITE_MODES = ("summed", "mean")
_QUARTERS = "一二三四"


# ---------------------------------------------------------------- periods
def parse_period(text: str | pd.Period) -> pd.Period:
    """``"2024-05"`` (month), ``"2024Q2"`` (quarter) or ``"2024"`` (year) as a :class:`pandas.Period`."""
    if isinstance(text, pd.Period):
        if text.freqstr in ("Q-DEC", "Y-DEC", "A-DEC"):
            return text
        return text.asfreq("M")
    value = str(text).strip()
    if re.fullmatch(r"\d{4}[Qq][1-4]", value):
        metrics.check_year(int(value[:4]), text)
        return pd.Period(value.upper(), freq="Q")
    if re.fullmatch(r"\d{4}", value):
        metrics.check_year(int(value), text)
        return pd.Period(value, freq="Y")
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return metrics.parse_month(value)
    raise MonthError(f"期间“{text}”格式不对：月份写成 YYYY-MM（如 2024-05），季度写成 YYYYQn（如 2024Q2），年度写成 YYYY（如 2024）")


def kind(period: pd.Period) -> str:
    """``"month"``, ``"quarter"`` or ``"year"``."""
    return {"M": "month", "Q": "quarter"}.get(period.freqstr[0], "year")


def months_of(period: pd.Period) -> list[pd.Period]:
    """The months of the period, in order."""
    return list(pd.period_range(period.asfreq("M", "s"), period.asfreq("M", "e"), freq="M"))


def period_name(period: pd.Period) -> str:
    """How the bulletin names the period in running text: 5月份, 第二季度, 全年."""
    return {"month": f"{period.month}月份", "quarter": f"第{_QUARTERS[period.quarter - 1]}季度"}.get(kind(period), "全年")


def period_title(period: pd.Period) -> str:
    """The period with its year, as titles write it: 2024年5月份, 2024年第二季度, 2024年度."""
    return f"{period.year}年度" if kind(period) == "year" else f"{period.year}年{period_name(period)}"


def period_caption(period: pd.Period) -> str:
    """The period as chart captions write it: 2024年5月, 2024年第二季度, 2024年."""
    return {"month": f"{period.year}年{period.month}月", "year": f"{period.year}年"}.get(kind(period), period_title(period))


def year_earlier(period: pd.Period) -> pd.Period:
    return period - {"month": 12, "quarter": 4}.get(kind(period), 1)


def _settings(scheme: Scheme) -> dict:
    table = (getattr(scheme, "raw", {}) or {}).get("period", {})
    if not isinstance(table, dict):
        raise SchemeError("period 应为一张表（[period]）", path=scheme.path)
    from .scheme_keys import check_table

    check_table("period", table, scheme.path)  # also for a scheme made with dataclasses.replace
    return table


def composite_mode(scheme: Scheme) -> str:
    """The scheme's ``[period] composite`` ("summed" by default), validated."""
    mode = _settings(scheme).get("composite", "summed")
    if mode not in COMPOSITE_MODES:
        raise SchemeError(f"period.composite 应为 \"summed\"（由期间合计数重算）或 \"mean\"（各月综合指标值的平均），给出的是“{mode}”",
                          path=scheme.path)
    return mode


def trend_months(scheme: Scheme) -> int:
    """The scheme's ``[period] trend_months``: how many months the monthly bulletin's trend shows (6 to 12, default 12)."""
    months = _settings(scheme).get("trend_months", 12)
    if isinstance(months, bool) or not isinstance(months, int) or not 6 <= months <= 12:
        raise SchemeError(f"period.trend_months 应为 6 到 12 之间的整数（月），给出的是“{months}”", path=scheme.path)
    return months


# ---------------------------------------------------------------- the period's table
def period_counts(orders: pd.DataFrame, period: pd.Period, scheme: Scheme) -> pd.DataFrame:
    """Per unit, the monthly counts of :func:`~pyhotline.metrics.unit_counts` summed over the period."""
    tables = [metrics.unit_counts(orders, m, scheme) for m in months_of(period)]
    total = pd.concat(tables).groupby(level="unit").sum()
    return total.reindex(columns=metrics.COUNT_COLUMNS, fill_value=0).astype("int64")


def period_evaluation(orders: pd.DataFrame, registry, period: pd.Period, scheme: Scheme) -> pd.DataFrame:
    """The period's evaluation table: counts summed over its months, rates recomputed from them
    (the scheme's rounding); 综合指标值 recomputed from those rates ("summed") or the mean of the
    unit's monthly 综合指标值 over the months it was rated in ("mean"), grade from that value."""
    table = metrics.evaluation_from_counts(period_counts(orders, period, scheme), registry, scheme)
    if composite_mode(scheme) == "summed" or table.empty:
        return table
    monthly = [metrics.evaluation(orders, registry, m, scheme) for m in months_of(period)]
    values: dict[str, list[Decimal]] = {}
    for frame in monthly:
        for unit, value in zip(frame["unit"], frame["composite"]):
            if value is not None and not pd.isna(value):
                values.setdefault(unit, []).append(value)
    mean = {u: quantize(sum(v, Decimal(0)) / len(v), scheme.composite_decimals, scheme.rounding_mode) for u, v in values.items()}
    composite = [mean.get(u) for u in table["unit"]]
    grade = [None if v is None else scheme.grade_for(v).name for v in composite]
    table = table.assign(composite=pd.Series(composite, index=table.index, dtype=object),
                         grade=pd.Series(grade, index=table.index, dtype=object))
    return ranking.sort_evaluation(table, scheme)


# ---------------------------------------------------------------- series and comparisons
SERIES_COLUMNS = ["month", "requests", "work_orders", "due", "on_time", "on_time_rate", "visited", "dissatisfied",
                  "dissatisfaction_rate"]


def series_row(month: pd.Period, totals: dict[str, int], table: pd.DataFrame, scheme: Scheme) -> dict:
    """One month of :func:`monthly_series` from its totals (:func:`~pyhotline.metrics.totals`) and its
    evaluation table, however computed (pandas here, DuckDB for a large store: :func:`pyhotline.trends.store_series`)."""
    sums = {c: int(table[c].sum()) if len(table) else 0 for c in ("due", "on_time", "visited", "dissatisfied")}
    return {
        "month": month, "requests": totals["requests"], "work_orders": totals["work_orders"], **sums,
        "on_time_rate": percent(sums["on_time"], sums["due"], scheme.rate_decimals, scheme.rounding_mode) if sums["due"] else None,
        "dissatisfaction_rate": (percent(sums["dissatisfied"], sums["visited"], scheme.rate_decimals, scheme.rounding_mode)
                                 if sums["visited"] else None),
    }


def monthly_series(orders: pd.DataFrame, registry, months: list[pd.Period], scheme: Scheme) -> pd.DataFrame:
    """One row per month: requests, work_orders (受理), due, on_time, on_time_rate, visited,
    dissatisfied, dissatisfaction_rate over the assessed units of that month's evaluation table."""
    rows = [series_row(m, metrics.totals(orders, m), metrics.evaluation(orders, registry, m, scheme), scheme) for m in months]
    return pd.DataFrame(rows, columns=SERIES_COLUMNS)


def group_series(orders: pd.DataFrame, registry, months: list[pd.Period], scheme: Scheme) -> pd.DataFrame:
    """Per month and 单位类型: the group's 综合指标值, computed by the monthly formula from the
    group's summed counts (its assessed units). Columns: month, group, due, composite."""
    rows = []
    for month in months:
        table = metrics.evaluation(orders, registry, month, scheme)
        for group in scheme.appendix_groups:
            part = table.loc[table["group"] == group]
            counts = pd.Series({c: int(part[c].sum()) if len(part) else 0 for c in metrics.COUNT_COLUMNS})
            composite = ranking.score(counts, scheme)["composite"] if counts["due"] else None
            rows.append({"month": month, "group": group, "due": int(counts["due"]), "composite": composite})
    return pd.DataFrame(rows, columns=["month", "group", "due", "composite"])


def comparison(orders: pd.DataFrame, letters, period: pd.Period, other: pd.Period, scheme: Scheme) -> pd.DataFrame:
    """Totals and categories of ``period`` against ``other``: item, kind (总量/事件分类), current,
    previous, change, change_rate (% of previous, the scheme's rounding; None when previous is 0)."""
    now, before = metrics.totals(orders, period), metrics.totals(orders, other)
    names = {"requests": "热线诉求总量", "work_orders": "派单工单", "direct": "直接办结"}
    rows = [{"item": label, "kind": "总量", "current": now[k], "previous": before[k]} for k, label in names.items()]
    if letters is not None:
        rows.append({"item": "群众来信", "kind": "总量", "current": int(metrics.in_month(letters["received_at"], period).sum()),
                     "previous": int(metrics.in_month(letters["received_at"], other).sum())})
    cur = orders.loc[metrics.in_month(orders["accepted_at"], period)].groupby("category").size()
    prev = orders.loc[metrics.in_month(orders["accepted_at"], other)].groupby("category").size()
    for cat in cur.add(prev, fill_value=0).sort_values(ascending=False, kind="stable").index:
        rows.append({"item": cat, "kind": "事件分类", "current": int(cur.get(cat, 0)), "previous": int(prev.get(cat, 0))})
    table = pd.DataFrame(rows)
    return table.assign(
        change=table["current"] - table["previous"],
        change_rate=[percent(c - p, p, scheme.rate_decimals, scheme.rounding_mode) if p else None
                     for c, p in zip(table["current"], table["previous"])],
    )


# ---------------------------------------------------------------- the report
@dataclass(frozen=True)
class PeriodDataset(Dataset):
    """A :class:`Dataset` for a period: also which months the store holds completely (``covered``)."""

    covered: tuple[pd.Period, ...] = ()


@dataclass(frozen=True)
class PeriodReport(MonthlyReport):
    """A quarter's or a year's report: every monthly section over the period, plus its months'
    series and the comparisons with the previous period and the same period a year earlier."""

    series: pd.DataFrame | None = None
    groups: pd.DataFrame | None = None
    previous: pd.DataFrame | None = None
    year_ago: pd.DataFrame | None = None
    left_out: tuple[str, ...] = ()  # why a comparison is missing (数据说明)
    composite_mode: str = "summed"

    def figures_extra(self) -> dict:
        """The period's own figures for figures.json (docs/figures.md, ``period``)."""
        from .trends import series_rows

        out = {"kind": kind(self.month), "months": [str(m) for m in months_of(self.month)],
               "composite": self.composite_mode, "by_month": series_rows(self.series, keep_zeros=self.scheme.keep_trailing_zeros),
               "group_composites": [{"month": str(r.month), "group": r.group, "due": int(r.due),
                                     "composite": None if r.composite is None else str(r.composite)}
                                    for r in self.groups.itertuples(index=False)]}
        for key, table in (("previous_period", self.previous), ("same_period_last_year", self.year_ago)):
            out[key] = None if table is None else [
                {"item": r.item, "kind": r.kind, "current": int(r.current), "previous": int(r.previous),
                 "change": int(r.change), "change_rate": None if r.change_rate is None
                 else pct(r.change_rate, keep_zeros=self.scheme.keep_trailing_zeros)}
                for r in table.itertuples(index=False)]
        return {"period": out}


def period_report(period, data: Dataset, scheme: Scheme | str | None = None) -> MonthlyReport:
    """The report of a month (:func:`~pyhotline.report.monthly_report`), a quarter or a year."""
    period = parse_period(period)
    scheme = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
    if kind(period) == "month":
        return monthly_report(period, data, scheme)
    base = monthly_report(period, data, scheme)
    table = period_evaluation(data.orders, data.registry, period, scheme)
    months = months_of(period)
    covered = set(getattr(data, "covered", ()) or ())
    compared, left_out = {}, []
    labels = {"previous": scheme.words("previous_period"), "year_ago": scheme.words("year_ago_period")}
    for key, other in (("previous", period - 1), ("year_ago", year_earlier(period))):
        if key == "year_ago" and kind(period) == "year":
            continue  # a year's previous period is the year before
        missing = [m for m in months_of(other) if m not in covered]
        if missing:
            listed = "、".join(str(m) for m in missing[:3])
            left_out.append(scheme.words("period_incomplete" if len(missing) <= 3 else "period_incomplete_more",
                                         other=labels[key], period=other, months=listed))
            continue
        compared[key] = comparison(data.orders, data.letters, period, other, scheme)
    from .series import period_series

    ranks = ranking.rank(table, scheme, period)  # the same ranking step as a month's, the period's min_orders
    series_parts = period_series(period, data, scheme, table, ranks, previous=compared.get("previous"),
                                 year_ago=compared.get("year_ago"))
    notes = [*left_out, *(series_parts.notes if series_parts is not None else ())]
    quality = list(base.quality)
    if notes and quality:  # 数据说明 says why a comparison is missing (copies: the data's records stay as read)
        i = max((i for i, q in enumerate(quality) if q.kind == "工单明细"), default=len(quality) - 1)
        quality[i] = dataclasses.replace(quality[i], warnings=[*quality[i].warnings, *notes])
    return PeriodReport(
        **{f.name: getattr(base, f.name) for f in dataclasses.fields(MonthlyReport)} | {
            "quality": tuple(quality),
            "evaluation": table,
            "volume_top": ranking.volume_ranking(table, scheme),
            "composite_top": ranks.top,
            "graded": ranking.graded_units(table, scheme),
            "deductions": ranking.deductions(table, base.overdue, scheme),
            "month_over_month": None,  # its text says 较上月: the period's comparisons are their own section
            "series_parts": series_parts,
        },
        series=monthly_series(data.orders, data.registry, months, scheme).assign(
            complete=[m in covered for m in months]),  # hatched in the chart when the store lacks part of it
        groups=group_series(data.orders, data.registry, months, scheme),
        previous=compared.get("previous"), year_ago=compared.get("year_ago"),
        left_out=tuple(left_out), composite_mode=composite_mode(scheme),
    )
