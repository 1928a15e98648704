"""The bulletin's layout: sections of HTML built from a :class:`MonthlyReport`.

The notebook calls these and displays the result; nbconvert then turns the
executed notebook into the bulletin's HTML, and WeasyPrint into its PDF
(:mod:`pyhotline.render`). Every data-driven string is HTML-escaped.

The sentences themselves are in :mod:`pyhotline.bulletin_text` (plain text, so tests can read
them without HTML); every name there is importable from here too.
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape
from pathlib import Path

import pandas as pd

from .bulletin_text import (  # noqa: F401  (the bulletin's sentences, importable from here as before)
    CN_NUMERALS,
    charts_title,
    cn_number,
    group_label,
    other_order_notes,
    para_letters,
    para_month_over_month,
    para_overdue,
    para_rankings,
    para_work_orders,
    problems,
    title,
    title_for,
)
from . import order_lists
from .export import appendix_title, write_appendix
from .notes import Notes
from .numbers import plain
from .period import period_caption
from .report import MonthlyReport, partial_previous_words
from .series import text as series_text

# ---------------------------------------------------------------- HTML
def _p(text: str | None, cls: str = "") -> str:
    if not text:
        return ""
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


def masthead_html(report: MonthlyReport, *, issue: int | None = None, date: str | dt.date | None = None) -> str:
    scheme = report.scheme
    when = _date(date)
    issue_line = f'<div class="issue">第 {int(issue)} 期</div>' if issue else ""
    return (
        '<header class="masthead">'
        f'<div class="publication">{escape(scheme.publication or scheme.county + "政务督查")}</div>'
        f"{issue_line}"
        f'<div class="meta"><span>{escape(scheme.office)}</span>'
        f"<span>{when.year} 年 {when.month} 月 {when.day} 日</span></div>"
        "</header>"
        f'<h1 class="title">{_title_lines(title(report))}</h1>'
    )


def _title_lines(text: str) -> str:
    """A long title in two lines, each within the 版心 at 2号 (22 pt), broken where the words allow:
    after 和 (及, 与) or before (运行)(办理)情况通报, whichever gives the more even lines."""
    if len(text) <= 20:
        return escape(text)
    cuts = [i + 1 for i, ch in enumerate(text) if ch in "和及与"]
    cuts += [text.find(tail) for tail in ("运行办理情况通报", "办理情况通报", "情况通报")]
    cuts = [c for c in cuts if 0 < c < len(text)]
    if not cuts:
        return escape(text)
    cut = min(cuts, key=lambda c: max(c, len(text) - c))
    return f"{escape(text[:cut])}<br/>{escape(text[cut:])}"


def _date(date: str | dt.date | None) -> dt.date:
    if date is None:
        return dt.date.today()
    if isinstance(date, dt.date):
        return date
    return dt.date.fromisoformat(str(date))


def basic_html(report: MonthlyReport, notes: Notes | None = None) -> str:
    """一、基本情况: work orders and categories, 环比, rankings, overdue, letters."""
    paragraphs = [
        para_work_orders(report),
        para_month_over_month(report),
        series_text.para_year_over_year(report),
        para_rankings(report),
        *series_text.basic_paragraphs(report),
        para_overdue(report),
        para_letters(report),
    ]
    paragraphs += notes.paragraphs("basic") if notes else []
    return "<h2>一、基本情况</h2>" + "".join(_p(p) for p in paragraphs)


def problems_html(report: MonthlyReport, notes: Notes | None = None) -> str:
    items = problems(report, notes) + series_text.problem_items(report)
    body = "".join(
        f'<p><span class="lead">{i}、{escape(head)}：</span>{escape(text)}</p>'
        for i, (head, text) in enumerate(items, start=1)
    )
    body += "".join(_p(t) for t in other_order_notes(report, notes) + (notes.paragraphs("problems") if notes else []))
    return "<h2>二、存在的问题</h2>" + (body or _p(report.scheme.words("no_problems")))


def cases_html(notes: Notes | None) -> str:
    """三、典型案例 from the office's notes (nothing when there are none); titles （一）（二）… in 楷体."""
    if notes is None or not notes.cases:
        return ""
    body, n = "", 0
    for case in notes.cases:
        if case.title:
            n += 1
            body += f"<h3>（{cn_number(n)}）{escape(case.title)}</h3>"
        body += "".join(_p(t) for t in case.paragraphs)
    return "<h2>三、典型案例</h2>" + body


def _requirement_paragraphs(block: str) -> list[str]:
    """A block of the 工作要求 file as paragraphs: each numbered or bulleted line (1. （一） 一、 - *) starts its
    own; other lines continue the one before, joined without a space between Chinese characters (as the
    notes file is read), with one between Latin words."""
    out: list[str] = []
    for line in (raw.strip() for raw in block.split("\n")):
        if not line:
            continue
        if not out or _ITEM.match(line):
            out.append(re.sub(r"^[-*]\s+", "", line))
        else:
            before = out[-1]
            joint = " " if before[-1:].isascii() and line[:1].isascii() else ""
            out[-1] = before + joint + line
    return out


_ITEM = re.compile(r"^(?:\d+[.、．)]|[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|[-*]\s)")


def requirements_html(report: MonthlyReport, text: str | None = None, notes: Notes | None = None) -> str:
    text = report.scheme.requirements_text() if text is None else text
    paragraphs = [p for block in text.split("\n\n") if block.strip() for p in _requirement_paragraphs(block)]
    paragraphs += notes.paragraphs("requirements") if notes else []
    if not paragraphs:
        return ""
    number = "四" if notes is not None and notes.cases else "三"
    return f"<h2>{number}、工作要求</h2>" + "".join(_p(p) for p in paragraphs)


def attachments_html(report: MonthlyReport, *, charts: bool = True) -> str:
    """The list of attachments closing the body, as the reference does; 附件3 (the complete lists of order
    numbers) only when the text cut one (:func:`pyhotline.order_lists.is_cut`)."""
    items = [appendix_title(report)] + ([charts_title(report)] if charts else [])
    items += [order_lists.title(report)] if order_lists.is_cut(report) else []
    if len(items) == 1:
        return f'<p class="attachments">附件：{escape(items[0])}</p>'
    listed = "".join(f"<div>{i}. {escape(t)}</div>" for i, t in enumerate(items, start=1))
    return f'<div class="attachments"><span>附件：</span><div>{listed}</div></div>'


def appendix_html(report: MonthlyReport) -> str:
    """附件1: the evaluation table, one table per 单位类型 (each starting on its own page)."""
    table = report.appendix(with_group=False)
    groups = report.evaluation["group"].tolist()
    ranks = {g.name: i for i, g in enumerate(report.scheme.grades)}  # 0: the top grade, unshaded
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    blocks = []
    for group in dict.fromkeys(groups):
        rows = []
        for g, row in zip(groups, table.itertuples(index=False)):
            if g != group:
                continue
            grade = row[-1]
            rank = ranks.get(grade, 0)
            cls = f' class="grade-{"BCD"[min(rank, 3) - 1]}"' if rank else ""  # shading by rank, whatever the names
            rows.append(f"<tr{cls}>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>")
        blocks.append(
            f'<table class="evaluation"><caption>{escape(group_label(group))}</caption>'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
        )
    return (
        '<section class="appendix">'
        '<p class="attachment-ref">附件1</p>'
        f'<h2 class="appendix-title">{escape(appendix_title(report))}</h2>'
        + "".join(blocks)
        + '<p class="note">注：综合指标值 = ' + escape(_formula(report)) + escape(_rounding_note(report)) + "；等级："
        + escape("，".join(_grade_rules(report))) + "。" + escape(_no_due_note(report)) + "</p>"
        + quality_html(report)
        + "</section>"
    )


def quality_warnings(report: MonthlyReport) -> list[str]:
    """What the reader of the bulletin should know about the data: an unfinished month, then each warning."""
    warnings = [w for record in report.quality for w in record.warnings]
    said = any(w.startswith("导入的工单数据截至") for w in warnings)  # the store's coverage note says it already
    if report.incomplete and not said:
        warnings.insert(0, f"数据截至 {report.as_of:%Y-%m-%d %H:%M}，早于本月月底，各项数字为截至该时的情况")
    return warnings


def quality_lines(report: MonthlyReport) -> list[str]:
    """The data-quality summary as lines: per file, rows read and set aside; then the warnings."""
    return [record.summary() for record in report.quality] + quality_warnings(report)


def quality_html(report: MonthlyReport) -> str:
    """One compact note under the table: files read and set aside, then any warnings."""
    if not report.quality:
        return ""
    files = "；".join(record.summary() for record in report.quality)
    extra = "".join(f"<br/>注意：{escape(w)}" for w in quality_warnings(report))
    return (
        f'<p class="note quality">数据说明：{escape(files)}。来电人、联系电话、诉求内容等个人信息在读入时已去除，'
        f"不出现在本通报中。{extra}</p>"
    )


def _rounding_note(report: MonthlyReport) -> str:
    scheme = report.scheme
    word = "四舍五入" if scheme.rounding == "half_up" else "四舍六入五成双"
    return (f"，各项比率{word}保留{scheme.rate_decimals}位小数后计算，"
            f"综合指标值{word}保留{scheme.composite_decimals}位小数")


def _formula(report: MonthlyReport) -> str:
    from .scheme import RATES

    parts = []
    for rate, positive in RATES.items():
        w = report.scheme.weights[rate]
        if w:
            parts.append(f"{plain(w)}×{rate}" if positive else f"{plain(w)}×(100−{rate})")
    return " + ".join(parts)


def _no_due_note(report: MonthlyReport) -> str:
    """附件1's note on "—" (wording.appendix_no_due), for the report's span: 当月, 本季度, 本年度."""
    from .period import kind

    return report.scheme.words("appendix_no_due", span={"month": "当月", "quarter": "本季度"}.get(kind(report.month), "本年度"))


def _grade_rules(report: MonthlyReport) -> list[str]:
    grades = report.scheme.grades
    out = []
    for g in grades[:-1]:
        out.append(f"{g.name} ≥ {plain(g.min)}")
    out.append(f"{grades[-1].name} 低于 {plain(grades[-2].min)}" if len(grades) > 1 else grades[-1].name)
    return out


def charts_html(report: MonthlyReport, figures: list[str]) -> str:
    """附件2: the charts, two to a row on landscape pages."""
    if not figures:
        return ""
    pairs = [figures[i : i + 2] for i in range(0, len(figures), 2)]
    rows = ["<tr>" + "".join(f"<td>{f}</td>" for f in pair) + "</tr>" for pair in pairs]
    return (
        '<section class="charts"><p class="attachment-ref">附件2</p>'
        f'<h2 class="appendix-title">{escape(charts_title(report))}</h2>'
        f'<table class="chart-grid">{"".join(rows)}</table></section>'
    )


def problem_orders_html(report: MonthlyReport, number: int = 3) -> str:
    """附件3: every order the text's capped lists stand for (pyhotline.order_lists), one table on landscape
    pages, the header row repeated; nothing when no list was cut. No personal data: unit, number,
    problem, dates."""
    if not order_lists.is_cut(report):
        return ""
    table = order_lists.printed(report)
    cap, total = report.scheme.max_attachment_rows, len(table)
    more = ""
    if cap and total > cap:  # bounded documents: the whole list is the sheet of evaluation.xlsx
        table = table.head(cap)
        more = '<p class="note">' + escape(report.scheme.words(
            "problem_orders_more", count=total, shown=cap, sheet=report.scheme.words("problem_orders_sheet"))) + "</p>"
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    rows = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>"
                   for row in table.itertuples(index=False))
    return (
        f'<section class="appendix problem-orders"><p class="attachment-ref">附件{number}</p>'
        f'<h2 class="appendix-title">{escape(order_lists.title(report))}</h2>'
        f'{more}<table class="evaluation problem-orders"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        "</section>"
    )


def figure_html(png: bytes, caption: str) -> str:
    import base64

    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure class="chart"><img src="data:image/png;base64,{data}" alt="{escape(caption)}"/>'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def default_output_dir(month: pd.Period) -> Path:
    """``outputs/<month>`` of the project (beside the package), or of the current folder."""
    project = Path(__file__).resolve().parents[1]
    root = project if (project / "pyproject.toml").is_file() else Path.cwd()
    return root / "outputs" / str(month)


class Bulletin:
    """What the notebook uses: each method returns an HTML object ready for ``display``.

    Charts are saved as PNG into ``output_dir/charts`` and embedded in the
    page; the appendix is also written as ``output_dir/evaluation.xlsx``.
    """

    def __init__(self, report: MonthlyReport, *, output_dir: str | Path | None = None, issue: int | None = None,
                 date: str | dt.date | None = None, notes: Notes | None = None) -> None:
        self.report = report
        self.notes = notes  # the office's notes for the month (pyhotline.notes.load_notes), or None
        self.output_dir = Path(output_dir) if output_dir else default_output_dir(report.month)
        self.issue = issue
        self.date = date
        self._figures = 0
        self.shown: dict[str, str] = {}  # each part as displayed (a re-run cell replaces its part): the DOCX

    def _html(self, markup: str, part: str | None = None):
        from IPython.display import HTML

        if part:
            self.shown[part] = markup
        return HTML(markup)

    def masthead(self):
        return self._html(masthead_html(self.report, issue=self.issue, date=self.date), "masthead")

    def basic(self):
        return self._html(basic_html(self.report, self.notes), "basic")

    def problems(self):
        return self._html(problems_html(self.report, self.notes) + cases_html(self.notes), "problems")

    def requirements(self):
        return self._html(requirements_html(self.report, notes=self.notes) + attachments_html(self.report), "requirements")

    def appendix(self):
        """附件1, the evaluation table; also written as ``evaluation.xlsx``."""
        write_appendix(self.report, self.output_dir / "evaluation.xlsx")
        return self._html(appendix_html(self.report), "appendix")

    def charts(self, names: tuple[str, ...] | None = None):
        """附件2: every chart of the bulletin (saved as PNG in ``charts/`` too)."""
        from . import charts

        figures = []
        for name in names or chart_names(self.report):
            made = bulletin_chart(self.report, name)
            if made is None:
                continue
            ax, caption = made
            self._figures += 1
            path = self.output_dir / "charts" / f"{self._figures:02d}-{name}.png"
            charts.save_figure(ax, path)
            figures.append(figure_html(path.read_bytes(), f"图{self._figures}　{caption}"))
        return self._html(charts_html(self.report, figures), "charts")

    def problem_orders(self):
        """附件3, the complete lists behind the text's capped ones (shows nothing when none was cut)."""
        return self._html(problem_orders_html(self.report), "problem_orders")

    def save_docx(self, name: str = "bulletin.docx") -> Path:
        """The parts displayed so far, in their order, as an editable Word document in 公文 layout
        (:mod:`pyhotline.word`): ``output_dir/bulletin.docx``. Shows nothing."""
        from .word import write_docx

        return write_docx(list(self.shown.values()), self.output_dir / name, title=title(self.report),
                          author=self.report.scheme.office)


#: The bulletin's charts; "rank" stands for one 综合指标值 chart per unit type, in the scheme's order.
CHARTS = ("categories", "month_over_month", "rank", "overdue", "mailbox")
_RANK_NAMES = {"乡镇(街道)": "rank_towns", "县直单位": "rank_departments"}


def chart_names(report: MonthlyReport) -> list[str]:
    """The names of the charts of this report: ``rank`` expanded to one per unit type."""
    names = []
    for name in CHARTS:
        if name == "rank":
            names += [_RANK_NAMES.get(g, f"rank_{i}") for i, g in enumerate(report.scheme.narrative_groups, start=1)]
        else:
            names.append(name)
    return names


def _rank_group(report: MonthlyReport, name: str) -> str | None:
    for i, group in enumerate(report.scheme.narrative_groups, start=1):
        if name in (_RANK_NAMES.get(group), f"rank_{i}"):
            return group
    return None


def bulletin_chart(report: MonthlyReport, name: str):
    """Draw the named chart of the bulletin: ``(ax, caption)``, or None when there is nothing to draw."""
    from . import charts

    m = period_caption(report.month)
    zeros = report.scheme.keep_trailing_zeros  # labels print as the text does
    if name == "categories":
        return charts.category_bar(report.categories, keep_zeros=zeros), f"{m}热线诉求事件分类"
    if name == "month_over_month":
        if report.month_over_month is None:
            return None
        previous = "上月"
        if report.previous_covered:  # the data hold part of the previous month: the legend says which days
            previous += f"（{partial_previous_words(report.month - 1, report.previous_covered)['span']}）"
        return (charts.month_over_month(report.month_over_month, kind="事件分类", keep_zeros=zeros, previous_label=previous),
                f"{m}各类诉求与上月对比（环比）")
    group = _rank_group(report, name)
    if group is not None:
        if not (report.evaluation["group"] == group).any():
            return None
        return charts.composite_rank(report.evaluation, group=group, grades=report.scheme.grades,
                                      keep_zeros=zeros), f"{m}{group_label(group)}工单办理综合指标值排名"
    if name == "overdue":
        if report.overdue.empty:
            return None
        legend = (report.scheme.words("justified_overdue_legend"), report.scheme.words("unjustified_overdue_legend"))
        outside = f"{report.scheme.unassessed_label}超期"
        return charts.overdue_bar(report.overdue, legend=legend, unassessed_legend=outside), f"{m}超期工单分布"
    if name == "mailbox":
        if report.mailbox is None or report.mailbox.empty:
            return None
        return charts.mailbox_channels(report.mailbox, keep_zeros=zeros), f"{m}群众来信渠道分布及满意率"
    raise ValueError(f"unknown chart {name!r}; known: {', '.join(chart_names(report))}")
