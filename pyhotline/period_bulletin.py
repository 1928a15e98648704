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
from .period import PeriodReport, kind, period_caption, period_name, period_title, year_earlier
from .trends import group_trend, trend_chart


def comparison_sentence(report: PeriodReport) -> str:
    """One sentence per comparison made; the missing ones named (their reason is in 数据说明). Every frame is
    a ``[wording]`` template (``period_requests``, ``period_same``/``period_change``/``period_rate``,
    ``period_missing``; the labels ``previous_period``, ``year_ago_period``)."""
    from .bulletin_text import change_words

    scheme = report.scheme
    w = scheme.words
    parts, missing = [], []
    for key, table, other in (("previous_period", report.previous, report.month - 1),
                              ("year_ago_period", report.year_ago, year_earlier(report.month))):
        if key == "year_ago_period" and kind(report.month) == "year":
            continue
        if table is None:
            missing.append(w(key))
            continue
        row = table.loc[table["item"] == "热线诉求总量"].iloc[0]
        parts.append(change_words(scheme, int(row["change"]), row["change_rate"], change_key="period_change",
                                  rate_key="period_rate", same_key="period_same", other=w(key),
                                  period=period_title(other)))
    comparisons = w("period_comparisons", list="；".join(parts)) if parts else ""
    text = w("period_requests", period=period_name(report.month), count=report.totals["requests"], comparisons=comparisons)
    if missing:
        text += w("period_missing", list="、".join(missing))
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
    """The monthly bulletin's trend chart (nothing when fewer than two months are in the store): its title
    ``wording.trend_title``, caption ``trend_caption`` (+ ``trend_incomplete`` when a month is hatched)."""
    if trend is None or len(trend) < 2:
        return ""
    w = doc.report.scheme.words
    caption = w("trend_caption", period=period_caption(doc.report.month), months=len(trend))
    if not trend["complete"].all():
        caption += w("trend_incomplete")
    chart = trend_chart(trend, title=w("trend_title", months=len(trend)))
    return f'<section class="charts">{_grid([_figure(doc, chart, "trend", caption)])}</section>'


def period_html(doc) -> str:
    """A quarter's or year's section (``wording.period_charts_heading``): comparisons, then the charts of its
    months (titles ``period_trend_title``, ``period_groups_title``; captions ``period_trend_caption``,
    ``period_groups_caption``)."""
    report: PeriodReport = doc.report
    w, m = report.scheme.words, period_caption(report.month)
    figures = [
        _figure(doc, trend_chart(report.series, title=w("period_trend_title")), "months",
                w("period_trend_caption", period=m)),
        _figure(doc, group_trend(report.groups, title=w("period_groups_title")), "groups",
                w("period_groups_caption", period=m)),
    ]
    heading = w("period_charts_heading", period=period_title(report.month))
    return (f'<section class="charts"><h2 class="appendix-title">{escape(heading)}</h2>'
            f"<p>{escape(comparison_sentence(report))}</p>{_grid(figures)}</section>")


def show(doc, trend: pd.DataFrame | None = None):
    """Display (and record on ``doc``) the trend part of the bulletin ``doc``."""
    markup = period_html(doc) if isinstance(doc.report, PeriodReport) else trend_html(doc, trend)
    return doc._html(markup, "trend" if markup else None)
