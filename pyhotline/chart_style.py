"""The charts' look and the drawing helpers they share (:mod:`pyhotline.charts` draws the charts).

Colours, the seaborn theme with a CJK font that covers the chart's strings (:func:`apply_style`),
plain-text artists (no mathtext, no TeX: data strings may hold ``$``), PNG output without metadata
(:func:`save_figure`, :func:`png_bytes`), grade colours by rank (:func:`grade_palette`) and the
category axis of the horizontal bar charts, whose labels are cut at :data:`LABEL_WIDTH` display
units with "…" (:func:`chart_label`; the full name stays in the tables, the text and figures.json).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from . import fonts
from .numbers import ELLIPSIS, LABEL_WIDTH, chart_label, display_width  # noqa: F401  (re-exported)

INK = "#333333"
PRIMARY = "#3E6A92"  # muted steel blue: the one series of a chart, or 本月
SECONDARY = "#B4C3D3"  # light blue-grey: 上月, justified overdue
ALERT = "#B03A2E"  # muted red: 无故超期
GRADE_COLORS = {"A": "#3C7F5B", "B": "#D9A21B", "C": "#D9722B", "D": "#B03A2E"}
OTHER_GRADE_COLOR = "#8C8C8C"
#: Grade colours by rank, best first: a scheme's grades get these spread over their number
#: (two grades: green and red; four: exactly :data:`GRADE_COLORS`), unless the scheme sets ``color``.
RANK_COLORS = tuple(GRADE_COLORS.values())
WIDTH = 7.0  # inches; about the text width of an A4 page

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
    "text.parse_math": False,  # data strings are text: "$x^2$" in a unit name is not a formula
    "text.usetex": False,
}
#: The fixed words of the charts, checked with the data strings when the font is chosen.
_CHART_WORDS = (
    "诉求事件分类共件其余类本月没有诉求件数综合指标值排名可评价的单位等级评价级超期工单情况其中无故因市热线办退回"
    "各渠道群众来信及满意率来信数环比总量上月括号内为增减幅度—（）%+-.0123456789"
)


def apply_style(*texts: str) -> str:
    """seaborn's whitegrid theme, then a CJK sans font (in that order: set_theme resets fonts).

    ``texts``: the strings the chart will draw; the font chosen covers them
    (:func:`pyhotline.fonts.find_cjk_face`). Cheap and idempotent (the font
    look-up is cached); returns the font family.
    """
    sns.set_theme(style="whitegrid", rc=_STYLE_RC)
    return fonts.use_cjk_font("sans", text=_CHART_WORDS + "".join(texts))


def plain_text(fig_or_ax) -> None:
    """Every text artist of the figure drawn as given: no mathtext, no TeX (data strings may hold ``$``)."""
    fig = fig_or_ax if isinstance(fig_or_ax, Figure) else fig_or_ax.figure
    for text in fig.findobj(Text):
        text.set_parse_math(False)
        text.set_usetex(False)


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
    plain_text(fig)
    canvas = FigureCanvasAgg(fig)
    with plt.rc_context({"text.parse_math": False, "text.usetex": False}):  # ticks made while drawing too
        canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", dpi=(dpi, dpi), compress_level=6)
    return buffer.getvalue()


def grade_palette(grades: Sequence, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Colour of each grade, best first (the returned dict keeps the grades' order).

    ``grades``: the scheme's grades (objects with ``name`` and an optional
    ``color``) or names. A grade's colour is, in this order: ``overrides``,
    the scheme's ``color``, else its rank's colour from :data:`RANK_COLORS`
    (green for the best, red for the worst, spread evenly between).
    """
    overrides = overrides or {}
    names = [str(getattr(g, "name", g)) for g in grades]
    out = {}
    for i, (name, grade) in enumerate(zip(names, grades)):
        out[name] = overrides.get(name) or getattr(grade, "color", None) or _rank_color(i, len(names))
    for name, color in overrides.items():
        out.setdefault(name, color)
    return out


def grade_label(grade: str) -> str:
    """The legend's name for a grade: ``A级`` for a letter, the name itself otherwise (``优秀``)."""
    return f"{grade}级" if len(grade) == 1 and grade.isascii() else grade


def _rank_color(position: int, count: int) -> str:
    """The colour of rank ``position`` of ``count``: :data:`RANK_COLORS` spread evenly (exact at its stops)."""
    from matplotlib.colors import to_hex, to_rgb

    if count <= 1:
        return RANK_COLORS[0]
    x = position / (count - 1) * (len(RANK_COLORS) - 1)
    if abs(x - round(x)) < 1e-9:
        return RANK_COLORS[round(x)]
    low = min(int(x), len(RANK_COLORS) - 2)
    t = x - low
    a, b = to_rgb(RANK_COLORS[low]), to_rgb(RANK_COLORS[low + 1])
    return to_hex(tuple(p + (q - p) * t for p, q in zip(a, b)))


def legend_below_xlabel(ax: Axes, *, ncol: int) -> None:
    """The legend under the x-axis label at a fixed distance in points (an offset in axes fractions
    lands on the label when the chart is short: few bars)."""
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties
    from matplotlib.transforms import offset_copy

    def size(key: str) -> float:
        return FontProperties(size=rcParams[key]).get_size_in_points()

    below = (rcParams["xtick.major.size"] + rcParams["xtick.major.pad"] + size("xtick.labelsize") * 1.2
             + rcParams["axes.labelpad"] + size("axes.labelsize") * 1.2 + 4)
    anchor = offset_copy(ax.transAxes, fig=ax.figure, y=-below, units="points")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=anchor, ncol=ncol, borderaxespad=0)


def chart_labels(names: Sequence[str], width: int = LABEL_WIDTH) -> list[str]:
    """:func:`chart_label` of each name."""
    return [chart_label(n, width) for n in names]


def new_axes(ax: Axes | None, rows: int | None, *, per_row: float = 0.32) -> Axes:
    if ax is not None:
        return ax
    height = 3.6 if rows is None else max(2.4, 1.3 + per_row * rows)
    _, ax = plt.subplots(figsize=(WIDTH, height), layout="constrained")
    return ax


def bar_rows(ax: Axes, names: list[str]) -> None:
    """Category axis of a horizontal bar chart: first row at the top, no horizontal grid; each label cut
    by :func:`chart_label`."""
    ax.set_yticks(range(len(names)), chart_labels(names))
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)


def no_data(ax: Axes, message: str) -> Axes:
    ax.text(0.5, 0.5, message, transform=ax.transAxes, ha="center", va="center", color="#666666")
    ax.set_xticks([])
    ax.set_yticks([])
    return done(ax)


def done(ax: Axes) -> Axes:
    plain_text(ax)
    return ax
