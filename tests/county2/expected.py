"""云溪县's figures computed straight from the generated records, per docs/metrics.md, with Decimal.

Independent of pyhotline: nothing here imports it. Rates and composites are rounded half-up and printed
with the scheme's decimals kept (``rounding.keep_trailing_zeros = true``: 84.20, 100.00%).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from .generate import UNITS, County, Order

WEIGHT = Decimal("0.25")
GRADES = (("优秀", Decimal("95"), Decimal("0")), ("良好", Decimal("90"), Decimal("1")),
          ("合格", Decimal("80"), Decimal("3")), ("不合格", Decimal("0"), Decimal("5")))
APPENDIX_GROUPS = ("镇街", "县直部门")
NARRATIVE_GROUPS = ("县直部门", "镇街")
HEADERS = ("单位类型", "部门名称", "受理案件数", "应办理数", "办理数", "办结率", "按期办理数", "按期办结率",
           "返工数", "返工率", "回访不满意数", "回访不满意率", "综合指标值", "等级评价")
VISITED = ("满意", "基本满意", "不满意")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def in_month(t: dt.datetime | None, year: int, month: int) -> bool:
    return t is not None and (t.year, t.month) == (year, month)


def rate(part: int, whole: int) -> Decimal:
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


def pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}%"




def unit_counts(county: County, unit: str, months: list[tuple[int, int]]) -> dict:
    mine = [o for o in county.orders if o.mode == "派单" and o.unit == unit]
    accepted = [o for o in mine if any(in_month(o.accepted, *m) for m in months)]
    due = [o for o in mine if any(in_month(o.deadline, *m) for m in months)]
    visited = [o for o in due if o.visit in VISITED]
    return {
        "受理案件数": len(accepted), "应办理数": len(due),
        "办理数": sum(o.closed is not None for o in due),
        "按期办理数": sum(o.closed is not None and o.closed <= o.deadline for o in due),
        "返工数": sum(o.reworks >= 1 for o in due),
        "回访数": len(visited), "回访不满意数": sum(o.visit == "不满意" for o in visited),
    }


def rated(c: dict) -> dict:
    """Rates, composite and grade from counts (None when nothing was due)."""
    if c["应办理数"] == 0:
        return {"办结率": None, "按期办结率": None, "返工率": None, "回访不满意率": None, "综合指标值": None,
                "等级评价": None}
    done, on_time = rate(c["办理数"], c["应办理数"]), rate(c["按期办理数"], c["应办理数"])
    rework = rate(c["返工数"], c["应办理数"])
    unhappy = rate(c["回访不满意数"], c["回访数"]) if c["回访数"] else Decimal("0.00")
    composite = (WEIGHT * done + WEIGHT * on_time + WEIGHT * (HUNDRED - rework)
                 + WEIGHT * (HUNDRED - unhappy)).quantize(CENT, ROUND_HALF_UP)
    grade = next(name for name, low, _ in GRADES if composite >= low)
    return {"办结率": done, "按期办结率": on_time, "返工率": rework, "回访不满意率": unhappy,
            "综合指标值": composite, "等级评价": grade}


def evaluation(county: County, months: list[tuple[int, int]]) -> list[dict]:
    """The 综合评价表 of one month (or of a period: counts summed, rates recomputed), in the appendix's order:
    unit type, composite descending, 应办理数 descending, registry order; unrated units last."""
    rows = []
    for position, (name, group, _aliases, assessed) in enumerate(UNITS):
        if not assessed:
            continue
        c = unit_counts(county, name, months)
        if c["受理案件数"] == 0 and c["应办理数"] == 0:
            continue
        rows.append({"单位类型": group, "部门名称": name, **c, **rated(c), "_position": position})

    def key(r):
        unrated = r["综合指标值"] is None
        return (APPENDIX_GROUPS.index(r["单位类型"]), unrated,
                0 if unrated else -r["综合指标值"], 0 if unrated else -r["应办理数"], r["_position"])

    return sorted(rows, key=key)


def printed(rows: list[dict]) -> list[list[str]]:
    """The rows as the appendix prints them (CSV cells)."""
    out = []
    for r in rows:
        out.append([r["单位类型"], r["部门名称"], str(r["受理案件数"]), str(r["应办理数"]), str(r["办理数"]),
                    pct(r["办结率"]), str(r["按期办理数"]), pct(r["按期办结率"]), str(r["返工数"]), pct(r["返工率"]),
                    str(r["回访不满意数"]), pct(r["回访不满意率"]),
                    "—" if r["综合指标值"] is None else f"{r['综合指标值']:.2f}", r["等级评价"] or "—"])
    return out


def cutoff_overdue(county: County, o: Order) -> bool:
    """Due and not closed by the deadline: closed late, or still open with the deadline before the cut-off."""
    if o.closed is not None:
        return o.closed > o.deadline
    return o.deadline < county.cutoff


def overdue(county: County, year: int, month: int) -> dict:
    """超期 / 无故超期 of a month, per docs/metrics.md: {'total', 'unjustified', 'by_unit' (registry names),
    'unassessed', 'dissatisfied' (不满意 visits over the month's due orders, assessed units)}."""
    assessed = {u[0] for u in UNITS if u[3]}
    due = [o for o in county.orders if o.mode == "派单" and in_month(o.deadline, year, month)]
    late = [o for o in due if cutoff_overdue(county, o)]
    by_unit: dict[str, int] = {}
    for o in late:
        by_unit[o.unit] = by_unit.get(o.unit, 0) + 1
    return {
        "total": len(late),
        "unjustified": sorted((o.order_id for o in late if o.unit in assessed and not o.city_returned), reverse=True),
        "justified": sum(o.unit in assessed and o.city_returned for o in late),
        "unassessed": sum(o.unit not in assessed for o in late),
        "by_unit": by_unit,
        "open_not_due": sum(o.closed is None and o.deadline >= county.cutoff for o in due),
    }
