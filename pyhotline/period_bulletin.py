"""The bulletin's trend part: the monthly bulletin's trend chart, a period's comparisons and trend charts.

:func:`show` is the notebook's one call for it (after ``doc.charts()``): for a month, the chart of
:func:`pyhotline.trends.trend_for`'s table, numbered after the other charts; for a quarter or a
year (:class:`~pyhotline.period.PeriodReport`), a section with the comparisons with 上期 and
上年同期 (or why there are none) and the charts of the period's months. The part is recorded
on the :class:`~pyhotline.bulletin.Bulletin` like its own parts, so the Word file has it too.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from .bulletin import figure_html
from .numbers import pct
from .period import PeriodReport, kind, period_caption, period_name, period_title, year_earlier
from .trends import group_trend, trend_chart


def comparison_sentence(report: PeriodReport) -> str:
    """One sentence per comparison made; the missing ones named (their reason is in 数据说明)."""
    parts, missing = [], []
    for label, table, other in (("上期", report.previous, report.month - 1),
                                ("上年同期", report.year_ago, year_earlier(report.month))):
        if label == "上年同期" and kind(report.month) == "year":
            continue
        if table is None:
            missing.append(label)
            continue
        row = table.loc[table["item"] == "热线诉求总量"].iloc[0]
        change = int(row["change"])
        if change == 0:
            parts.append(f"与{label}（{period_title(other)}）持平")
        else:
            rate = row["change_rate"]
            word, rate_word = ("增加", "上升") if change > 0 else ("减少", "下降")
            parts.append(f"较{label}（{period_title(other)}）{word}{abs(change)}件"
                         + (f"，{rate_word}{pct(abs(rate), keep_zeros=report.scheme.keep_trailing_zeros)}" if rate is not None else ""))
    lead = f"{period_name(report.month)}共受理热线诉求{report.totals['requests']}件"
    text = lead + ("，" + "；".join(parts) if parts else "") + "。"
    if missing:
        text += f"{'、'.join(missing)}数据不全，未作对比（见数据说明）。"
    return text


def _figure(doc, ax, name: str, caption: str) -> str:
    from .charts import save_figure

    doc._figures += 1
    path = doc.output_dir / "charts" / f"{doc._figures:02d}-{name}.png"
    save_figure(ax, path)
    return figure_html(path.read_bytes(), f"图{doc._figures}　{caption}")


def _grid(figures: list[str]) -> str:
    pairs = [figures[i : i + 2] for i in range(0, len(figures), 2)]
    return '<table class="chart-grid">' + "".join("<tr>" + "".join(f"<td>{f}</td>" for f in p) + "</tr>" for p in pairs) + "</table>"


def trend_html(doc, trend: pd.DataFrame | None) -> str:
    """The monthly bulletin's trend chart (nothing when fewer than two months are in the store)."""
    if trend is None or len(trend) < 2:
        return ""
    m = period_caption(doc.report.month)
    caption = f"截至{m}近{len(trend)}个月热线诉求量、按期办结率和回访不满意率"
    if not trend["complete"].all():
        caption += "（斜线：该月数据不全）"
    return f'<section class="charts">{_grid([_figure(doc, trend_chart(trend), "trend", caption)])}</section>'


def period_html(doc) -> str:
    """A quarter's or year's section: comparisons, then the charts of its months."""
    report: PeriodReport = doc.report
    m = period_caption(report.month)
    figures = [
        _figure(doc, trend_chart(report.series, title="各月热线诉求量、按期办结率和回访不满意率"), "months",
                f"{m}各月热线诉求量、按期办结率和回访不满意率"),
        _figure(doc, group_trend(report.groups), "groups", f"{m}各类单位综合指标值逐月变化"),
    ]
    return (f'<section class="charts"><h2 class="appendix-title">{escape(period_title(report.month))}各月趋势与对比</h2>'
            f"<p>{escape(comparison_sentence(report))}</p>{_grid(figures)}</section>")


def show(doc, trend: pd.DataFrame | None = None):
    """Display (and record on ``doc``) the trend part of the bulletin ``doc``."""
    markup = period_html(doc) if isinstance(doc.report, PeriodReport) else trend_html(doc, trend)
    return doc._html(markup, "trend" if markup else None)
