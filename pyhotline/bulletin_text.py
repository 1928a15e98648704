"""The bulletin's sentences as plain text, from a :class:`MonthlyReport` and its scheme's ``[wording]``.

Each paragraph is a function returning plain text (tests read it without HTML);
:mod:`pyhotline.bulletin` puts them into the page. County-specific phrases come from the
scheme's templates (docs/wording.md), never from here.
"""

from __future__ import annotations

import pandas as pd

from . import order_lists
from .notes import Notes
from .numbers import pct, plain, unit_type_label
from .period import period_name, period_title
from .report import MonthlyReport, partial_previous_words
from .scheme_fields import default_wording

CN_NUMERALS = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    """1..10 as 一..十 (as bulletins write small counts in ranking phrases); larger as digits."""
    return CN_NUMERALS[n - 1] if 1 <= n <= 10 else str(n)


def group_label(group: str) -> str:
    """A unit type as running text writes it: 乡镇(街道) -> 乡镇（街道） (numbers.unit_type_label)."""
    return unit_type_label(group)


def _m(report: MonthlyReport) -> str:
    return period_name(report.month)  # 5月份; a quarter's or year's report: 第二季度, 全年


def _join(items: list[str], sep: str = "、") -> str:
    return sep.join(items)


# ---------------------------------------------------------------- plain text
def title(report: MonthlyReport) -> str:
    return title_for(report.month, report.scheme.county, report.scheme.wording.get("title"))


def title_for(month: pd.Period, county: str, template: str | None = None) -> str:
    """The bulletin's title from the scheme's ``wording.title`` (the bundled one when not given)."""
    template = template or default_wording()["title"]
    return template.format(period=period_title(month), year=month.year, month=month.month, county=county)


def _pct(report: MonthlyReport, value) -> str:
    return pct(value, keep_zeros=report.scheme.keep_trailing_zeros)


def _plain(report: MonthlyReport, value) -> str:
    return plain(value, keep_zeros=report.scheme.keep_trailing_zeros)


def order_list(report: MonthlyReport, ids) -> str:
    """A unit's order numbers as the text names them: "[1]、[2]", capped at ``bulletin.max_orders_per_unit``
    with ``wording.more_orders`` ("等N件") when there are more (the complete list is in 附件3)."""
    shown, total = order_lists.capped(ids, report.scheme.max_orders_per_unit)
    listed = "、".join(f"[{i}]" for i in shown)
    if len(shown) < total:
        listed += report.scheme.words("more_orders", count=total, shown=len(shown))
    return listed


def para_work_orders(report: MonthlyReport) -> str:
    top = report.top_categories
    parts = [f"{count_after(report, c, n)}，占比{_pct(report, s)}" for c, n, s in zip(top["category"], top["count"], top["share"])]
    lead = f"{_m(report)}，共受理12345热线工单{report.totals['work_orders']}件"
    if not parts:
        return lead + "。"
    return f"{lead}，热线工单事件分类统计排行前{cn_number(len(parts))}的是：{'；'.join(parts)}。"


def para_month_over_month(report: MonthlyReport) -> str | None:
    mom = report.month_over_month
    if mom is None:
        return None
    row = mom.loc[mom["item"] == "派单工单"].iloc[0]
    change = int(row["change"])
    if change == 0:
        trend = "与上月持平"
    else:
        word = "增加" if change > 0 else "减少"
        rate_word = "上升" if change > 0 else "下降"
        rate = row["change_rate"]
        trend = f"较上月{word}{abs(change)}件" + (f"，环比{rate_word}{_pct(report, abs(rate))}" if rate is not None else "")
    if report.previous_covered:  # the previous month only partly in the data: said where the 环比 is
        trend += report.scheme.words("mom_partial", **partial_previous_words(report.month - 1, report.previous_covered))
    cats = mom.loc[mom["kind"] == "事件分类"].assign(abs_change=lambda d: d["change"].abs())
    cats = cats.loc[cats["change"] != 0].sort_values(["abs_change", "current"], ascending=False, kind="stable").head(2)
    moved = [f"{r.item}{'增加' if r.change > 0 else '减少'}{abs(int(r.change))}件" for r in cats.itertuples()]
    tail = f"；变化较大的分类是{_join(moved)}" if moved else ""
    return f"{_m(report)}热线工单{trend}{tail}。"


def para_rankings(report: MonthlyReport) -> str | None:
    groups = report.scheme.narrative_groups
    n = report.scheme.top_n
    num = cn_number(n)

    def names(table: pd.DataFrame, group: str) -> str:
        return _join(table.loc[table["group"] == group, "short"].tolist())

    volume = "。".join(
        f"{group_label(g)}办理工单量排名前{num}位为：{names(report.volume_top, g)}" for g in groups if names(report.volume_top, g)
    )
    composite = "。".join(
        f"工单办理综合指标值排名前{num}位的{group_label(g)}为：{names(report.composite_top, g)}"
        for g in groups
        if names(report.composite_top, g)
    )
    sentences = [x for x in (volume, composite) if x]
    if not sentences:
        return None
    return f"{_m(report)}，" + "。".join(sentences) + "。"


def para_overdue(report: MonthlyReport) -> str:
    total = report.overdue_total
    if total == 0:
        return f"{_m(report)}，热线工单均按期办结，无超期工单。"
    parts = [count_after(report, label, n) for label, n in zip(report.overdue["label"], report.overdue["overdue"])]
    still_open = int(report.overdue["open"].sum())
    cut = f"{report.as_of.year}年{report.as_of.month}月{report.as_of.day}日" if report.as_of is not None else "统计时"
    if still_open == 0:
        return f"{_m(report)}，热线超期办结工单{total}件，其中{'；'.join(parts)}。"
    return f"{_m(report)}，热线超期工单{total}件（其中{still_open}件至{cut}仍未办结），其中{'；'.join(parts)}。"


def para_letters(report: MonthlyReport) -> str | None:
    box = report.mailbox
    if box is None or box.empty:
        return None
    total = int(box["letters"].sum())
    channels = "，".join(count_after(report, c, n) for c, n in zip(box["channel"], box["letters"]))
    on_time, pending = int(box["on_time"].sum()), int(box["pending"].sum())
    late = total - on_time - pending
    if late == 0 and pending == 0:
        timely = "均已按时办结"
    else:
        parts = [f"按时办结{on_time}件"] + ([f"超期{late}件"] if late else []) + ([f"尚在办理期限内{pending}件"] if pending else [])
        timely = "，".join(parts)
    text = f"{_m(report)}，共受理群众来信{total}件，{channels}，{timely}。"
    channel = report.scheme.words("satisfaction_channel")
    rated = box.loc[box["channel"] == channel, "satisfaction"]
    if len(rated) and rated.iloc[0] is not None:
        text += report.scheme.words("satisfaction", channel=channel, rate=_pct(report, rated.iloc[0]))
    very = report.very_satisfied
    if very is not None and len(very):
        listed = _join([count_after(report, label, n) for label, n in zip(very["label"], very["count"])])
        text += f"非常满意信件{int(very['count'].sum())}件，其中：{listed}。"
    return text


def problems(report: MonthlyReport, notes: Notes | None = None) -> list[tuple[str, str]]:
    """二、存在的问题: (heading, text) items; items with nothing to report are left out. A named order's
    note (:mod:`pyhotline.notes`) replaces the generated sentence about that order."""
    items: list[tuple[str, str]] = []
    scheme = report.scheme
    lists = order_lists.unit_lists(report)  # the same lists as 附件3's (pyhotline.order_lists)
    late = [u for u in lists if u.problem == order_lists.UNJUSTIFIED]
    if late:
        n = sum(len(u.orders) for u in late)
        listed = "，".join(f"{u.label}{order_list(report, u.orders)}" for u in late)
        items.append((
            scheme.words("problem_timeliness"),
            _unjustified_sentence(scheme, n, listed),
        ))
    graded = [(g, units) for g, units in report.graded.items() if units]
    if graded:
        parts = [_graded_clause(scheme, _join(units), g) for g, units in graded]
        items.append((scheme.words("problem_quality"), f"{scheme.words('quality_cause')}{'；'.join(parts)}。"))
    parts = []
    for unit in (u for u in lists if u.problem != order_lists.UNJUSTIFIED):
        parts += _violation_clauses(report, unit, notes)
    if parts:
        items.append((scheme.words("problem_responsibility"), _sentences(parts)))
    return items


def _violation_clauses(report: MonthlyReport, unit: order_lists.UnitList, notes: Notes | None) -> list[str]:
    """Item 3 for one unit and rule: the office's note for a noted order; one order left: the sentence about
    it (``send_back`` / ``extension``); more: one sentence naming them, capped ("等N件";
    ``send_back_orders`` / ``extension_orders``)."""
    scheme = report.scheme
    send_back = unit.problem == order_lists.SEND_BACK
    limit = scheme.max_send_backs if send_back else scheme.max_extensions
    out, rest = [], []
    for order_id, count in zip(unit.orders, unit.counts):
        note = notes.order_text(order_id) if notes is not None else None
        if note:
            out.append(_OfficeWords(note))
        else:
            rest.append((order_id, count))
    if len(rest) == 1:
        (order_id, count), = rest
        out.append(scheme.words("send_back" if send_back else "extension", order=order_id, unit=unit.label,
                                count=count, max=limit))
    elif rest:
        out.append(scheme.words("send_back_orders" if send_back else "extension_orders", unit=unit.label,
                                orders=order_list(report, [o for o, _ in rest]), total=len(rest), max=limit))
    return out


def _unjustified_sentence(scheme, count: int, orders: str) -> str:
    """Item 1's text; a scheme without a 无故超期 deduction gets ``unjustified_overdue_no_deduction``
    (no "每件扣0分")."""
    points = scheme.unjustified_overdue_points
    if not points:
        return scheme.words("unjustified_overdue_no_deduction", count=count, orders=orders)
    return scheme.words("unjustified_overdue", count=count, orders=orders, points=plain(points))


def _graded_clause(scheme, units: str, grade: str) -> str:
    """One grade's clause of item 2 (only grades with a deduction are named: metrics.graded_units)."""
    return scheme.words("graded", units=units, grade=grade, grade_name=scheme.grade_name(grade),
                        points=plain(scheme.deduction_for(grade)))


def count_after(report: MonthlyReport, name: str, count: int) -> str:
    """"名称N件"; a name ending in a digit ("第二中学3") gets ``wording.digit_name_separator`` before the
    count so the two numbers do not run together."""
    sep = report.scheme.words("digit_name_separator") if name[-1:].isdigit() else ""
    return f"{name}{sep}{count}件"


class _OfficeWords(str):
    """A sentence the office wrote (a note): kept as written, never joined into a generated one."""


def _sentences(parts: list[str]) -> str:
    """Generated clauses joined by ；and closed by 。; the office's sentences stand as they are."""
    out, run = "", []
    for part in parts + [None]:
        if part is None or isinstance(part, _OfficeWords):
            if run:
                out += "；".join(run) + "。"
                run = []
            if part is not None:
                out += part if part[-1:] in "。！？；…”）" else part + "。"
        else:
            run.append(part)
    return out


def other_order_notes(report: MonthlyReport, notes: Notes | None) -> list[str]:
    """Notes on orders that are not among the named violations: paragraphs closing 二、存在的问题."""
    if notes is None:
        return []
    named = set(report.violations["order_id"].astype(str)) if len(report.violations) else set()
    return [text for order_id, text in notes.orders.items() if order_id not in named]


def charts_title(report: MonthlyReport) -> str:
    m = report.month
    return report.scheme.words("charts_title", period=period_title(m), year=m.year, month=m.month,
                               county=report.scheme.county)
