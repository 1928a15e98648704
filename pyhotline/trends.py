"""Trends over months: the data (computed here, from the monthly metrics) and the charts drawing it.

- :func:`trend_for` gives the monthly bulletin's trend: the last ``[period] trend_months`` (12)
  months the store holds up to the bulletin's month, each month's figures as
  :func:`pyhotline.period.monthly_series` defines them, counted in DuckDB on the store
  (:func:`store_series`: a year of a large store is never loaded into pandas), with ``current``
  marking the bulletin's month and ``complete`` saying whether the store holds the month
  completely (docs/metrics.md "Trends").
- :func:`trend_chart` and :func:`group_trend` draw such tables, shaped ``f(data, *, ax=None) -> Axes``.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from matplotlib.axes import Axes

from . import charts
from .numbers import pct
from .period import SERIES_COLUMNS, kind, parse_period, series_row, trend_months
from .period_load import month_complete, source_of
from .scheme import Scheme, load_scheme

ON_TIME = "#3C7F5B"  # green: 按期办结率
DISSATISFIED = charts.ALERT  # red: 回访不满意率


def trend_for(month, *, store=None, orders=None, units=None, letters=None, scheme=None, strict: bool = False,
              months: int | None = None, shared=None) -> pd.DataFrame | None:
    """The trend table of a month's bulletin (None for a quarter or a year: their report carries
    its months, :attr:`PeriodReport.series`). Columns: :func:`monthly_series`'s, ``current``, ``complete``.
    ``shared``: the file :func:`write_shared_trends` wrote for a range of months (the store read once for
    all of them, by the command); the month's table is taken from it, the same table as counted here."""
    period = parse_period(month)
    if kind(period) != "month":
        return None
    if shared is not None:
        return read_shared_trend(shared, period)
    scheme = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
    count = months or trend_months(scheme)

    def compute(source):
        from .explore import Explorer

        explorer = Explorer(source, scheme=scheme)  # one reading of the store: its months are store_months'
        try:
            return _trends(explorer, [period], count, scheme)[str(period)]
        finally:
            explorer.close()

    return source_of(compute, store=store, orders=orders, units=units, letters=letters, scheme=scheme, strict=strict)


def start_trend(month, **kwargs):
    """:func:`trend_for` (same arguments) counted in a thread; ``.result()`` gives its table or raises its
    error. The bulletin starts it once the month's rows are read: its counts run in DuckDB, which works
    without holding Python's lock, while the report is computed in pandas (1.3 s of a 10M store's month
    overlapped, on two cores)."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhotline-trend")
    try:
        return pool.submit(trend_for, month, **kwargs)
    finally:
        pool.shutdown(wait=False)  # the thread ends with its one task


def _trends(explorer, periods: list[pd.Period], count: int, scheme: Scheme) -> dict[str, pd.DataFrame]:
    """Each month's trend table, from one explorer: its import records (coverage) read once, the counts of
    every month any of them shows queried at once (a month's row is the same whichever bulletin shows it)."""
    from .store import coverage_settings

    imports, present = explorer.imports, explorer.months
    settings = coverage_settings(scheme)
    whole: dict[pd.Period, bool] = {}

    def accepted_whole(m):
        if m not in whole:
            whole[m] = m in present and _accepted_whole(imports, m, settings)
        return whole[m]

    wanted = {p: [m for m in pd.period_range(p - (count - 1), p, freq="M") if m == p or accepted_whole(m)]
              for p in periods}
    every = sorted(set().union(*wanted.values()))
    rows = _series_rows(explorer, every, scheme)
    tables = {}
    for p in periods:
        series = pd.DataFrame([rows[m] for m in wanted[p]], columns=SERIES_COLUMNS)
        tables[str(p)] = series.assign(current=series["month"] == p,
                                       complete=[month_complete(imports, present, m, settings) for m in series["month"]])
    return tables


def range_trends(store, periods, scheme: Scheme, months: int | None = None) -> dict[str, pd.DataFrame]:
    """:func:`trend_for` of each month of ``periods`` (quarters and years left out), the store read once:
    what a range of bulletins shares (:func:`write_shared_trends`)."""
    from .explore import Explorer

    periods = [p for p in (parse_period(p) for p in periods) if kind(p) == "month"]
    if not periods:
        return {}
    explorer = Explorer(store, scheme=scheme)
    try:
        return _trends(explorer, periods, months or trend_months(scheme), scheme)
    finally:
        explorer.close()


def write_shared_trends(path, tables: dict[str, pd.DataFrame]) -> None:
    """The tables of :func:`range_trends` as JSON (months and rates as text, so they read back exactly)."""
    import json
    from pathlib import Path

    def cell(value):
        if isinstance(value, pd.Period):
            return str(value)
        if isinstance(value, Decimal):
            return {"decimal": str(value)}
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return None
        return value.item() if hasattr(value, "item") else value

    out = {month: [{k: cell(v) for k, v in row.items()} for row in table.to_dict("records")]
           for month, table in tables.items()}
    Path(path).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")


def read_shared_trend(path, period: pd.Period) -> pd.DataFrame:
    """The month's table from :func:`write_shared_trends`'s file, as :func:`trend_for` computes it."""
    import json
    from pathlib import Path

    from .errors import PyhotlineError

    tables = json.loads(Path(path).read_text(encoding="utf-8"))
    if str(period) not in tables:
        raise PyhotlineError(f"趋势数据文件 {path} 中没有 {period}")

    def cell(key, value):
        if key == "month":
            return pd.Period(value, "M")
        if isinstance(value, dict):
            return Decimal(value["decimal"])
        return value

    rows = [{k: cell(k, v) for k, v in row.items() if k in SERIES_COLUMNS} for row in tables[str(period)]]
    series = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    complete = [bool(row["complete"]) for row in tables[str(period)]]
    return series.assign(current=series["month"] == period, complete=complete)


def store_series(store, months: list[pd.Period], scheme: Scheme) -> pd.DataFrame:
    """:func:`pyhotline.period.monthly_series` of ``months`` on a store (a path or an open connection),
    counted in DuckDB: each month's per-unit counts (:class:`pyhotline.explore.Explorer`, the bulletin's
    rules as SQL, the months queried at once), its evaluation table from them
    (:func:`~pyhotline.metrics.evaluation_from_counts`) and :func:`~pyhotline.period.series_row`."""
    from .explore import Explorer

    explorer = Explorer(store, scheme=scheme)
    try:
        return _series(explorer, months, scheme)
    finally:
        explorer.close()


def _series(explorer, months: list[pd.Period], scheme: Scheme) -> pd.DataFrame:
    rows = _series_rows(explorer, months, scheme)
    return pd.DataFrame([rows[m] for m in months], columns=SERIES_COLUMNS)


def _series_rows(explorer, months: list[pd.Period], scheme: Scheme) -> dict:
    """:func:`~pyhotline.period.series_row` of each month, the counts of their span queried at once."""
    if months:
        explorer.months_cube(pd.period_range(min(months), max(months), freq="M"))
    return {m: series_row(m, explorer.totals(m), explorer.evaluation(m), scheme) for m in months}


def _accepted_whole(imports, month: pd.Period, settings) -> bool:
    """The store holds every order accepted in the month (its own 受理 span imported whole)."""
    from .store.coverage import coverage_gaps

    return not any(g.startswith(f"未导入 {month} 受理的工单") for g in coverage_gaps(imports, month, settings))


def series_rows(series: pd.DataFrame | None, *, keep_zeros: bool = True) -> list[dict]:
    """A monthly series as figures.json writes it (rates as the bulletin prints them, "97.92%")."""
    if series is None:
        return []
    rows = []
    for r in series.to_dict("records"):
        row = {"month": str(r["month"])}
        for key in ("requests", "work_orders", "due", "on_time", "visited", "dissatisfied"):
            row[key] = int(r[key])
        for key in ("on_time_rate", "dissatisfaction_rate"):
            row[key] = None if r[key] is None or pd.isna(r[key]) else pct(r[key], keep_zeros=keep_zeros)
        for key in ("current", "complete"):
            if key in r:
                row[key] = bool(r[key])
        rows.append(row)
    return rows


def _label(month: pd.Period, first: bool) -> str:
    return f"{month.year}年{month.month}月" if first or month.month == 1 else f"{month.month}月"


def _rate(value) -> float:
    return float("nan") if value is None or pd.isna(value) else float(Decimal(value))


def trend_chart(series: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Bars of 热线诉求总量 per month (the ``current`` month dark and labelled 本月, months not
    ``complete`` hatched), lines of 按期办结率 and 回访不满意率 on a second axis (%)."""
    months = list(series["month"])
    labels = [_label(m, i == 0) for i, m in enumerate(months)]
    title = title or f"近{len(months)}个月热线诉求量、按期办结率和回访不满意率"
    charts.apply_style(title, *labels, "热线诉求总量按期办结率回访不满意率本月数据不全")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(charts.WIDTH, 3.8), layout="constrained")
    ax.set_title(title)
    if not months:
        return charts._no_data(ax, "没有可用的月份")
    x = list(range(len(months)))
    current = list(series["current"]) if "current" in series else [False] * len(x)
    complete = list(series["complete"]) if "complete" in series else [True] * len(x)
    bars = ax.bar(x, [int(n) for n in series["requests"]], color=[charts.PRIMARY if c else charts.SECONDARY for c in current],
                  label="热线诉求总量", width=0.6)
    for bar, ok in zip(bars, complete):
        if not ok:
            bar.set_hatch("///")
            bar.set_edgecolor("#777777")
    ax.bar_label(bars, labels=[str(int(n)) for n in series["requests"]], padding=2, fontsize=8)
    ax.set_xticks(x, labels)
    ax.set_ylabel("件数")
    ax.set_ylim(0, max(int(n) for n in series["requests"]) * 1.6 or 1)  # the rate lines run above the bars
    ax.grid(axis="x", visible=False)
    rates = ax.twinx()
    rates.plot(x, [_rate(v) for v in series["on_time_rate"]], marker="o", color=ON_TIME, label="按期办结率")
    rates.plot(x, [_rate(v) for v in series["dissatisfaction_rate"]], marker="s", color=DISSATISFIED, label="回访不满意率")
    rates.set_ylim(0, 105)
    rates.set_ylabel("%")
    rates.grid(visible=False)
    for i, now in enumerate(current):
        if now:
            ax.annotate("本月", (i, bars[i].get_height()), xytext=(0, 14), textcoords="offset points", ha="center",
                        fontsize=9, color=charts.PRIMARY, fontweight="bold")
    from matplotlib.patches import Patch

    # the bars' key is a plain swatch: drawn from the bars it would copy the first month's hatch (a month
    # with data missing) and say the hatch is 热线诉求总量; the hatch has its own key, 数据不全
    handles = [Patch(facecolor=charts.SECONDARY, label=bars.get_label()), *rates.get_lines()]
    if not all(complete):
        handles.append(Patch(facecolor="white", edgecolor="#777777", hatch="///", label="数据不全"))
    ax.legend(handles=handles, labels=[h.get_label() for h in handles], loc="upper center", bbox_to_anchor=(0.5, -0.1),
              fontsize=8, ncols=4, frameon=False)
    charts.plain_text(rates)
    return charts._done(ax)


def group_trend(groups: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """One line per 单位类型: its 综合指标值 month by month (:func:`pyhotline.period.group_series`)."""
    months = list(dict.fromkeys(groups["month"]))
    labels = [_label(m, i == 0) for i, m in enumerate(months)]
    names = list(dict.fromkeys(groups["group"]))
    title = title or "各类单位综合指标值逐月变化"
    charts.apply_style(title, *labels, *names)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(charts.WIDTH, 3.4), layout="constrained")
    ax.set_title(title)
    if not months:
        return charts._no_data(ax, "没有可用的月份")
    palette = [charts.PRIMARY, charts.ALERT, ON_TIME, "#D9A21B", "#8C8C8C"]
    position = {m: i for i, m in enumerate(months)}
    for i, name in enumerate(names):
        part = groups.loc[groups["group"] == name]
        ax.plot([position[m] for m in part["month"]], [_rate(v) for v in part["composite"]], marker="o",
                color=palette[i % len(palette)], label=name)
    ax.set_xticks(range(len(months)), labels)
    ax.set_ylabel("综合指标值")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), fontsize=8, ncols=len(names), frameon=False)
    return charts._done(ax)
