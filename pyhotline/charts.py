"""The bulletin's charts, drawn from :class:`~pyhotline.report.MonthlyReport`'s tidy frames.

Computing stays in :mod:`pyhotline.metrics`; these functions only draw. Each is
shaped like a seaborn axes-level function, ``f(data, *, ax=None, **kwargs) ->
Axes``: it draws on ``ax`` or, when ``ax`` is None, on a new figure sized for
the data. Rows are drawn in the table's order (top to bottom), with Chinese
titles, labels and legends, in calm print-friendly colours.

Every chart function calls :func:`~pyhotline.chart_style.apply_style` (seaborn theme, then a CJK font
that covers the chart's own strings: digits, Latin letters and every unit or
category name drawn); :func:`save_figure` writes a PNG and closes the figure.
Data strings are drawn as plain text: no mathtext (a unit called ``$x^2$``
shows dollars), no TeX — ``text.parse_math`` and ``text.usetex`` are off in
the style and on every text artist of the charts. Nothing here calls
``plt.show``, so the functions work on any backend, Agg included.

    >>> r = ph.monthly_report("2024-05", ph.load_dataset())
    >>> save_figure(category_bar(r.categories), "out/categories.png")
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from .chart_style import (  # noqa: F401  (the look and the helpers: re-exported, charts.save_figure & co.)
    ALERT, GRADE_COLORS, INK, LABEL_WIDTH, OTHER_GRADE_COLOR, PRIMARY, RANK_COLORS, SECONDARY, WIDTH,
    apply_style, bar_rows, chart_label, chart_labels, display_width, done, grade_label, grade_palette,
    legend_below_xlabel, new_axes, no_data, plain_text, png_bytes, save_figure,
)
from .numbers import pct, plain, unit_type_label

KINDS = ("总量", "事件分类")

# ---------------------------------------------------------------- charts
def category_bar(categories: pd.DataFrame, *, ax: Axes | None = None, top: int | None = 10,
                 title: str | None = None, keep_zeros: bool = True) -> Axes:
    """Requests per 事件分类 (``MonthlyReport.categories``), largest at the top.

    Each bar is labelled with its count and share, e.g. ``426（20.88%）``. With
    ``top``, the categories after the first ``top`` are folded into one bar
    labelled “其余N类” (its share is the sum of their shares as printed); a
    single leftover category is simply shown. ``top=None`` shows all.
    Shares print with their decimals (13.0%); ``keep_zeros=False`` drops trailing zeros (13%), as the
    scheme's ``rounding.keep_trailing_zeros`` says.
    """
    table = categories.sort_values("count", ascending=False, kind="stable")
    names = [str(c) for c in table["category"]]
    counts = [int(n) for n in table["count"]]
    shares = list(table["share"])
    total = int(table["total"].iloc[0]) if "total" in table and len(table) else sum(counts)
    if top is not None and len(names) > top + 1:
        rest = len(names) - top
        names = names[:top] + [f"其余{rest}类"]
        counts = counts[:top] + [sum(counts[top:])]
        shares = shares[:top] + [sum((Decimal(str(s)) for s in shares[top:]), Decimal(0))]
    title = title or f"诉求事件分类（共{total}件）"
    apply_style(title, *chart_labels(names))
    ax = new_axes(ax, len(names))
    ax.set_title(title)
    if not names:
        return no_data(ax, "本月没有诉求")
    bars = ax.barh(range(len(names)), counts, color=PRIMARY, height=0.65)
    ax.bar_label(bars, labels=[f"{n}（{pct(s, keep_zeros=keep_zeros)}）" for n, s in zip(counts, shares)], padding=3, fontsize=9)
    bar_rows(ax, names)
    ax.set_xlim(0, max(counts) * 1.28 or 1)
    ax.set_xlabel("诉求件数（件）")
    return done(ax)


def composite_rank(evaluation: pd.DataFrame, *, group: str, ax: Axes | None = None,
                   grades: Sequence | None = None, grade_colors: dict[str, str] | None = None,
                   xmin: float | None = None, title: str | None = None, keep_zeros: bool = True) -> Axes:
    """综合指标值 of one 单位类型 (``group``: e.g. 县直单位 or 乡镇(街道)), in the table's order.

    Units without a 综合指标值 (nothing due) are left out. Bars are coloured by
    等级评价 and the legend lists the grades present, best first.
    ``grades`` are the scheme's grades (``Scheme.grades``: objects with
    ``name`` and optionally ``color``, or plain names), best first; their
    colours are :func:`grade_palette`'s (``grade_colors`` overrides any).
    Without ``grades``, A–D get :data:`GRADE_COLORS` and other names are
    ranked by their best composite. The value axis starts at ``xmin``
    (default 70, lower if a value needs it) so that differences show; bars
    are labelled with the value as printed (``keep_zeros``: the scheme's
    ``rounding.keep_trailing_zeros``; 100.00 kept, 100 without).
    """
    if group not in set(evaluation["group"]):
        known = "、".join(dict.fromkeys(str(g) for g in evaluation["group"])) or "无"
        raise ValueError(f"评价表中没有单位类型“{group}”（现有：{known}）")
    rows = evaluation.loc[(evaluation["group"] == group) & evaluation["composite"].notna()]
    names = [str(s) for s in rows["short"]]
    values = [float(v) for v in rows["composite"]]
    grades_drawn = [None if pd.isna(g) else str(g) for g in rows["grade"]]
    if grades is None:
        grades = _grades_by_rank(evaluation)
    colors = grade_palette(grades, grade_colors)
    title = title or f"{unit_type_label(group)}综合指标值排名"
    apply_style(title, *chart_labels(names), *colors)
    ax = new_axes(ax, len(names), per_row=0.26)
    ax.set_title(title)
    if not names:
        return no_data(ax, "本月没有可评价的单位")
    bars = ax.barh(range(len(names)), values, height=0.65,
                   color=[colors.get(g, OTHER_GRADE_COLOR) for g in grades_drawn])
    ax.bar_label(bars, labels=[plain(v, keep_zeros=keep_zeros) for v in rows["composite"]], padding=3, fontsize=8.5)
    bar_rows(ax, names)
    low = xmin if xmin is not None else max(0.0, min(70.0, 10 * math.floor((min(values) - 3) / 10)))
    high = max(100.0, max(values))
    ax.set_xlim(low, high + (high - low) * 0.09)
    ax.set_xlabel("综合指标值")
    present = set(grades_drawn) - {None}
    order = [g for g in colors if g in present] + sorted(present - set(colors))
    handles = [Patch(color=colors.get(g, OTHER_GRADE_COLOR), label=grade_label(g)) for g in order]
    ax.legend(handles=handles, title="等级评价", loc="upper left", bbox_to_anchor=(1.01, 1.0),
              borderaxespad=0)
    return done(ax)


def overdue_bar(overdue: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None,
                legend: tuple[str, str] = ("因市热线办退回超期", "无故超期"),
                unassessed_legend: str = "未参与考核单位超期") -> Axes:
    """Overdue orders per unit (``MonthlyReport.overdue``), in the table's order.

    Each bar stacks the orders overdue because 市热线办 sent them back (justified)
    and the 无故超期 ones; it is labelled with the total and, if any, the
    unjustified count. Groups are separated by a dashed line and named on the
    right. ``legend`` names the two parts (the scheme's ``wording.*_overdue_legend``); rows whose
    ``assessed`` is false (units outside the assessment) are drawn in light grey as ``unassessed_legend``.
    """
    names = [str(s) for s in overdue["label"]]
    totals = [int(n) for n in overdue["overdue"]]
    # 无故超期 as the bulletin counts it (metrics.unjustified_overdue): assessed units only; the orders of
    # units outside the assessment are drawn apart, neither justified nor unjustified.
    assessed = [bool(a) for a in overdue["assessed"]] if "assessed" in overdue else [True] * len(names)
    unjustified = [int(n) if a else 0 for n, a in zip(overdue["unjustified"], assessed)]
    justified = [t - u if a else 0 for t, u, a in zip(totals, unjustified, assessed)]
    outside = [0 if a else t for t, a in zip(totals, assessed)]
    groups = [unit_type_label(g) for g in overdue["group"]] if "group" in overdue else []
    title = title or f"超期工单情况（共{sum(totals)}件，其中{legend[1]}{sum(unjustified)}件）"
    apply_style(title, *chart_labels(names), *groups, *legend, unassessed_legend)
    ax = new_axes(ax, len(names))
    ax.set_title(title)
    if not names:
        return no_data(ax, "本月没有超期工单")
    y = range(len(names))
    ax.barh(y, justified, height=0.65, color=SECONDARY, label=legend[0])
    if any(outside):
        ax.barh(y, outside, height=0.65, color="#D5D5D5", label=unassessed_legend)
    lefts = [j + o for j, o in zip(justified, outside)]
    late = ax.barh(y, unjustified, left=lefts, height=0.65, color=ALERT, label=legend[1])
    short = legend[1].removesuffix("超期") or legend[1]  # 无故超期 -> 无故
    labels = [f"{t}（{short}{u}）" if u else f"{t}" for t, u in zip(totals, unjustified)]
    ax.bar_label(late, labels=labels, padding=3, fontsize=9)
    bar_rows(ax, names)
    ax.set_xlim(0, max(totals) * 1.3 or 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("超期工单数（件）")
    starts = [i for i in range(len(groups)) if i == 0 or groups[i] != groups[i - 1]]
    if len(starts) > 1:
        for start, end in zip(starts, [*starts[1:], len(groups)]):
            if start:
                ax.axhline(start - 0.5, color="#9A9A9A", linewidth=0.8, linestyle="--")
            ax.annotate(groups[start], xy=(1.0, (start + end - 1) / 2), xycoords=("axes fraction", "data"),
                        xytext=(6, 0), textcoords="offset points", va="center", ha="left",
                        fontsize=9, color="#666666")
    legend_below_xlabel(ax, ncol=3 if any(outside) else 2)
    return done(ax)


def mailbox_channels(mailbox: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None,
                     keep_zeros: bool = True) -> Axes:
    """Letters per channel (``MonthlyReport.mailbox``), each bar annotated with its 满意率 when rated
    (``keep_zeros`` as in :func:`category_bar`)."""
    if mailbox is None:
        raise ValueError("没有群众来信数据（MonthlyReport.mailbox 为 None），无法绘制信箱图")
    names = [str(c) for c in mailbox["channel"]]
    letters = [int(n) for n in mailbox["letters"]]
    satisfaction = list(mailbox["satisfaction"]) if "satisfaction" in mailbox else [None] * len(names)
    title = title or f"各渠道群众来信及满意率（共{sum(letters)}件）"
    apply_style(title, *chart_labels(names))
    ax = new_axes(ax, None)
    ax.set_title(title)
    if not names:
        return no_data(ax, "本月没有群众来信")
    bars = ax.bar(range(len(names)), letters, width=0.55, color=PRIMARY)
    labels = [f"{n}件" if _missing(s) else f"{n}件\n满意率{pct(s, keep_zeros=keep_zeros)}" for n, s in zip(letters, satisfaction)]
    ax.bar_label(bars, labels=labels, padding=3, fontsize=9, linespacing=1.3)
    ax.set_xticks(range(len(names)), chart_labels(names))
    ax.grid(axis="x", visible=False)
    ax.set_ylim(0, max(letters) * 1.3 or 1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("来信数（件）")
    return done(ax)


def month_over_month(mom: pd.DataFrame, *, ax: Axes | None = None, kind: str = "事件分类",
                     title: str | None = None, keep_zeros: bool = True, previous_label: str = "上月") -> Axes:
    """本月 against 上月 for the rows of ``MonthlyReport.month_over_month`` of one ``kind``.

    ``kind`` is ``"总量"`` (totals) or ``"事件分类"`` (categories). Pairs of bars
    in the table's order, 本月 above 上月; the 本月 bar is labelled with its
    count and the 环比 change rate, e.g. ``426（-0.47%）`` (``keep_zeros`` as in :func:`category_bar`).
    ``previous_label`` names the previous month's bars in the legend (the bulletin: "上月（4月15日至4月30日）"
    when the data hold only part of it).
    """
    if mom is None:
        raise ValueError("没有上月数据（MonthlyReport.month_over_month 为 None），无法绘制环比图")
    if kind not in KINDS:
        raise ValueError(f"环比图的 kind“{kind}”无效，应为 {' 或 '.join(KINDS)}")
    rows = mom.loc[mom["kind"] == kind]
    names = [str(s) for s in rows["item"]]
    current = [int(n) for n in rows["current"]]
    previous = [int(n) for n in rows["previous"]]
    rates = list(rows["change_rate"]) if "change_rate" in rows else [None] * len(names)
    title = title or ("诉求事件分类环比" if kind == "事件分类" else "诉求总量环比")
    apply_style(title, *chart_labels(names), previous_label)
    ax = new_axes(ax, len(names), per_row=0.42)
    ax.set_title(title)
    if not names:
        return no_data(ax, f"没有“{kind}”数据")
    y = list(range(len(names)))
    h = 0.38
    now = ax.barh([i - h / 2 for i in y], current, height=h, color=PRIMARY, label="本月")
    before = ax.barh([i + h / 2 for i in y], previous, height=h, color=SECONDARY, label=previous_label)
    ax.bar_label(now, labels=[f"{c}（{_signed(r, keep_zeros)}）" for c, r in zip(current, rates)], padding=3, fontsize=8.5)
    ax.bar_label(before, labels=[str(p) for p in previous], padding=3, fontsize=8.5, color="#666666")
    bar_rows(ax, names)
    ax.set_xlim(0, max(current + previous) * 1.3 or 1)
    ax.set_xlabel("件数（括号内为环比增减幅度）")
    ax.legend(loc="lower right", frameon=True, framealpha=0.9, edgecolor="#DDDDDD")
    return done(ax)


# ---------------------------------------------------------------- helpers
from .chart_style import _rank_color  # noqa: E402,F401  (pyhotline.export's appendix colours)

_no_data, _done = no_data, done  # the names pyhotline.trends knows


def _grades_by_rank(evaluation: pd.DataFrame) -> list[str]:
    """Without the scheme: A–D as such, other names ranked by their best 综合指标值 (higher is better)."""
    rated = evaluation.loc[evaluation["grade"].notna() & evaluation["composite"].notna()]
    best = rated.groupby(rated["grade"].astype(str))["composite"].max()
    names = list(best.index)
    if set(names) <= set(GRADE_COLORS):
        return list(GRADE_COLORS)
    return sorted(names, key=lambda g: -float(best[g]))


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _signed(rate: object, keep_zeros: bool = True) -> str:
    if _missing(rate):
        return "—"
    text = plain(rate if isinstance(rate, Decimal) else Decimal(str(rate)), keep_zeros=keep_zeros)
    return f"+{text}%" if Decimal(str(rate)) > 0 else f"{text}%"
