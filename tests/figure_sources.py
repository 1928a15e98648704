"""Every figure of a month's bulletin as each output states it, for the cross-check of
tests/test_consistency.py (issue 10, item 5: one definition, one number).

Each ``from_*`` function reads one output the way its reader would: the bulletin's text is parsed
back into numbers (the scheme's own ``[wording]`` templates turned into patterns), the charts'
plotted data is read off their Axes (bar lengths, bar labels, tick labels, titles), figures.json and
evaluation.xlsx are read from the files written, and the explorer is asked as the notebook asks it.
They return ``{key: value}``: a key names one figure (``("overdue", "梅仙镇")``), a value is what that
output says (counts as ints, rates and 综合指标值 as printed). Nothing here recomputes a figure.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import matplotlib.pyplot as plt

from pyhotline import bulletin_text as bt
from pyhotline.bulletin import bulletin_chart, chart_names
from pyhotline.numbers import pct, plain

#: pattern of each [wording] placeholder when the text is read back
_SLOTS = {"count": r"\d+", "points": r"\d+(?:\.\d+)?", "rate": r"\d+(?:\.\d+)?%", "max": r"\d+", "shown": r"\d+"}


def template_pattern(template: str) -> re.Pattern:
    """A scheme template ("…还有{count}个工单无故超期…") as a full-match pattern with named groups."""
    out, pos = "", 0
    for m in re.finditer(r"\{(\w+)\}", template):
        out += re.escape(template[pos:m.start()]) + f"(?P<{m.group(1)}>{_SLOTS.get(m.group(1), '.+?')})"
        pos = m.end()
    return re.compile(out + re.escape(template[pos:]))


def _rx(template: str, slots: dict[str, str], prefix: str = "") -> str:
    """A template as a pattern: each placeholder the group ``prefix + name`` of ``slots[name]`` (else
    :data:`_SLOTS`, else any text); a placeholder written twice must say the same both times."""
    out, pos, seen = "", 0, set()
    for m in re.finditer(r"\{(\w+)\}", template):
        key = m.group(1)
        out += re.escape(template[pos:m.start()])
        out += (f"(?P={prefix}{key})" if key in seen
                else f"(?P<{prefix}{key}>{slots.get(key, _SLOTS.get(key, '.+?'))})")
        seen.add(key)
        pos = m.end()
    return out + re.escape(template[pos:])


def _either(*words: str) -> str:
    return "(?:" + "|".join(re.escape(w) for w in words) + ")"


def _name_count(scheme, part: str) -> tuple[str, int]:
    """"梅仙镇4件" / "第二中学3共5件" (``wording.count_item``, after ``digit_name_separator``) -> (name, count)."""
    m = re.fullmatch(_rx(scheme.wording["count_item"], {"name": ".+?", "count": r"\d+"}), part)
    assert m, part
    name, sep = m.group("name"), scheme.words("digit_name_separator")
    if sep and name.endswith(sep) and name[:-len(sep)][-1:].isdigit():
        name = name[:-len(sep)]
    return name, int(m.group("count"))


# ---------------------------------------------------------------- the bulletin's text
def text_paragraphs(report) -> dict[str, str | None]:
    return {"work": bt.para_work_orders(report), "mom": bt.para_month_over_month(report),
            "rankings": bt.para_rankings(report), "overdue": bt.para_overdue(report),
            "letters": bt.para_letters(report), **{f"problem:{h}": t for h, t in bt.problems(report)}}


def from_text(report) -> dict[str, dict]:
    """The text read back through the scheme's own [wording] sentence frames (docs/wording.md); the separators
    between listed items (；、，) are pyhotline's."""
    scheme = report.scheme
    words, w = scheme.words, scheme.wording
    paras = text_paragraphs(report)
    got: dict = {}
    share = r"\d+(?:\.\d+)?%"
    # 受理 and the top categories
    categories = "(?:" + _rx(w["work_orders_categories"], {"n": ".+?", "list": ".+"}, "c_") + ")?"
    m = re.fullmatch(_rx(w["work_orders"], {"categories": categories}), paras["work"])
    assert m, paras["work"]
    got["work_orders"] = int(m.group("count"))
    for part in (m.group("c_list") or "").split("；") if m.group("c_list") else ():
        item = re.fullmatch(_rx(w["category_share"], {"item": ".+", "share": share}), part)
        category, count = _name_count(scheme, item.group("item"))
        got[("category", category)] = (count, item.group("share"))
    # 环比
    mom = paras["mom"]
    if mom is not None:
        counts, rates = _either(words("increase"), words("decrease")), _either(words("rise"), words("fall"))
        change = (_rx(w["mom_change"], {"direction": counts, "change": r"\d+"}, "t_")
                  + "(?:" + _rx(w["mom_rate"], {"direction": rates, "rate": share}, "r_") + ")?")
        m = re.fullmatch(_rx(w["mom"], {
            "trend": f"(?:{re.escape(words('mom_same'))}|{change})",
            "partial": "(?:" + _rx(w["mom_partial"], {}, "p_") + ")?",
            "moved": "(?:" + _rx(w["moved"], {"list": ".+"}, "m_") + ")?"}), mom)
        assert m, mom
        if m.group("t_change") is None:
            got[("mom", "派单工单")] = (0, None)
        else:
            sign = 1 if m.group("t_direction") == words("increase") else -1
            rate = None if m.group("r_rate") is None else ("-" if sign < 0 else "") + m.group("r_rate")
            got[("mom", "派单工单")] = (sign * int(m.group("t_change")), rate)
        item = _rx(w["moved_item"], {"item": ".+?", "direction": counts, "change": r"\d+"})
        for part in m.group("m_list").split("、") if m.group("m_list") else ():
            moved = re.fullmatch(item, part)
            got[("mom_change", moved.group("item"))] = (1 if moved.group("direction") == words("increase") else -1) * int(moved.group("change"))
    # rankings: the named units per unit type, volume and 综合指标值
    rankings = paras["rankings"] or ""
    for group in scheme.narrative_groups:
        label = re.escape(bt.group_label(group))
        for key, template in (("top_volume", "volume_top"), ("top_composite", "composite_top")):
            m = re.search(_rx(w[template], {"group": label, "n": ".+?", "units": "[^。]+?"}) + "(?=。)", rankings)
            if m:
                got[(key, group)] = m.group("units").split("、")
    # 超期
    overdue = paras["overdue"]
    if re.fullmatch(_rx(w["overdue_none"], {}), overdue):
        got["overdue_total"], got["overdue_open"] = 0, 0
    else:
        m = (re.fullmatch(_rx(w["overdue_open"], {"open": r"\d+", "units": ".+"}), overdue)
             or re.fullmatch(_rx(w["overdue"], {"units": ".+"}), overdue))
        assert m, overdue
        got["overdue_total"] = int(m.group("count"))
        got["overdue_open"] = int(m.group("open")) if "open" in m.re.groupindex else 0
        for part in m.group("units").split("；"):
            label, count = _name_count(scheme, part)
            got[("overdue", label)] = count
    # letters
    letters = paras["letters"]
    if letters is not None:
        timely = (f"(?:{re.escape(words('letters_all_on_time'))}|" + _rx(w["letters_on_time"], {}, "on_")
                  + "(?:，" + _rx(w["letters_late"], {}, "late_") + ")?"
                  + "(?:，" + _rx(w["letters_pending"], {}, "pend_") + ")?)")
        m = re.search(_rx(w["letters"], {"channels": ".+?", "timely": timely}), letters)
        assert m, letters
        got["letters_total"] = total = int(m.group("count"))
        for part in m.group("channels").split("，"):
            channel, count = _name_count(scheme, part)
            got[("letters", channel)] = count
        if m.group("on_count") is None:
            got["letters_on_time"], got["letters_pending"], got["letters_late"] = total, 0, 0
        else:
            got["letters_on_time"] = int(m.group("on_count"))
            got["letters_pending"] = int(m.group("pend_count") or 0)
            got["letters_late"] = int(m.group("late_count") or 0)
        sat = template_pattern(w["satisfaction"]).search(letters)
        if sat:
            got[("satisfaction", sat.group("channel"))] = sat.group("rate")
        very = re.search(_rx(w["very_satisfied"], {"units": ".+?"}), letters)
        got["very_satisfied_total"] = int(very.group("count")) if very else 0
        for part in very.group("units").split("、") if very else ():
            label, count = _name_count(scheme, part)
            got[("very_satisfied", label)] = count
    # 二、存在的问题
    got["unjustified_total"] = 0
    got["unjustified_points"] = None
    for key, text in paras.items():
        if key == "problem:" + words("problem_timeliness"):
            _read_unjustified(scheme, text, got)
        elif key == "problem:" + words("problem_quality"):
            body = text.removeprefix(words("quality_cause")).removesuffix("。")
            clause = template_pattern(scheme.wording["graded"])
            for part in body.split("；"):
                m = clause.fullmatch(part)
                named = m.groupdict()
                grade = named.get("grade") or next(g.name for g in scheme.grades
                                                   if scheme.grade_name(g.name) == named["grade_name"])
                got[("graded", grade)] = sorted(m.group("units").split("、"))
                got[("grade_points", grade)] = Decimal(m.group("points"))
        elif key == "problem:" + words("problem_responsibility"):
            _read_violations(scheme, text, got)
    return {"text": got}


def _read_violations(scheme, text: str, got: dict) -> None:
    """Item 3: a clause per order (``send_back``/``extension``) or per unit (``*_orders``, capped, "等N件");
    ("violations", rule, unit) counts either, ("violation", rule, order) only the single-order clauses."""
    more = template_pattern(scheme.wording["more_orders"])
    single = {"回退": template_pattern(scheme.wording["send_back"]), "延期": template_pattern(scheme.wording["extension"])}
    grouped = {"回退": template_pattern(scheme.wording["send_back_orders"]),
               "延期": template_pattern(scheme.wording["extension_orders"])}
    for part in text.removesuffix("。").split("；"):
        for rule in single:
            m = single[rule].fullmatch(part)
            if m:
                got[("violation", rule, m.group("order"))] = (m.group("unit"), int(m.group("count")))
                key = ("violations", rule, m.group("unit"))
                got[key] = got.get(key, 0) + 1
                break
            m = grouped[rule].fullmatch(part)
            if m:
                ids = re.findall(r"\[([^\]]+)\]", m.group("orders"))
                tail = more.search(m.group("orders"))
                key = ("violations", rule, m.group("unit"))
                got[key] = got.get(key, 0) + (int(tail.group("count")) if tail else len(ids))
                got[("violation_named", rule, m.group("unit"))] = ids
                break
        else:
            raise AssertionError(f"unread violation clause: {part}")


def violation_counts(got: dict) -> dict:
    """("violations", rule, unit): the orders of ("violation", rule, order) entries per unit."""
    counts: dict = {}
    for key, value in got.items():
        if isinstance(key, tuple) and key[0] == "violation":
            counts[("violations", key[1], value[0])] = counts.get(("violations", key[1], value[0]), 0) + 1
    return counts


def _read_unjustified(scheme, text: str, got: dict) -> None:
    words = scheme.words
    with_points = template_pattern(scheme.wording["unjustified_overdue"]).fullmatch(text)
    m = with_points or template_pattern(scheme.wording["unjustified_overdue_no_deduction"]).fullmatch(text)
    assert m, text
    got["unjustified_total"] = int(m.group("count"))
    got["unjustified_points"] = Decimal(m.group("points")) if with_points else Decimal(0)
    more = template_pattern(scheme.wording["more_orders"])
    for part in m.group("orders").split("，"):
        label = part[:part.index("[")]
        ids = re.findall(r"\[([^\]]+)\]", part)
        tail = more.search(part)
        got[("unjustified", label)] = int(tail.group("count")) if tail else len(ids)
        got[("unjustified_named", label)] = ids


# ---------------------------------------------------------------- the charts' plotted data
def _ticks(ax, axis: str = "y") -> list[str]:
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in labels]


def _int(value: float) -> int:
    assert float(value) == int(value), value
    return int(value)


def from_charts(report, trend=None) -> dict[str, dict]:
    """One source per chart of the bulletin (its title, bar lengths, bar labels and tick labels), and the
    trend chart's current month when ``trend`` is given."""
    scheme = report.scheme
    full = dict(zip(report.evaluation["short"], report.evaluation["unit"]))  # the chart names units by 简称
    out: dict[str, dict] = {}
    drawn = {}
    for name in chart_names(report):
        made = bulletin_chart(report, name)
        if made is not None:
            drawn[name] = made[0]
    try:
        ax = drawn["categories"]
        got = out["chart:categories"] = {"requests": int(re.search(r"共(\d+)件", ax.get_title()).group(1))}
        for name, bar, label in zip(_ticks(ax), ax.containers[0], ax.texts):
            count, share = re.fullmatch(r"(\d+)（(.+)）", label.get_text()).groups()
            assert _int(bar.get_width()) == int(count), (name, bar.get_width(), count)
            if not re.fullmatch(r"其余\d+类", name):
                got[("category", name)] = (int(count), share)
        if "month_over_month" in drawn:
            ax = drawn["month_over_month"]
            got = out["chart:month_over_month"] = {}
            now, before = ax.containers
            for name, a, b, label in zip(_ticks(ax), now, before, ax.texts):
                count, rate = re.fullmatch(r"(\d+)（(.+)）", label.get_text()).groups()
                assert _int(a.get_width()) == int(count)
                got[("mom_counts", name)] = (int(count), _int(b.get_width()))
                got[("mom_rate", name)] = None if rate == "—" else rate.lstrip("+")
        colours = _grade_of_colour(report)
        for name, ax in drawn.items():
            if not name.startswith("rank_"):
                continue
            got = out[f"chart:{name}"] = {}
            names = _ticks(ax)
            for short, bar, label in zip(names, ax.containers[0], ax.texts):
                assert float(label.get_text()) == bar.get_width(), (short, label.get_text(), bar.get_width())
                got[("综合指标值", full[short])] = label.get_text()
                got[("等级评价", full[short])] = colours[_hex(bar.get_facecolor())]
            got[("top_composite", _rank_group(report, name))] = names[:scheme.top_n]
        if "overdue" in drawn:
            ax = drawn["overdue"]
            legend = (scheme.words("justified_overdue_legend"), scheme.words("unjustified_overdue_legend"))
            parts = {c.get_label(): [_int(p.get_width()) for p in c] for c in ax.containers}
            rows = _ticks(ax)
            totals = [sum(v[i] for v in parts.values()) for i in range(len(rows))]
            late = parts[legend[1]]
            m = re.search(r"共(\d+)件，其中" + re.escape(legend[1]) + r"(\d+)件", ax.get_title())
            out["chart:overdue-title"] = {"overdue_total": int(m.group(1)), "unjustified_total": int(m.group(2))}
            got = out["chart:overdue"] = {"overdue_total": sum(totals), "unjustified_total": sum(late)}
            for label, total, n, text in zip(rows, totals, late, ax.texts):
                got[("overdue", label)] = total
                assert re.fullmatch(str(total) + r"(?:（\D+" + str(n) + "）)?", text.get_text()), (label, text.get_text())
                if n:
                    got[("unjustified", label)] = n
        if "mailbox" in drawn:
            ax = drawn["mailbox"]
            got = out["chart:mailbox"] = {"letters_total": int(re.search(r"共(\d+)件", ax.get_title()).group(1))}
            for channel, bar, label in zip(_ticks(ax, "x"), ax.containers[0], ax.texts):
                lines = label.get_text().split("\n")
                assert lines[0] == f"{_int(bar.get_height())}件"
                got[("letters", channel)] = _int(bar.get_height())
                if len(lines) > 1:
                    got[("satisfaction", channel)] = lines[1].removeprefix("满意率")
            assert sum(v for k, v in got.items() if k[0] == "letters") == got["letters_total"]
    finally:
        for ax in drawn.values():
            plt.close(ax.figure)
    if trend is not None:
        out["chart:trend"] = _trend_chart(trend)
    return out


def _trend_chart(trend) -> dict:
    """The monthly bulletin's trend chart (pyhotline.trends.trend_chart): the current month's bar and points."""
    from pyhotline.trends import trend_chart

    ax = trend_chart(trend)
    try:
        current = [i for i, c in enumerate(trend["current"]) if c]
        assert len(current) == 1
        i = current[0]
        lines = ax.figure.axes[1].get_lines()
        return {"requests": _int(ax.containers[0][i].get_height()), "on_time_rate:all": float(lines[0].get_ydata()[i])}
    finally:
        plt.close(ax.figure)


def _rank_group(report, name: str) -> str:
    from pyhotline.bulletin import _rank_group

    return _rank_group(report, name)


def _hex(rgba) -> str:
    from matplotlib.colors import to_hex

    return to_hex(rgba)


def _grade_of_colour(report) -> dict[str, str]:
    from pyhotline.charts import grade_palette

    palette = grade_palette(report.scheme.grades)
    assert len(set(palette.values())) == len(palette)  # a colour names one grade
    return {_hex(c): g for g, c in palette.items()}


# ---------------------------------------------------------------- figures.json
def from_figures(path: Path, scheme, shorts: dict[str, str]) -> dict[str, dict]:
    """figures.json's keys; its appendix rows and its trend row (the current month) as sources of their own."""
    fig = json.loads(Path(path).read_text(encoding="utf-8"))
    hot = fig["hotline"]
    got: dict = {"work_orders": hot["work_orders_accepted"], "requests": hot["requests_total_implied"]}
    for c in hot["categories"]:
        got[("category", c["category"])] = (c["count"], c["share"])
    for row in fig.get("month_over_month", []):
        if row["item"] == "派单工单":
            got[("mom", "派单工单")] = (row["change"], row["change_rate"] if row["change"] else None)
        got[("mom_counts", row["item"])] = (row["current"], row["previous"])
        if row["kind"] == "事件分类":
            got[("mom_rate", row["item"])] = row["change_rate"]
            if row["change"]:
                got[("mom_change", row["item"])] = row["change"]
    keys = {group: (scheme.raw.get("figures", {}).get("group_keys", {}).get(group, group)) for group in scheme.appendix_groups}
    for group in scheme.narrative_groups:
        got[("top_volume", group)] = hot[f"top{scheme.top_n}_volume_{keys[group]}"]
        got[("top_composite", group)] = hot[f"top{scheme.top_n}_composite_{keys[group]}"]
    got["overdue_total"] = hot["overdue_total"]
    for label, n in hot["overdue_by_unit"].items():
        got[("overdue", label)] = n
    ids = hot["unjustified_overdue_orders"]
    got["unjustified_total"] = sum(len(v) for v in ids.values())
    for label, listed in ids.items():
        got[("unjustified", label)] = len(listed)
        got[("unjustified_ids", label)] = sorted(listed)
    got["unjustified_points"] = Decimal(str(hot["unjustified_overdue_deduction_per_order"]))
    for grade, points in hot["grade_deduction_points"].items():
        got[("grade_points", grade)] = Decimal(str(points))
        got[("graded", grade)] = sorted(hot.get(f"grade_{grade}_units", []))
    for d in hot["deductions"]:
        got[("deducted", d["unit"])] = (d["unjustified_overdue"], Decimal(str(d["total"])))
    for case in hot["named_cases"]:
        got[("violation", case["rule"], case["order"])] = (case["unit"], case["count"])
    box = fig.get("mailbox")
    if box is not None:
        got["letters_total"] = box["letters_total"]
        got["letters_on_time"] = sum(box["on_time_by_channel"].values())
        for channel, n in box["by_channel"].items():
            got[("letters", channel)] = n
        for channel, rate in box["satisfaction_by_channel"].items():
            if rate is not None:
                got[("satisfaction", channel)] = rate
        very = box.get("very_satisfied_letters", {})
        got["very_satisfied_total"] = sum(very.values())
        for label, n in very.items():
            got[("very_satisfied", label)] = n
    got.update(violation_counts(got))
    out = {"figures.json": got, "figures.json:appendix": _table(fig["appendix"], scheme, shorts)}
    current = [r for r in fig.get("trend", []) if r.get("current")]
    if current:
        row = current[0]
        out["figures.json:trend"] = {
            "requests": row["requests"], "work_orders": row["work_orders"], "due:all": row["due"],
            "on_time:all": row["on_time"],
            "on_time_rate:all": None if row["on_time_rate"] is None else float(row["on_time_rate"].rstrip("%"))}
    return out


def _table(rows: list[dict], scheme, shorts: dict[str, str]) -> dict:
    """The 综合评价表's rows (figures.json, evaluation.xlsx, explore): each cell, the units graded below the
    top grade per grade with a deduction (by 简称, as the text names them), due and on time summed."""
    got: dict = {}
    for row in rows:
        _unit_row(got, row["部门名称"], row)
    for grade in scheme.grades:
        if grade.deduction:
            got[("graded", grade.name)] = sorted(shorts[r["部门名称"]] for r in rows if r["等级评价"] == grade.name)
    got["due:all"] = sum(int(r["应办理数"]) for r in rows)
    got["on_time:all"] = sum(int(r["按期办理数"]) for r in rows)
    return got


APPENDIX_COUNTS = ("受理案件数", "应办理数", "办理数", "按期办理数", "返工数", "回访不满意数")
APPENDIX_PRINTED = ("办结率", "按期办结率", "返工率", "回访不满意率", "综合指标值", "等级评价")


def _unit_row(got: dict, unit: str, row: dict) -> None:
    """One 综合评价表 row (figures.json, evaluation.xlsx, explore), counts as ints, the rest as printed."""
    for header in APPENDIX_COUNTS:
        got[(header, unit)] = int(row[header])
    for header in APPENDIX_PRINTED:
        value = row[header]
        got[(header, unit)] = None if value in (None, "—") else str(value)


# ---------------------------------------------------------------- evaluation.xlsx
def from_xlsx(path: Path, scheme, shorts: dict[str, str]) -> dict[str, dict]:
    """evaluation.xlsx as Excel shows it (:func:`pyhotline.export.shown`)."""
    from openpyxl import load_workbook

    from pyhotline.export import shown

    sheet = load_workbook(path).active
    cells = [[shown(c) for c in row] for row in sheet.iter_rows()]
    start = next(i for i, r in enumerate(cells) if "部门名称" in r)
    rows = [dict(zip(cells[start], values)) for values in cells[start + 1:]]
    return {"evaluation.xlsx": _table([r for r in rows if r.get("部门名称")], scheme, shorts)}


# ---------------------------------------------------------------- the explorer
def from_explore(x, month: str, scheme) -> dict[str, dict]:
    """What the explorer shows for ``month`` (an open :class:`pyhotline.explore.Explorer`)."""
    zeros = scheme.keep_trailing_zeros
    info = x.registry.info()
    short = info["short"].to_dict()
    assessed = info["assessed"].to_dict()

    def label(unit: str) -> str:  # as the bulletin names a unit: its 简称, or the unassessed units' one label
        return short[unit] if assessed.get(unit, False) else scheme.unassessed_label

    got: dict = {}
    totals = x.totals(month)
    got["work_orders"], got["requests"] = totals["work_orders"], totals["requests"]
    for r in x.category_table(month).itertuples():
        got[("category", r.category)] = (int(r.count), pct(r.share, keep_zeros=zeros))
    previous = str(x.period(month).months[0] - 1)
    if any(str(m) == previous for m in x.months):
        before = x.totals(previous)
        got[("mom_counts", "派单工单")] = (totals["work_orders"], before["work_orders"])
        got[("mom_counts", "热线诉求总量")] = (totals["requests"], before["requests"])
        now = x.category_table(month).set_index("category")["count"]
        then = x.category_table(previous).set_index("category")["count"]
        for category in now.index.union(then.index):
            got[("mom_counts", category)] = (int(now.get(category, 0)), int(then.get(category, 0)))
    summary = x.unit_summary(month)
    overdue: dict[str, int] = {}
    late: dict[str, int] = {}
    for r in summary.to_dict("records"):
        unit = r["单位名称"]
        if r["超期"]:
            overdue[label(unit)] = overdue.get(label(unit), 0) + int(r["超期"])
        if r["无故超期"] and assessed.get(unit, False):
            late[label(unit)] = late.get(label(unit), 0) + int(r["无故超期"])
        if assessed.get(unit, False) and (r["受理案件数"] or r["应办理数"]):
            got[("综合指标值", unit)] = None if r["综合指标值"] is None else plain(r["综合指标值"], keep_zeros=zeros)
            got[("等级评价", unit)] = r["等级评价"]
            got[("按期办结率", unit)] = pct(r["按期办结率"], keep_zeros=zeros) if r["按期办结率"] is not None else None
            for header, column in (("受理案件数", "受理案件数"), ("应办理数", "应办理数"), ("办理数", "办理数"),
                                   ("按期办理数", "按期办理数"), ("返工数", "返工"), ("回访不满意数", "不满意")):
                got[(header, unit)] = int(r[column])
    got["overdue_total"] = sum(overdue.values())
    got["unjustified_total"] = sum(late.values())
    got.update({("overdue", k): v for k, v in overdue.items()})
    got.update({("unjustified", k): v for k, v in late.items()})
    # the orders behind the figures: 超期 still open at the cut-off, 无故超期 by unit, the violations
    _, rows = x.orders(month, flags=("超期",), limit=None)
    got["overdue_open"] = int(rows["办结时间"].isna().sum())
    _, rows = x.orders(month, flags=("无故超期",), limit=None)
    ids: dict[str, list[str]] = {}
    for unit, order in zip(rows["承办单位"], rows["工单编号"]):
        if assessed.get(unit, False):
            ids.setdefault(label(unit), []).append(str(order))
    got.update({("unjustified_ids", k): sorted(v) for k, v in ids.items()})
    for flag, rule, column in (("延期违规", "延期", "延期次数"), ("回退违规", "回退", "回退次数")):
        _, rows = x.orders(month, flags=(flag,), limit=None)
        for unit, order, count in zip(rows["承办单位"], rows["工单编号"], rows[column]):
            got[("violation", rule, str(order))] = (label(unit), int(count))
    for group in scheme.narrative_groups:
        table = summary.loc[[assessed.get(u, False) and g == group for u, g in zip(summary["单位名称"], summary["单位类型"])]]
        table = table.assign(position=[info.at[u, "position"] for u in table["单位名称"]])
        table = table.sort_values(["受理案件数", "position"], ascending=[False, True], kind="stable")
        got[("top_volume", group)] = table["承办单位"].head(scheme.top_n).tolist()
    if x.has_letters:
        _, letters = x.letter_rows(month, limit=None)
        got["letters_total"] = len(letters)
        for channel, n in letters["来信渠道"].value_counts().items():
            got[("letters", channel)] = int(n)
        units = x.letter_units(month)
        got["letters_on_time"] = int(units["按时答复"].sum())
        got["letters_pending"] = int(units["待答复"].sum())
        got["letters_late"] = int(units["超期"].sum())
        # 非常满意 letters name each unit by its 简称, assessed or not (praise, not a deduction)
        very = letters.loc[letters["评价"] == "非常满意", "承办单位"].map(short).value_counts()
        got["very_satisfied_total"] = int(very.sum())
        got.update({("very_satisfied", k): int(v) for k, v in very.items()})
    appendix = x.appendix(month).to_dict("records")
    got.update(violation_counts(got))
    return {"explore": got, "explore:appendix": _table(appendix, scheme, short),
            "explore:unit page": _unit_pages(x, month, [r["部门名称"] for r in appendix[::7]], zeros)}


def _unit_pages(x, month: str, units: list[str], zeros: bool) -> dict:
    """A unit's page (its monthly trend, :meth:`Explorer.unit_trend`): the month's row, for some units."""
    got: dict = {}
    for unit in units:
        row = x.unit_trend(unit, period=month).iloc[-1]
        assert row["月份"] == month
        got[("综合指标值", unit)] = None if row["综合指标值"] is None else plain(row["综合指标值"], keep_zeros=zeros)
        got[("等级评价", unit)] = row["等级评价"]
        got[("按期办结率", unit)] = None if row["按期办结率"] is None else pct(row["按期办结率"], keep_zeros=zeros)
        for header, column in (("受理案件数", "受理案件数"), ("应办理数", "应办理数"), ("按期办理数", "按期办理数")):
            got[(header, unit)] = int(row[column])
    return got
