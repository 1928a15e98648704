"""The bulletin's charts, drawn from :class:`~pyhotline.report.MonthlyReport`'s tidy frames.

Computing stays in :mod:`pyhotline.metrics`; these functions only draw. Each is
shaped like a seaborn axes-level function, ``f(data, *, ax=None, **kwargs) ->
Axes``: it draws on ``ax`` or, when ``ax`` is None, on a new figure sized for
the data. Rows are drawn in the table's order (top to bottom), with Chinese
titles, labels and legends, in calm print-friendly colours.

Every chart function calls :func:`apply_style` (seaborn theme, then a CJK font);
:func:`save_figure` writes a PNG and closes the figure. Nothing here calls
``plt.show``, so the functions work on any backend, Agg included.

    >>> r = ph.monthly_report("2024-05", ph.load_dataset())
    >>> save_figure(category_bar(r.categories), "out/categories.png")
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from . import fonts
from .numbers import pct, plain

INK = "#333333"
PRIMARY = "#3E6A92"  # muted steel blue: the one series of a chart, or 本月
SECONDARY = "#B4C3D3"  # light blue-grey: 上月, justified overdue
ALERT = "#B03A2E"  # muted red: 无故超期
GRADE_COLORS = {"A": "#3C7F5B", "B": "#D9A21B", "C": "#D9722B", "D": "#B03A2E"}
OTHER_GRADE_COLOR = "#8C8C8C"
WIDTH = 7.0  # inches; about the text width of an A4 page
KINDS = ("总量", "事件分类")

_STYLE_RC = {
    "axes.edgecolor": "#9A9A9A",
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "grid.color": "#E4E4E4",
    "axes.titlesize": 13,
    "axes.titlepad": 10,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 10,
    "legend.fontsize": 9,
    "legend.title_fontsize": 9,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.dpi": 200,
}


def apply_style() -> str:
    """seaborn's whitegrid theme, then a CJK sans font (in that order: set_theme resets fonts).

    Cheap and idempotent (the font look-up is cached); returns the font family.
    """
    sns.set_theme(style="whitegrid", rc=_STYLE_RC)
    return fonts.use_cjk_font("sans")


def save_figure(ax_or_fig, path: str | Path, dpi: int = 200) -> Path:
    """Save the figure of ``ax_or_fig`` (Axes, Figure, SubFigure or seaborn grid), then close it.

    PNG by default (the suffix decides), cropped to its content, without the
    "Software" stamp so the same chart gives the same bytes.
    """
    fig = ax_or_fig
    while not isinstance(fig, Figure):
        fig = fig.figure
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = path.suffix.lstrip(".").lower() or "png"
    if fmt == "png":
        path.write_bytes(png_bytes(fig, dpi=dpi))
    else:
        metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt)
        fig.savefig(path, format=fmt, dpi=dpi, metadata=metadata)  # constrained layout already fits the content
    plt.close(fig)
    return path


def png_bytes(fig: Figure, *, dpi: int = 200) -> bytes:
    """The figure as an opaque RGB PNG, drawn once.

    ``savefig`` draws a figure with a layout engine twice (a dry run for the
    layout, then the real one); drawing the canvas once lays it out and renders
    it in one pass. Opaque RGB because the page is white: the PDF then needs no
    separate transparency mask for each chart. No metadata, so the same chart
    gives the same bytes.
    """
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", dpi=(dpi, dpi), compress_level=6)
    return buffer.getvalue()


# ---------------------------------------------------------------- charts
def category_bar(categories: pd.DataFrame, *, ax: Axes | None = None, top: int | None = 10,
                 title: str | None = None) -> Axes:
    """Requests per 事件分类 (``MonthlyReport.categories``), largest at the top.

    Each bar is labelled with its count and share, e.g. ``426（20.88%）``. With
    ``top``, the categories after the first ``top`` are folded into one bar
    labelled “其余N类” (its share is the sum of their shares as printed); a
    single leftover category is simply shown. ``top=None`` shows all.
    """
    apply_style()
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
    ax = _axes(ax, len(names))
    ax.set_title(title or f"诉求事件分类（共{total}件）")
    if not names:
        return _no_data(ax, "本月没有诉求")
    bars = ax.barh(range(len(names)), counts, color=PRIMARY, height=0.65)
    ax.bar_label(bars, labels=[f"{n}（{pct(s)}）" for n, s in zip(counts, shares)], padding=3, fontsize=9)
    _rows(ax, names)
    ax.set_xlim(0, max(counts) * 1.28 or 1)
    ax.set_xlabel("诉求件数（件）")
    return ax


def composite_rank(evaluation: pd.DataFrame, *, group: str, ax: Axes | None = None,
                   grade_colors: dict[str, str] | None = None, xmin: float | None = None,
                   title: str | None = None) -> Axes:
    """综合指标值 of one 单位类型 (``group``: e.g. 县直单位 or 乡镇(街道)), in the table's order.

    Units without a 综合指标值 (nothing due) are left out. Bars are coloured by
    等级评价 (``grade_colors`` overrides :data:`GRADE_COLORS`), with a legend of
    the grades present. The value axis starts at ``xmin`` (default 70, lower
    if a value needs it) so that differences show; bars are labelled with the
    value as printed.
    """
    apply_style()
    if group not in set(evaluation["group"]):
        known = "、".join(dict.fromkeys(str(g) for g in evaluation["group"])) or "无"
        raise ValueError(f"评价表中没有单位类型“{group}”（现有：{known}）")
    rows = evaluation.loc[(evaluation["group"] == group) & evaluation["composite"].notna()]
    colors = {**GRADE_COLORS, **(grade_colors or {})}
    names = [str(s) for s in rows["short"]]
    values = [float(v) for v in rows["composite"]]
    grades = [None if pd.isna(g) else str(g) for g in rows["grade"]]
    ax = _axes(ax, len(names), per_row=0.26)
    ax.set_title(title or f"{group}综合指标值排名")
    if not names:
        return _no_data(ax, "本月没有可评价的单位")
    bars = ax.barh(range(len(names)), values, height=0.65,
                   color=[colors.get(g, OTHER_GRADE_COLOR) for g in grades])
    ax.bar_label(bars, labels=[plain(v) for v in rows["composite"]], padding=3, fontsize=8.5)
    _rows(ax, names)
    low = xmin if xmin is not None else max(0.0, min(70.0, 10 * math.floor((min(values) - 3) / 10)))
    high = max(100.0, max(values))
    ax.set_xlim(low, high + (high - low) * 0.09)
    ax.set_xlabel("综合指标值")
    present = list(dict.fromkeys(g for g in grades if g is not None))
    present.sort(key=lambda g: (list(colors).index(g) if g in colors else len(colors), g))
    handles = [Patch(color=colors.get(g, OTHER_GRADE_COLOR), label=f"{g}级") for g in present]
    ax.legend(handles=handles, title="等级评价", loc="upper left", bbox_to_anchor=(1.01, 1.0),
              borderaxespad=0)
    return ax


def overdue_bar(overdue: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Overdue orders per unit (``MonthlyReport.overdue``), in the table's order.

    Each bar stacks the orders overdue because 市热线办 sent them back (justified)
    and the 无故超期 ones; it is labelled with the total and, if any, the
    unjustified count. Groups are separated by a dashed line and named on the
    right.
    """
    apply_style()
    names = [str(s) for s in overdue["label"]]
    totals = [int(n) for n in overdue["overdue"]]
    unjustified = [int(n) for n in overdue["unjustified"]]
    justified = [t - u for t, u in zip(totals, unjustified)]
    ax = _axes(ax, len(names))
    ax.set_title(title or f"超期工单情况（共{sum(totals)}件，其中无故超期{sum(unjustified)}件）")
    if not names:
        return _no_data(ax, "本月没有超期工单")
    y = range(len(names))
    ax.barh(y, justified, height=0.65, color=SECONDARY, label="因市热线办退回超期")
    late = ax.barh(y, unjustified, left=justified, height=0.65, color=ALERT, label="无故超期")
    labels = [f"{t}（无故{u}）" if u else f"{t}" for t, u in zip(totals, unjustified)]
    ax.bar_label(late, labels=labels, padding=3, fontsize=9)
    _rows(ax, names)
    ax.set_xlim(0, max(totals) * 1.3 or 1)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("超期工单数（件）")
    groups = [str(g) for g in overdue["group"]] if "group" in overdue else []
    starts = [i for i in range(len(groups)) if i == 0 or groups[i] != groups[i - 1]]
    if len(starts) > 1:
        for start, end in zip(starts, [*starts[1:], len(groups)]):
            if start:
                ax.axhline(start - 0.5, color="#9A9A9A", linewidth=0.8, linestyle="--")
            ax.annotate(groups[start], xy=(1.0, (start + end - 1) / 2), xycoords=("axes fraction", "data"),
                        xytext=(6, 0), textcoords="offset points", va="center", ha="left",
                        fontsize=9, color="#666666")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, borderaxespad=0)
    return ax


def mailbox_channels(mailbox: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Letters per channel (``MonthlyReport.mailbox``), each bar annotated with its 满意率 when rated."""
    apply_style()
    if mailbox is None:
        raise ValueError("没有群众来信数据（MonthlyReport.mailbox 为 None），无法绘制信箱图")
    names = [str(c) for c in mailbox["channel"]]
    letters = [int(n) for n in mailbox["letters"]]
    satisfaction = list(mailbox["satisfaction"]) if "satisfaction" in mailbox else [None] * len(names)
    ax = _axes(ax, None)
    ax.set_title(title or f"各渠道群众来信及满意率（共{sum(letters)}件）")
    if not names:
        return _no_data(ax, "本月没有群众来信")
    bars = ax.bar(range(len(names)), letters, width=0.55, color=PRIMARY)
    labels = [f"{n}件" if _missing(s) else f"{n}件\n满意率{pct(s)}" for n, s in zip(letters, satisfaction)]
    ax.bar_label(bars, labels=labels, padding=3, fontsize=9, linespacing=1.3)
    ax.set_xticks(range(len(names)), names)
    ax.grid(axis="x", visible=False)
    ax.set_ylim(0, max(letters) * 1.3 or 1)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("来信数（件）")
    return ax


def month_over_month(mom: pd.DataFrame, *, ax: Axes | None = None, kind: str = "事件分类",
                     title: str | None = None) -> Axes:
    """本月 against 上月 for the rows of ``MonthlyReport.month_over_month`` of one ``kind``.

    ``kind`` is ``"总量"`` (totals) or ``"事件分类"`` (categories). Pairs of bars
    in the table's order, 本月 above 上月; the 本月 bar is labelled with its
    count and the 环比 change rate, e.g. ``426（-0.47%）``.
    """
    apply_style()
    if mom is None:
        raise ValueError("没有上月数据（MonthlyReport.month_over_month 为 None），无法绘制环比图")
    if kind not in KINDS:
        raise ValueError(f"环比图的 kind“{kind}”无效，应为 {' 或 '.join(KINDS)}")
    rows = mom.loc[mom["kind"] == kind]
    names = [str(s) for s in rows["item"]]
    current = [int(n) for n in rows["current"]]
    previous = [int(n) for n in rows["previous"]]
    rates = list(rows["change_rate"]) if "change_rate" in rows else [None] * len(names)
    ax = _axes(ax, len(names), per_row=0.42)
    ax.set_title(title or ("诉求事件分类环比" if kind == "事件分类" else "诉求总量环比"))
    if not names:
        return _no_data(ax, f"没有“{kind}”数据")
    y = list(range(len(names)))
    h = 0.38
    now = ax.barh([i - h / 2 for i in y], current, height=h, color=PRIMARY, label="本月")
    before = ax.barh([i + h / 2 for i in y], previous, height=h, color=SECONDARY, label="上月")
    ax.bar_label(now, labels=[f"{c}（{_signed(r)}）" for c, r in zip(current, rates)], padding=3, fontsize=8.5)
    ax.bar_label(before, labels=[str(p) for p in previous], padding=3, fontsize=8.5, color="#666666")
    _rows(ax, names)
    ax.set_xlim(0, max(current + previous) * 1.3 or 1)
    ax.set_xlabel("件数（括号内为环比增减幅度）")
    ax.legend(loc="lower right", frameon=True, framealpha=0.9, edgecolor="#DDDDDD")
    return ax


# ---------------------------------------------------------------- helpers
def _axes(ax: Axes | None, rows: int | None, *, per_row: float = 0.32) -> Axes:
    if ax is not None:
        return ax
    height = 3.6 if rows is None else max(2.4, 1.3 + per_row * rows)
    _, ax = plt.subplots(figsize=(WIDTH, height), layout="constrained")
    return ax


def _rows(ax: Axes, names: list[str]) -> None:
    """Category axis of a horizontal bar chart: first row at the top, no horizontal grid."""
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)


def _no_data(ax: Axes, message: str) -> Axes:
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", color="#666666")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _signed(rate: object) -> str:
    if _missing(rate):
        return "—"
    text = plain(rate if isinstance(rate, Decimal) else Decimal(str(rate)))
    return f"+{text}%" if Decimal(str(rate)) > 0 else f"{text}%"
