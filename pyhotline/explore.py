"""Exploring the store: per-unit figures, a unit's monthly trend, the orders and letters behind them.

Everything here is computed in DuckDB on the store (docs/explore.md); only the rows shown come
back to pandas, so a filter on a store of ten million orders stays interactive. The widgets that
call these functions are in :mod:`pyhotline.explore_ui`.

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
from dataclasses import dataclass

import pandas as pd

from .errors import MonthError
from .io import ORDER_COLUMNS, VISITED, normalize_text
from .metrics import COUNT_COLUMNS, evaluation_from_counts, in_month, parse_month
from .numbers import percent
from .report import Dataset
from .scheme import Scheme, load_scheme

FLAGS = ("超期", "无故超期", "返工", "不满意", "延期违规", "回退违规")
ORDER_HEADERS = {c.name: c.header for c in ORDER_COLUMNS}
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
    if found := re.fullmatch(r"(\d{4})[Qq]([1-4])", value):
        first = pd.Period(f"{found[1]}-{3 * int(found[2]) - 2:02d}", "M")
        return Period(value.upper(), tuple(pd.period_range(first, first + 2, freq="M")))
    if re.fullmatch(r"\d{4}", value):
        return Period(value, tuple(pd.period_range(f"{value}-01", f"{value}-12", freq="M")))
    if ":" in value:
        first, last = (parse_month(p) for p in value.split(":", 1))
        if last < first:
            raise MonthError(f"月份范围“{value}”的结束月份早于开始月份")
        return Period(value, tuple(pd.period_range(first, last, freq="M")))
    month = parse_month(value)
    return Period(str(month), (month,))


# ---------------------------------------------------------------- the store
class Explorer:
    """A read-only view of a store for exploring (``store`` a path or an open DuckDB connection;
    with neither store nor files, as :func:`pyhotline.store.load_month`: the default store, else the sample)."""

    def __init__(self, store=None, *, orders=None, units=None, letters=None, scheme=None):
        from .store import connect, memory_store, resolve_store
        from .store import import_oneoff
        from .store.month import imports_table, store_months
        from .store.registry import effective_registry

        self.scheme: Scheme = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
        self._stack = ExitStack()
        files = any(p is not None for p in (orders, units, letters))
        source = None if files else resolve_store(store)
        if source is None:
            self.con = self._stack.enter_context(memory_store())
            import_oneoff(self.con, orders, units, letters, scheme=self.scheme)
        else:
            self.con = self._stack.enter_context(connect(source))
        imports = imports_table(self.con)
        cutoffs = imports.loc[imports["kind"].isin(["orders", "letters"]), "cutoff"].dropna()
        self.cutoff = pd.Timestamp(cutoffs.max()) if len(cutoffs) else None
        self.has_letters = bool((imports["kind"] == "letters").any())
        self.months = store_months(self.con)
        stored = [r[0] for r in self._run(
            "SELECT DISTINCT unit FROM orders UNION SELECT DISTINCT unit FROM letters").fetchall()]
        self.registry, mapping = effective_registry(self.con, sorted(u for u in stored if u))
        info = self.registry.info()
        self.units = pd.DataFrame({"stored": list(mapping), "unit": list(mapping.values())}).join(info, on="unit")
        self.categories = [r[0] for r in self._run(
            "SELECT category FROM orders GROUP BY category ORDER BY count(*) DESC, category").fetchall()]

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
        return parse_period(text, self.months)

    def report_month(self, text) -> str:
        """The month whose bulletin figures go with a period: its last month that holds orders."""
        period = self.period(text)
        held = [m for m in self.months if m in period.months]
        return str(held[-1] if held else self.months[-1])

    # ------------------------------------------------------------ SQL pieces
    def _resolve(self, unit: str | None) -> str | None:
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
                chosen = chosen.loc[chosen["unit"] == self._resolve(unit)]
            clauses.append("list_contains($units, unit)")
            args["units"] = chosen["stored"].tolist() or [""]
            clauses.append(_WORK.removeprefix(" AND "))
        if category:
            clauses.append("contains(category, $category)")
            args["category"] = category
        return "".join(f" AND {c}" for c in clauses), args

    def _args(self, period: Period) -> dict:
        return {"start": period.start.to_pydatetime(), "end": period.end.to_pydatetime(),
                "cutoff": (self.cutoff if self.cutoff is not None else _FAR).to_pydatetime(),
                "max_ext": self.scheme.max_extensions, "max_back": self.scheme.max_send_backs}

    def predicates(self) -> dict[str, str]:
        """The figures' SQL predicates (see the module's docstring); parameters $start, $end, $cutoff …"""
        due = "(mode = '派单' AND deadline >= $start AND deadline < $end)"
        late = f"({due} AND NOT coalesce(closed_at <= deadline, false) AND (closed_at IS NOT NULL OR deadline < $cutoff))"
        visit_base = due if self.scheme.visit_basis == "due" else "(mode = '派单' AND closed_at >= $start AND closed_at < $end)"
        visited = ", ".join(f"'{v}'" for v in VISITED)
        return {
            "accepted": "(mode = '派单' AND accepted_at >= $start AND accepted_at < $end)",
            "due": due,
            "handled": f"({due} AND closed_at IS NOT NULL)",
            "on_time": f"({due} AND closed_at <= deadline)",
            "reworked": f"({due} AND reworks >= 1)",
            "visited": f"({visit_base} AND visit IN ({visited}))",
            "dissatisfied": f"({visit_base} AND visit = '不满意')",
            "overdue": late,
            "unjustified": f"({late} AND NOT city_returned)",
            "extension_violations": f"({due} AND extensions > $max_ext)",
            "send_back_violations": f"({due} AND send_backs > $max_back)",
            "requested": "(accepted_at >= $start AND accepted_at < $end)",
        }

    # ------------------------------------------------------------ per unit
    def unit_counts(self, period, *, group=None, unit=None, category=None) -> pd.DataFrame:
        """Per unit (registry name): every count of :data:`SUMMARY_HEADERS`, ints."""
        period = period if isinstance(period, Period) else self.period(period)
        p = self.predicates()
        names = [*COUNT_COLUMNS, "overdue", "unjustified", "extension_violations", "send_back_violations"]
        where, args = self._where(group=group, unit=unit, category=category)
        any_of = " OR ".join(p[n] for n in ("accepted", "due", "visited"))
        sql = (f"SELECT unit, {', '.join(f'count(*) FILTER ({p[n]}) AS {n}' for n in names)} FROM orders "
               f"WHERE mode = '派单' AND ({any_of}){where} GROUP BY unit")
        raw = self._run(sql, {**self._args(period), **args}).df()
        mapped = raw.assign(unit=raw["unit"].map(dict(zip(self.units["stored"], self.units["unit"]))).fillna(raw["unit"]))
        return mapped.groupby("unit")[names].sum().astype("int64")

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

    # ------------------------------------------------------------ a unit's months
    def unit_trend(self, unit: str | None, *, last: int | None = 12, period=None, group=None, category=None
                   ) -> pd.DataFrame:
        """Month by month (up to the period's last month): the unit's counts, 按期办结率, 综合指标值, grade."""
        end = (self.period(period).months[-1] if period is not None else self.months[-1]) if self.months else None
        months = [m for m in self.months if end is None or m <= end][-(last or len(self.months)):]
        rows = []
        name = self._resolve(unit)
        for month in months:
            counts = self.unit_counts(Period(str(month), (month,)), group=group, unit=unit, category=category)
            row = counts.sum() if name is None else counts.reindex([name]).fillna(0).iloc[0]
            row = row.astype("int64")
            scored = None
            if name is not None:
                scored = evaluation_from_counts(counts.reindex([name]).fillna(0).astype("int64")[COUNT_COLUMNS],
                                                self.registry, self.scheme)
            rows.append({
                "月份": str(month), **{SUMMARY_HEADERS[k]: int(row[k]) for k in row.index},
                "按期办结率": percent(row["on_time"], row["due"], self.scheme.rate_decimals, self.scheme.rounding_mode)
                if row["due"] else None,
                "综合指标值": scored["composite"].iloc[0] if scored is not None and len(scored) else None,
                "等级评价": scored["grade"].iloc[0] if scored is not None and len(scored) else None,
            })
        return pd.DataFrame(rows)

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
                  "cutoff": (self.cutoff if self.cutoff is not None else _FAR).to_pydatetime(), **args}
        return f"FROM letters WHERE received_at >= $start AND received_at < $end{where.replace(_WORK, '')}", params

    def letter_units(self, period, *, group=None, unit=None, sort_by=None, ascending=False) -> pd.DataFrame:
        """Letters received in the period, per unit: 来信数, 按时答复, 待答复 (not answered, not due at the
        cut-off, as :func:`pyhotline.metrics.mailbox`), 不满意."""
        base, params = self._letter_query(period, group, unit)
        raw = self._run(
            "SELECT unit, count(*) AS letters, count(*) FILTER (replied_at <= reply_due) AS on_time, "
            "count(*) FILTER (replied_at IS NULL AND reply_due >= $cutoff) AS pending, "
            f"count(*) FILTER (rating = '不满意') AS dissatisfied {base} GROUP BY unit", params).df()
        table = (raw.assign(unit=raw["unit"].map(self._names()).fillna(raw["unit"]))
                 .groupby("unit", as_index=False).sum()
                 .sort_values(["letters", "unit"], ascending=[False, True], kind="stable")
                 .rename(columns={"unit": "承办单位", "letters": "来信数", "on_time": "按时答复",
                                  "pending": "待答复", "dissatisfied": "不满意"}))
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
        period = self.period(period)
        raw = self._run(
            "SELECT category, strftime(accepted_at, '%Y-%m') AS month, count(*) AS n FROM orders "
            "WHERE accepted_at >= $start AND accepted_at < $end GROUP BY ALL",
            {"start": period.start.to_pydatetime(), "end": period.end.to_pydatetime()}).df()
        table = raw.pivot_table(index="category", columns="month", values="n", aggfunc="sum", fill_value=0)
        table = table.sort_values(by=table.columns[-1], ascending=False) if len(table.columns) else table
        return table.rename_axis(index="事件分类", columns="月份")


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
