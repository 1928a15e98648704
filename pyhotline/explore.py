"""Exploring the store: per-unit figures, a unit's monthly trend, the orders and letters behind them.

Everything here is computed in DuckDB on the store (docs/explore.md), lazily: opening reads the
units, months and categories only; the counts of a month are queried when a choice first needs
it, and kept; only the rows shown come back to pandas, so a store of ten million orders stays
interactive. The widgets that call these functions are in :mod:`pyhotline.explore_ui`; periods
and plain frames in :mod:`pyhotline.explore_frames`.

One definition, one number: the flags are the bulletin's own rules (:mod:`pyhotline.metrics`),
written once below as SQL predicates over the period asked for:

* 超期: a 派单 order due in the period and not closed by its deadline; an order still open counts
  only once its deadline is before the data's cut-off (:func:`pyhotline.metrics.overdue` with
  ``as_of``). 无故超期: 超期 and not 市热线办退回.
* 返工: due in the period with 返工次数 >= 1; 延期违规 / 回退违规: due in the period with more
  延期次数 / 回退次数 than the scheme allows (:func:`pyhotline.metrics.violations`).
* 不满意: 回访结果 不满意 among the orders of the scheme's ``visit_basis`` (closed or due in the period).

The per-unit counts go through :func:`pyhotline.metrics.evaluation_from_counts` for the rates,
综合指标值 and grade, exactly as the bulletin's appendix. Caller name, phone and request text are
not in the store, and no query here names them.
"""

from __future__ import annotations

import re
from contextlib import ExitStack

import numpy as np
import pandas as pd

from .explore_frames import (  # noqa: F401  (re-exported)
    ORDER_HEADERS, Period, filter_orders, month_label, month_runs, order_table, parse_period, sort_table,
)
from .io import VISITED, normalize_text
from .metrics import COUNT_COLUMNS, categories_from_counts, evaluation_from_counts
from .numbers import percent
from .ranking import score
from .scheme import Scheme
from .store.scheme_memory import load_store_scheme

FLAGS = ("超期", "无故超期", "返工", "不满意", "延期违规", "回退违规")
ORDER_FIELDS = ("order_id", "accepted_at", "category", "mode", "unit", "deadline", "closed_at",
                "extensions", "send_backs", "reworks", "city_returned", "visit")
LETTER_HEADERS = {"letter_id": "信件编号", "channel": "来信渠道", "received_at": "来信时间", "reply_due": "答复期限",
                  "replied_at": "答复时间", "unit": "承办单位", "rating": "评价"}
SUMMARY_HEADERS = {
    "group": "单位类型", "short": "承办单位", "accepted": "受理案件数", "due": "应办理数", "handled": "办理数",
    "on_time": "按期办理数", "on_time_rate": "按期办结率", "overdue": "超期", "unjustified": "无故超期",
    "reworked": "返工", "visited": "回访数", "dissatisfied": "不满意", "extension_violations": "延期违规",
    "send_back_violations": "回退违规", "composite": "综合指标值", "grade": "等级评价",
}
FLAG_COLUMNS = {"超期": "overdue", "无故超期": "unjustified", "返工": "reworked", "不满意": "dissatisfied",
                "延期违规": "extension_violations", "回退违规": "send_back_violations"}
_FAR = pd.Timestamp("2262-01-01")
_WORK = " AND mode = '派单'"


# ---------------------------------------------------------------- the store
class Explorer:
    """A read-only view of a store for exploring (``store`` a path or an open DuckDB connection;
    with neither store nor files, as :func:`pyhotline.store.load_month`: the default store, else the sample)."""

    def __init__(self, store=None, *, orders=None, units=None, letters=None, scheme=None):
        from .store import connect, memory_store, resolve_store
        from .store import import_oneoff
        from .store.coverage import kind_cutoff
        from .store.month import imports_table
        from .store.registry import effective_registry

        self.scheme: Scheme = load_store_scheme(scheme, store=store, orders=orders, units=units, letters=letters)
        self._stack = ExitStack()
        files = any(p is not None for p in (orders, units, letters))
        source = store if _is_connection(store) else None if files else resolve_store(store)
        if source is None:
            self.con = self._stack.enter_context(memory_store())
            import_oneoff(self.con, orders, units, letters, scheme=self.scheme)
        else:
            self.con = self._stack.enter_context(connect(source))
        self.con.execute("SET enable_progress_bar = false").fetchall()  # no bar under the widgets
        imports = self.imports = imports_table(self.con)  # the import records (coverage), read once
        # each kind its own cut-off (docs/store.md): a letters export never moves the orders' 超期 rule
        self.cutoff, self.letters_cutoff = kind_cutoff(imports, "orders"), kind_cutoff(imports, "letters")
        self.has_letters = bool((imports["kind"] == "letters").any())
        # Opening reads only what the choices need (units, months, categories): every count is queried
        # for the months asked for, when first asked (:meth:`months_cube`), and kept.
        stored = {r[0] for r in self._run("SELECT DISTINCT unit FROM orders UNION SELECT DISTINCT unit FROM letters")
                  .fetchall()}
        self.registry, mapping = effective_registry(self.con, sorted(u for u in stored if u))
        info = self.registry.info()
        self.units = pd.DataFrame({"stored": list(mapping), "unit": list(mapping.values())}).join(info, on="unit")
        self._cubes: dict[str, pd.DataFrame] = {}
        accepted = self._run(
            "SELECT strftime(m, '%Y-%m') AS month, category, requested, work FROM ("  # months formatted once each
            "SELECT date_trunc('month', accepted_at) AS m, category, count(*) AS requested, "
            "count(*) FILTER (mode = '派单') AS work FROM orders WHERE accepted_at IS NOT NULL GROUP BY ALL)").df()
        accepted = accepted.set_index(["month", "category"]).sort_index()
        self._requests, self._work = accepted["requested"], accepted["work"]
        self.months = [pd.Period(m, "M") for m in sorted(set(self._requests.index.get_level_values("month")))]
        by_category = self._requests.groupby("category").sum().reset_index()
        self.categories = by_category.sort_values(["requested", "category"], ascending=[False, True])["category"].tolist()

    def _run(self, sql: str, params: dict | None = None):
        """Execute with the named parameters the statement uses (DuckDB refuses extra ones)."""
        used = set(re.findall(r"\$(\w+)", sql))
        return self.con.execute(sql, {k: v for k, v in (params or {}).items() if k in used} or None)

    def close(self) -> None:
        self._stack.close()

    # ------------------------------------------------------------ choices
    def groups(self) -> list[str]:
        return list(dict.fromkeys(self.registry.units["group"]))

    def unit_names(self, group: str | None = None) -> list[str]:
        units = self.registry.units
        return units.loc[units["group"] == group, "name"].tolist() if group else units["name"].tolist()

    def periods(self) -> list[str]:
        """Choices for the period: months (latest first), quarters, years, the whole span."""
        months = [str(m) for m in reversed(self.months)]
        quarters = list(dict.fromkeys(f"{m.year}Q{m.quarter}" for m in reversed(self.months)))
        years = list(dict.fromkeys(str(m.year) for m in reversed(self.months)))
        return [*months, *quarters, *years, "全部"]

    def period(self, text) -> Period:
        return text if isinstance(text, Period) else parse_period(text, self.months)

    def report_month(self, text) -> str:
        """The month whose bulletin figures go with a period: its last month that holds orders."""
        period = self.period(text)
        held = [m for m in self.months if m in period.months]
        return str(held[-1] if held else self.months[-1])

    # ------------------------------------------------------------ SQL pieces
    def resolve_unit(self, unit: str | None) -> str | None:
        """The registry name of ``unit`` (a name or any 简称); None for none."""
        if not unit:
            return None
        return self.registry.lookup.get(normalize_text(unit), unit)

    def _where(self, *, group=None, unit=None, category=None) -> tuple[str, dict]:
        """Filters on unit type, unit (any 简称) and 事件分类 (exact, or a part of one)."""
        clauses, args = [], {}
        if group or unit:
            chosen = self.units
            if group:
                chosen = chosen.loc[chosen["group"] == group]
            if unit:
                chosen = chosen.loc[chosen["unit"] == self.resolve_unit(unit)]
            clauses.append("list_contains($units, unit)")
            args["units"] = chosen["stored"].tolist() or [""]
            clauses.append(_WORK.removeprefix(" AND "))
        if category:
            clauses.append("contains(category, $category)")
            args["category"] = category
        return "".join(f" AND {c}" for c in clauses), args

    def _args(self, period: Period | None) -> dict:
        span = {} if period is None else {"start": period.start.to_pydatetime(), "end": period.end.to_pydatetime()}
        return {**span, "cutoff": (self.cutoff if self.cutoff is not None else _FAR).to_pydatetime(),
                "max_ext": self.scheme.max_extensions, "max_back": self.scheme.max_send_backs}

    def rules(self) -> dict[str, tuple[str, str]]:
        """Each figure as (the time that places a 派单 order in a month, the condition on the order):
        the one definition both the counts and the orders behind them use (see the module's docstring)."""
        late = "(NOT coalesce(closed_at <= deadline, false) AND (closed_at IS NOT NULL OR deadline < $cutoff))"
        visit_on = "deadline" if self.scheme.visit_basis == "due" else "closed_at"
        visited = ", ".join(f"'{v}'" for v in VISITED)
        return {
            "accepted": ("accepted_at", "true"),
            "due": ("deadline", "true"),
            "handled": ("deadline", "closed_at IS NOT NULL"),
            "on_time": ("deadline", "closed_at <= deadline"),
            "reworked": ("deadline", "reworks >= 1"),
            "visited": (visit_on, f"visit IN ({visited})"),
            "dissatisfied": (visit_on, "visit = '不满意'"),
            "overdue": ("deadline", late),
            "unjustified": ("deadline", f"({late} AND NOT city_returned)"),
            "extension_violations": ("deadline", "extensions > $max_ext"),
            "send_back_violations": ("deadline", "send_backs > $max_back"),
        }

    def predicates(self) -> dict[str, str]:
        """Each figure's rule over a period (parameters $start, $end), plus ``requested``: any order accepted."""
        out = {name: f"(mode = '派单' AND {on} >= $start AND {on} < $end AND {cond})"
               for name, (on, cond) in self.rules().items()}
        out["requested"] = "(accepted_at >= $start AND accepted_at < $end)"
        return out

    # ------------------------------------------------------------ per unit
    def _query_months(self, months: list[pd.Period], stored_units: list[str] | None = None) -> pd.DataFrame:
        """One query of the store for consecutive ``months``: every count of :meth:`rules` per month (of the
        figure's own time), unit and 事件分类, over the 派单 orders with any of those times in the months
        (only those of ``stored_units``, the units as the store names them, when given)."""
        rules = self.rules()
        times = sorted({on for on, _ in rules.values()})
        keys = ", ".join(f'year({t}) * 12 + month({t}) - 1 AS "{t}"' for t in times)
        span = " OR ".join(f"({t} >= $start AND {t} < $end)" for t in times)
        sql = (f"SELECT unit, category, {keys}, "
               + ", ".join(f"count(*) FILTER ({cond}) AS {name}" for name, (_, cond) in rules.items())
               + f" FROM orders WHERE mode = '派单' AND ({span})"
               + (" AND list_contains($units, unit)" if stored_units is not None else "") + " GROUP BY ALL")
        raw = self._run(sql, {**self._args(Period("slice", tuple(months))), "units": stored_units}).df()
        raw = raw.assign(unit=raw["unit"].map(self._names()).fillna(raw["unit"]))
        labels = {str(m) for m in months}
        parts = []
        for on in times:
            names = [n for n, (t, _) in rules.items() if t == on]
            placed = raw.loc[raw[on].notna()]
            placed = placed.assign(month=placed[on].map(month_label))
            placed = placed.loc[placed["month"].isin(labels)]
            parts.append(placed.groupby(["month", "unit", "category"])[names].sum())
        return pd.concat(parts, axis=1).fillna(0).astype("int64").reindex(columns=list(rules))

    def months_cube(self, months) -> pd.DataFrame:
        """The counts per (month, unit, 事件分类) of ``months``: the months not asked for before are queried
        (one query per run of consecutive months, :meth:`_query_months`) and kept for the next choice."""
        wanted = sorted(set(months))
        for run in month_runs([m for m in wanted if str(m) not in self._cubes]):
            got = self._query_months(run)
            months_got = got.index.get_level_values("month")
            for m in run:
                self._cubes[str(m)] = got.loc[months_got == str(m)]
        frames = [self._cubes[str(m)] for m in wanted]
        if not frames:
            empty = pd.MultiIndex.from_tuples([], names=["month", "unit", "category"])
            return pd.DataFrame({name: pd.Series(dtype="int64") for name in self.rules()}, index=empty)
        return pd.concat(frames)

    def forget(self) -> None:
        """Drop the counts kept (the next choice queries its months again)."""
        self._cubes.clear()

    @property
    def cube(self) -> pd.DataFrame:
        """Every count per (month, unit, 事件分类) of the store's months: each figure in the month of its own
        time (:meth:`rules`). Summaries and trends are sums of the months they need (queried when first
        asked for); the orders behind a figure are selected with the same rules (:meth:`predicates`)."""
        return self.months_cube(self.months)

    def unit_counts(self, period, *, group=None, unit=None, category=None, by_month: bool = False) -> pd.DataFrame:
        """Per unit (registry name; with ``by_month`` per month and unit): every count of
        :data:`SUMMARY_HEADERS`, ints, summed from :attr:`cube`."""
        period = self.period(period)
        name = self.resolve_unit(unit)
        if unit and any(str(m) not in self._cubes for m in period.months):
            # one unit over months not queried yet (its page's trend): only its orders, not kept
            stored = self.units.loc[self.units["unit"] == name, "stored"].tolist() or [name]
            cube = pd.concat([self._query_months(run, stored) for run in month_runs(period.months)])
        else:
            cube = self.months_cube(period.months)
        mask = np.ones(len(cube), dtype=bool)
        units = cube.index.get_level_values("unit")
        if group:
            mask &= units.isin(self.unit_names(group))
        if unit:
            mask &= units == name
        if category:
            names = pd.Series(cube.index.get_level_values("category"), dtype="object")
            mask &= names.str.contains(category, regex=False, na=False).to_numpy(dtype=bool)
        chosen = cube.loc[mask]
        return chosen.groupby(["month", "unit"] if by_month else "unit").sum()

    def unit_summary(self, period, *, group=None, unit=None, category=None, sort_by=None, ascending=False
                     ) -> pd.DataFrame:
        """The per-unit table shown: counts, 按期办结率, 综合指标值 and grade (the bulletin's, from the counts)."""
        period = period if isinstance(period, Period) else self.period(period)
        counts = self.unit_counts(period, group=group, unit=unit, category=category)
        scored = evaluation_from_counts(counts[COUNT_COLUMNS], self.registry, self.scheme).set_index("unit")
        info = self.registry.info()
        table = counts.join(info[["group", "short", "position"]]).assign(
            on_time_rate=[percent(o, d, self.scheme.rate_decimals, self.scheme.rounding_mode) if d else None
                          for o, d in zip(counts["on_time"], counts["due"])],
            composite=scored["composite"].reindex(counts.index),
            grade=scored["grade"].reindex(counts.index),
        )
        table = table.sort_values(["accepted", "position"], ascending=[False, True], kind="stable")
        table = table.reset_index(names="单位名称")[["单位名称", *SUMMARY_HEADERS]].rename(columns=SUMMARY_HEADERS)
        return sort_table(table, sort_by, ascending)

    # ------------------------------------------------------------ the bulletin's tables, from the store
    def evaluation(self, period) -> pd.DataFrame:
        """The period's evaluation table (:func:`pyhotline.metrics.evaluation_from_counts` of its counts):
        for a month, the bulletin's appendix, computed in DuckDB instead of pandas."""
        return evaluation_from_counts(self.unit_counts(period)[COUNT_COLUMNS], self.registry, self.scheme)

    def appendix(self, period) -> pd.DataFrame:
        """:meth:`evaluation` as the bulletin prints it (:func:`pyhotline.report.appendix_table`)."""
        from .report import appendix_headers, appendix_table

        return appendix_table(self.evaluation(period), keep_zeros=self.scheme.keep_trailing_zeros,
                              headers=appendix_headers(self.scheme))

    def _accepted_in(self, series: pd.Series, period) -> pd.Series:
        months = [str(m) for m in self.period(period).months]
        return series.loc[series.index.get_level_values("month").isin(months)]

    def totals(self, period) -> dict[str, int]:
        """:func:`pyhotline.metrics.totals` of the period: requests, work_orders (派单), direct."""
        requests, work = int(self._accepted_in(self._requests, period).sum()), int(self._accepted_in(self._work, period).sum())
        return {"requests": requests, "work_orders": work, "direct": requests - work}

    def category_table(self, period, top: int | None = None) -> pd.DataFrame:
        """:func:`pyhotline.metrics.categories` of the period (count, share, total), from the store."""
        chosen = self._accepted_in(self._requests, period)
        return categories_from_counts(chosen.groupby(level="category").sum(), int(chosen.sum()), self.scheme, top)

    # ------------------------------------------------------------ a unit's months
    def unit_trend(self, unit: str | None, *, last: int | None = 12, period=None, group=None, category=None
                   ) -> pd.DataFrame:
        """Month by month (up to the period's last month): the unit's counts, 按期办结率, 综合指标值, grade
        (the last two for one unit, as that month's appendix gives them)."""
        end = (self.period(period).months[-1] if period is not None else self.months[-1]) if self.months else None
        months = [m for m in self.months if end is None or m <= end][-(last or len(self.months)):]
        if not months:
            return pd.DataFrame(columns=["月份", *SUMMARY_HEADERS.values()])
        counts = self.unit_counts(Period("trend", tuple(months)), group=group, unit=unit, category=category,
                                  by_month=True)
        labels = [str(m) for m in months]
        monthly = counts.groupby("month").sum().reindex(labels, fill_value=0).astype("int64")
        table = monthly.assign(
            on_time_rate=[percent(o, d, self.scheme.rate_decimals, self.scheme.rounding_mode) if d else None
                          for o, d in zip(monthly["on_time"], monthly["due"])],
            composite=None, grade=None,
        )
        name = self.resolve_unit(unit)
        info = self.registry.info()
        if name in info.index and info.at[name, "assessed"]:
            # the appendix's row for each month: metrics.evaluation_from_counts's own per-row step (ranking.score)
            # (its filter: a month with anything accepted or due), applied to the unit's months at once
            rated = monthly.loc[monthly[["accepted", "due"]].sum(axis=1) > 0, COUNT_COLUMNS]
            if len(rated):
                scored = rated.apply(score, axis=1, scheme=self.scheme)
                table = table.assign(composite=scored["composite"].reindex(labels).astype(object),
                                     grade=scored["grade"].reindex(labels).astype(object))
        table = table.astype({"composite": object, "grade": object})
        table = table.where(table.notna(), None) if len(table) else table
        return table.reset_index(names="月份")[["月份", *(k for k in SUMMARY_HEADERS if k in table)]].rename(
            columns=SUMMARY_HEADERS)

    # ------------------------------------------------------------ orders behind a figure
    def orders(self, period, *, group=None, unit=None, category=None, flags=(), sort_by=None, ascending=False,
               limit: int | None = 200) -> tuple[int, pd.DataFrame]:
        """(how many, the first ``limit`` of them): the orders accepted in the period, or with ``flags``
        the orders behind those figures (any of them), with a 标记 column naming each order's flags."""
        period = period if isinstance(period, Period) else self.period(period)
        p = self.predicates()
        unknown = [f for f in flags if f not in FLAG_COLUMNS]
        if unknown:
            raise ValueError(f"未知的标记：{'、'.join(unknown)}（可选：{'、'.join(FLAGS)}）")
        base = " OR ".join(p[FLAG_COLUMNS[f]] for f in flags) if flags else p["requested"]
        where, args = self._where(group=group, unit=unit, category=category)
        marks = ", ".join(f"CASE WHEN {p[FLAG_COLUMNS[f]]} THEN '{f}' END" for f in FLAGS)
        params = {**self._args(period), **args}
        total = self._run(f"SELECT count(*) FROM orders WHERE ({base}){where}", params).fetchall()[0][0]
        column = {v: k for k, v in ORDER_HEADERS.items()}.get(sort_by, "accepted_at")
        direction = "ASC" if ascending else "DESC"
        order = f'"{column}" {direction} NULLS LAST, order_id {direction}' if sort_by != "标记" else f"flags {direction}"
        sql = (f"SELECT {', '.join(ORDER_FIELDS)}, concat_ws('、', {marks}) AS flags FROM orders "
               f"WHERE ({base}){where} ORDER BY {order}" + (f" LIMIT {int(limit)}" if limit else ""))
        rows = self._run(sql, params).df()
        shown = rows.assign(
            unit=rows["unit"].map(self._names()).fillna(rows["unit"]),
            city_returned=rows["city_returned"].map({True: "是", False: "否"}),
        ).rename(columns={**ORDER_HEADERS, "flags": "标记"})
        return int(total), shown.reset_index(drop=True)

    def _names(self) -> dict[str, str]:
        return dict(zip(self.units["stored"], self.units["unit"]))

    # ------------------------------------------------------------ letters
    def _letter_query(self, period, group, unit) -> tuple[str, dict]:
        period = period if isinstance(period, Period) else self.period(period)
        where, args = self._where(group=group, unit=unit)
        params = {"start": period.start.to_pydatetime(), "end": period.end.to_pydatetime(),
                  "cutoff": (self.letters_cutoff if self.letters_cutoff is not None else _FAR).to_pydatetime(), **args}
        return f"FROM letters WHERE received_at >= $start AND received_at < $end{where.replace(_WORK, '')}", params

    def letter_units(self, period, *, group=None, unit=None, sort_by=None, ascending=False) -> pd.DataFrame:
        """Letters received in the period, per unit: 来信数, 按时答复, 待答复 (not answered, not due at the
        cut-off, as :func:`pyhotline.metrics.mailbox`), 超期 (the rest: answered late, or not answered by
        a 答复期限 before the cut-off; the bulletin's 超期N件), 不满意."""
        base, params = self._letter_query(period, group, unit)
        raw = self._run(
            "SELECT unit, count(*) AS letters, count(*) FILTER (replied_at <= reply_due) AS on_time, "
            "count(*) FILTER (replied_at IS NULL AND reply_due >= $cutoff) AS pending, "
            f"count(*) FILTER (rating = '不满意') AS dissatisfied {base} GROUP BY unit", params).df()
        table = (raw.assign(unit=raw["unit"].map(self._names()).fillna(raw["unit"]))
                 .groupby("unit", as_index=False).sum()
                 .assign(late=lambda t: t["letters"] - t["on_time"] - t["pending"])
                 .loc[:, ["unit", "letters", "on_time", "pending", "late", "dissatisfied"]]
                 .sort_values(["letters", "unit"], ascending=[False, True], kind="stable")
                 .rename(columns={"unit": "承办单位", "letters": "来信数", "on_time": "按时答复",
                                  "pending": "待答复", "late": "超期", "dissatisfied": "不满意"}))
        return sort_table(table, sort_by, ascending)

    def letter_rows(self, period, *, group=None, unit=None, sort_by=None, ascending=False, limit: int | None = 200
                    ) -> tuple[int, pd.DataFrame]:
        """(how many letters were received in the period, the first ``limit``), sorted in DuckDB."""
        base, params = self._letter_query(period, group, unit)
        total = self._run(f"SELECT count(*) {base}", params).fetchall()[0][0]
        column = {v: k for k, v in LETTER_HEADERS.items()}.get(sort_by, "received_at")
        direction = "ASC" if ascending else "DESC"
        rows = self._run(
            f"SELECT {', '.join(LETTER_HEADERS)} {base} ORDER BY \"{column}\" {direction} NULLS LAST, letter_id {direction}"
            + (f" LIMIT {int(limit)}" if limit else ""), params).df()
        rows = rows.assign(unit=rows["unit"].map(self._names()).fillna(rows["unit"])).rename(columns=LETTER_HEADERS)
        return int(total), rows

    # ------------------------------------------------------------ categories
    def category_by_month(self, period=None) -> pd.DataFrame:
        """Requests per 事件分类 (rows) and month of 受理时间 (columns), over the period (all months)."""
        months = [str(m) for m in self.period(period).months]
        raw = self._requests.loc[self._requests.index.get_level_values("month").isin(months)].reset_index()
        table = raw.pivot_table(index="category", columns="month", values="requested", aggfunc="sum", fill_value=0)
        table = table.sort_values(by=table.columns[-1], ascending=False) if len(table.columns) else table
        return table.rename_axis(index="事件分类", columns="月份")


def _is_connection(store) -> bool:
    import duckdb

    return isinstance(store, duckdb.DuckDBPyConnection)
