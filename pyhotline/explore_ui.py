"""The explore notebook's widgets (ipywidgets): choices, sortable tables, a unit's page, letters.

Computing is in :mod:`pyhotline.explore` (DuckDB on the store); here only the widgets, their
callbacks and the one chart. Every table is a :class:`SortableTable`: a column to sort by and the
direction, re-sorted where the rows are (the orders and letters lists in DuckDB, so the sort is over
all matching rows, not only those shown). Tests drive the callbacks by setting widget values.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from html import escape
from io import BytesIO

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Image, display
from matplotlib.axes import Axes

from . import charts
from .explore import FLAGS, SUMMARY_HEADERS, Explorer, sort_table
from .numbers import plain

ALL = "全部"


def _cell(value, keep_zeros: bool = True, rate: bool = False) -> str:
    if value is None or (not isinstance(value, (str, Decimal)) and pd.isna(value)):
        return "—"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, Decimal):  # the bulletin's print (the scheme's rounding.keep_trailing_zeros)
        return plain(value, keep_zeros=keep_zeros) + ("%" if rate else "")
    return str(value)


def html_table(frame: pd.DataFrame, *, keep_zeros: bool = True) -> str:
    """The frame as an HTML table, values escaped (Decimals printed as the bulletin prints them, a 率
    column's with %, as in the appendix; missing values and times as —)."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    rates = [str(c).endswith("率") for c in frame.columns]
    body = "".join("<tr>" + "".join(f"<td>{escape(_cell(v, keep_zeros, r))}</td>" for v, r in zip(row, rates)) + "</tr>"
                   for row in frame.itertuples(index=False, name=None))
    return (f'<table class="pyhotline-explore" style="border-collapse:collapse"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def show_table(frame: pd.DataFrame, *, keep_zeros: bool = True) -> None:
    """Display a table as the explorer's tabs do (:func:`html_table`: no pandas index, values escaped)."""
    display(HTML(html_table(frame, keep_zeros=keep_zeros)))


class SortableTable:
    """A title, a sort column, a direction and the table; ``source(sort_by, ascending)`` gives
    ``(caption, frame)``. ``frame`` holds what is shown (tests read it)."""

    def __init__(self, title: str, source: Callable[[str | None, bool], tuple[str, pd.DataFrame]],
                 columns: list[str], *, default: str | None = None, ascending: bool = False):
        self.source = source
        self.title = title
        self.sort_by = w.Dropdown(options=["（默认）", *columns], value=default or "（默认）", description="排序",
                                  layout=w.Layout(width="220px"))
        self.descending = w.ToggleButton(value=not ascending, description="升序" if ascending else "降序", tooltip="降序 / 升序",
                                         layout=w.Layout(width="70px"))
        self.caption = w.HTML()
        self.body = w.HTML()
        self.frame = pd.DataFrame()
        self.keep_zeros = True  # the explorer's scheme's rounding.keep_trailing_zeros (set by ExploreApp)
        self.widget = w.VBox([w.HTML(f"<b>{title}</b>"), w.HBox([self.sort_by, self.descending]), self.caption,
                              self.body])
        self.sort_by.observe(lambda _: self.refresh(), names="value")
        self.descending.observe(self._direction, names="value")

    def _direction(self, change) -> None:
        self.descending.description = "降序" if change["new"] else "升序"
        self.refresh()

    def refresh(self) -> None:
        column = None if self.sort_by.value == "（默认）" else self.sort_by.value
        caption, self.frame = self.source(column, not self.descending.value)
        self.caption.value = caption
        self.body.value = html_table(self.frame, keep_zeros=self.keep_zeros)


def trend_chart(trend: pd.DataFrame, *, ax: Axes | None = None, title: str = "") -> Axes:
    """A unit's months: 受理案件数 and 应办理数 as bars, 超期 and 不满意 as lines (``unit_trend``'s table)."""
    charts.apply_style(title, *trend["月份"], "受理案件数应办理数超期不满意件月份")
    if ax is None:
        _, ax = plt.subplots(figsize=(charts.WIDTH, 3.2), layout="constrained")
    x = range(len(trend))
    ax.bar([i - 0.2 for i in x], trend["受理案件数"], width=0.4, color=charts.PRIMARY, label="受理案件数")
    ax.bar([i + 0.2 for i in x], trend["应办理数"], width=0.4, color=charts.SECONDARY, label="应办理数")
    ax.plot(list(x), trend["超期"], color=charts.ALERT, marker="o", label="超期")
    ax.plot(list(x), trend["不满意"], color="#D9A21B", marker="s", label="不满意")
    ax.set_xticks(list(x), trend["月份"])
    ax.set_ylabel("件")
    ax.set_title(title)
    ax.legend(ncols=4, loc="upper left")
    charts.plain_text(ax)
    return ax


def show(ax_or_fig) -> None:
    """Display a chart once as a PNG picture and close it (a notebook cell shows no ``<Axes …>`` text).

    Drawn once at screen resolution (the figure's layout is already constrained), not twice as the inline
    backend's tight bounding box would: the unit page redraws on every choice."""
    fig = ax_or_fig if isinstance(ax_or_fig, plt.Figure) else ax_or_fig.figure
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi)
    plt.close(fig)
    display(Image(data=buffer.getvalue(), format="png"))


class ExploreApp:
    """The whole explorer: choices on top, then tabs 各单位汇总 / 单位页 / 工单明细 / 群众来信."""

    def __init__(self, explorer: Explorer, *, period=None, group=None, unit=None, category=None, flags=()):
        self.x = explorer
        periods = explorer.periods()
        chosen = explorer.period(period).label  # None: 全部; a range not among the choices is added
        self.period = w.Dropdown(options=periods if chosen in periods else [chosen, *periods], value=chosen,
                                 description="时段")
        self.group = w.Dropdown(options=[ALL, *explorer.groups()], value=group or ALL, description="单位类型")
        self.unit = w.Dropdown(options=self._unit_options(group), value=self._unit_value(unit), description="承办单位")
        category = next((c for c in explorer.categories if category and category in c), ALL)
        self.category = w.Dropdown(options=[ALL, *explorer.categories], value=category, description="事件分类")
        self.flags = {f: w.ToggleButton(value=f in flags, description=f, layout=w.Layout(width="90px")) for f in FLAGS}
        self.status = w.HTML()
        self.orders_total = 0
        self.summary = SortableTable("各单位汇总", self._summary, ["单位名称", *SUMMARY_HEADERS.values()])
        self.trend = SortableTable("逐月情况", self._trend, ["月份", "受理案件数", "应办理数", "超期", "无故超期", "不满意"],
                                   default="月份", ascending=True)
        self.chart = w.Output()
        self.orders = SortableTable("工单明细", self._orders, ["受理时间", "办理时限", "办结时间", "工单编号", "事件分类",
                                                             "延期次数", "回退次数", "返工次数", "标记"])
        self.letter_units = SortableTable("各单位来信", self._letter_units, ["来信数", "按时答复", "待答复", "超期", "不满意"])
        self.letters = SortableTable("来信明细", self._letters, ["来信时间", "答复期限", "答复时间", "信件编号", "来信渠道", "评价"])
        self.tables = {"summary": self.summary, "trend": self.trend, "orders": self.orders,
                       "letter_units": self.letter_units, "letters": self.letters}
        for table in self.tables.values():
            table.keep_zeros = explorer.scheme.keep_trailing_zeros
        self.tabs = tabs = w.Tab(children=[self.summary.widget, w.VBox([self.chart, self.trend.widget, self.orders.widget]),
                                           w.VBox([self.letter_units.widget, self.letters.widget])])
        for i, title in enumerate(["各单位汇总", "单位页（逐月与工单）", "群众来信"]):
            tabs.set_title(i, title)
        self._trend_stale = True  # the unit page's months are computed when the page is shown
        tabs.observe(lambda _: self._show_trend(), names="selected_index")
        self.widget = w.VBox([w.HBox([self.period, self.group]), w.HBox([self.unit, self.category]),
                              w.HBox(list(self.flags.values())), self.status, tabs])
        self.group.observe(self._group_changed, names="value")
        for control in (self.period, self.unit, self.category):
            control.observe(lambda _: self.refresh(), names="value")
        for control in self.flags.values():  # the flags choose the orders listed: only that table changes
            control.observe(lambda _: self.refresh_orders(), names="value")
        self.refresh()

    # ------------------------------------------------------------ choices
    def _unit_options(self, group) -> list[str]:
        return [ALL, *self.x.unit_names(None if group in (None, ALL) else group)]

    def _unit_value(self, unit) -> str:
        name = self.x.resolve_unit(unit) if unit else None
        return name if name in self.x.unit_names() else ALL

    def _group_changed(self, change) -> None:
        keep = self.unit.value
        options = self._unit_options(change["new"])
        with self.unit.hold_trait_notifications():
            self.unit.options = options
            self.unit.value = keep if keep in options else ALL
        self.refresh()

    def choices(self) -> dict:
        return {
            "group": None if self.group.value == ALL else self.group.value,
            "unit": None if self.unit.value == ALL else self.unit.value,
            "category": None if self.category.value == ALL else self.category.value,
        }

    def selected_flags(self) -> tuple[str, ...]:
        return tuple(f for f, b in self.flags.items() if b.value)

    # ------------------------------------------------------------ sources
    def _summary(self, sort_by, ascending):
        table = self.x.unit_summary(self.period.value, **self.choices(), sort_by=sort_by, ascending=ascending)
        return f"{self.period.value}：{len(table)} 个单位", table

    def _trend(self, sort_by, ascending):
        c = self.choices()
        table = self.x.unit_trend(c["unit"], period=self.period.value, group=c["group"], category=c["category"])
        who = c["unit"] or c["group"] or "全部单位"
        return f"{who}：最近 {len(table)} 个月", sort_table(table, sort_by, ascending)

    def _orders(self, sort_by, ascending):
        flags = self.selected_flags()
        self.orders_total, table = self.x.orders(self.period.value, **self.choices(), flags=flags, sort_by=sort_by,
                                     ascending=ascending)
        what = "、".join(flags) if flags else "受理"
        total = self.orders_total
        return f"{what}工单 {total} 件" + (f"（显示前 {len(table)} 件）" if total > len(table) else ""), table

    def _letter_units(self, sort_by, ascending):
        c = self.choices()
        per_unit = self.x.letter_units(self.period.value, group=c["group"], unit=c["unit"], sort_by=sort_by,
                                       ascending=ascending)
        return f"{self.period.value}：{len(per_unit)} 个单位", per_unit

    def _letters(self, sort_by, ascending):
        c = self.choices()
        total, rows = self.x.letter_rows(self.period.value, group=c["group"], unit=c["unit"], sort_by=sort_by,
                                         ascending=ascending)
        return f"来信 {total} 件" + (f"（显示前 {len(rows)} 件）" if total > len(rows) else ""), rows

    # ------------------------------------------------------------ refresh
    def refresh_orders(self) -> None:
        self.orders.refresh()
        self.status.value = f"筛选出 {self.orders_total} 件工单"

    def refresh(self) -> None:
        """Every table for the current choices; the unit page's months (a year of them, the costliest
        query on a large store) only when that page is shown, else when it is next opened."""
        for key, table in self.tables.items():
            if key != "trend":
                table.refresh()
        self.status.value = f"筛选出 {self.orders_total} 件工单"
        self._trend_stale = True
        self._show_trend()

    def _show_trend(self, *, force: bool = False) -> None:
        if not self._trend_stale or not (force or self.tabs.selected_index == 1):
            return
        self.trend.refresh()
        self._trend_stale = False
        self.chart.clear_output()
        with self.chart:
            show(self.trend_chart())

    def trend_chart(self) -> Axes:
        """The unit page's chart (its months, in order) for the current choices."""
        return trend_chart(self.trend.frame.sort_values("月份"), title=f"{self.choices()['unit'] or '全部单位'} 逐月情况")

    def _ipython_display_(self) -> None:
        display(self.widget)

    def snapshot(self) -> None:
        """The current tables and chart as plain output (for papermill runs and HTML exports)."""
        print(self.status.value)
        self._show_trend(force=True)
        for key in ("summary", "trend", "orders", "letter_units", "letters"):
            table = self.tables[key]
            print(f"{table.title}：{table.caption.value}")
            display(HTML(html_table(table.frame, keep_zeros=table.keep_zeros)))  # as the widget shows it: no NaN/None/NaT
        show(self.trend_chart())
