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


def _direction(scheme, change: int, up: str, down: str) -> str:
    return scheme.words(up if change > 0 else down)


def para_work_orders(report: MonthlyReport) -> str:
    w, top = report.scheme.words, report.top_categories
    parts = [w("category_share", item=count_after(report, c, n), share=_pct(report, s))
             for c, n, s in zip(top["category"], top["count"], top["share"])]
    requests = report.totals["requests"]  # 热线诉求总量: the shares' base (directly handled requests included)
    listed = w("work_orders_categories", n=cn_number(len(parts)), list="；".join(parts), requests=requests) if parts else ""
    return w("work_orders", period=_m(report), count=report.totals["work_orders"], categories=listed, requests=requests)


def change_words(scheme, change: int, rate, *, change_key: str, rate_key: str, same_key: str, **values) -> str:
    """A change as the text says it: ``same_key`` when 0, else ``change_key`` ({direction} 增加/减少, {change})
    and, when there is a rate, ``rate_key`` ({direction} 上升/下降, {rate}: the rate printed by ``pct``)."""
    if change == 0:
        return scheme.words(same_key, **values)
    text = scheme.words(change_key, direction=_direction(scheme, change, "increase", "decrease"),
                        change=abs(change), **values)
    if rate is not None:
        text += scheme.words(rate_key, direction=_direction(scheme, change, "rise", "fall"),
                             rate=pct(abs(rate), keep_zeros=scheme.keep_trailing_zeros))
    return text


def moved_categories(scheme, table: pd.DataFrame) -> str:
    """The two categories that moved most (``wording.moved``), or "" when none moved."""
    cats = table.loc[table["kind"] == "事件分类"].assign(abs_change=lambda d: d["change"].abs())
    cats = cats.loc[cats["change"] != 0].sort_values(["abs_change", "current"], ascending=False, kind="stable").head(2)
    moved = [scheme.words("moved_item", item=r.item, direction=_direction(scheme, r.change, "increase", "decrease"),
                          change=abs(int(r.change))) for r in cats.itertuples()]
    return scheme.words("moved", list=_join(moved)) if moved else ""


def para_month_over_month(report: MonthlyReport) -> str | None:
    mom, scheme = report.month_over_month, report.scheme
    if mom is None:
        return None
    row = mom.loc[mom["item"] == "派单工单"].iloc[0]
    trend = change_words(scheme, int(row["change"]), row["change_rate"], change_key="mom_change",
                         rate_key="mom_rate", same_key="mom_same")
    partial = ""
    if report.previous_covered:  # the previous month only partly in the data: said where the 环比 is
        partial = scheme.words("mom_partial", **partial_previous_words(report.month - 1, report.previous_covered))
    return scheme.words("mom", period=_m(report), trend=trend, partial=partial, moved=moved_categories(scheme, mom))


def para_rankings(report: MonthlyReport) -> str | None:
    """The volume and 综合指标值 top lists per unit type. ``{n}`` is the number of units named when a type has
    fewer than ``ranking.top_n`` ranked (a type of two units: 前二位), never more than named; a type with one
    ranked unit has its own sentence (``volume_top_one``, ``composite_top_one``). Shared ranks may name more
    than ``top_n``: 前三位 then stays."""
    w, groups, top = report.scheme.words, report.scheme.narrative_groups, report.scheme.top_n

    def sentence(key: str, table: pd.DataFrame, group: str) -> str | None:
        named = table.loc[table["group"] == group, "short"].tolist()
        if not named:
            return None
        if len(named) == 1:
            return w(f"{key}_one", group=group_label(group), units=named[0])
        return w(key, group=group_label(group), n=cn_number(min(top, len(named))), units=_join(named))

    volume = [x for g in groups if (x := sentence("volume_top", report.volume_top, g))]
    composite = [x for g in groups if (x := sentence("composite_top", report.composite_top, g))]
    sentences = [x for x in ("。".join(volume), "。".join(composite)) if x]
    if not sentences:
        return None
    return w("rankings", period=_m(report), list="。".join(sentences))


def date_words(scheme, day) -> str:
    """A date as the text writes it (``wording.date``: 2024年5月31日)."""
    return scheme.words("date", year=day.year, month=day.month, day=day.day)


def para_overdue(report: MonthlyReport) -> str:
    w, total = report.scheme.words, report.overdue_total
    if total == 0:
        return w("overdue_none", period=_m(report))
    parts = "；".join(count_after(report, label, n) for label, n in zip(report.overdue["label"], report.overdue["overdue"]))
    still_open = int(report.overdue["open"].sum())
    if still_open == 0:
        return w("overdue", period=_m(report), count=total, units=parts)
    cut = date_words(report.scheme, report.as_of) if report.as_of is not None else w("as_of_unknown")
    return w("overdue_open", period=_m(report), count=total, open=still_open, as_of=cut, units=parts)


def para_letters(report: MonthlyReport) -> str | None:
    box, w = report.mailbox, report.scheme.words
    if box is None or box.empty:
        return None
    total = int(box["letters"].sum())
    channels = "，".join(count_after(report, c, n) for c, n in zip(box["channel"], box["letters"]))
    on_time, pending = int(box["on_time"].sum()), int(box["pending"].sum())
    late = total - on_time - pending
    if late == 0 and pending == 0:
        timely = w("letters_all_on_time")
    else:
        parts = ([w("letters_on_time", count=on_time)] + ([w("letters_late", count=late)] if late else [])
                 + ([w("letters_pending", count=pending)] if pending else []))
        timely = "，".join(parts)
    text = w("letters", period=_m(report), count=total, channels=channels, timely=timely)
    channel = w("satisfaction_channel")
    rated = box.loc[box["channel"] == channel, "satisfaction"]
    if len(rated) and rated.iloc[0] is not None:
        text += w("satisfaction", channel=channel, rate=_pct(report, rated.iloc[0]))
    very = report.very_satisfied
    if very is not None and len(very):
        listed = _join([count_after(report, label, n) for label, n in zip(very["label"], very["count"])])
        text += w("very_satisfied", count=int(very["count"].sum()), units=listed)
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
    return report.scheme.words("count_item", name=f"{name}{sep}", count=count)


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
