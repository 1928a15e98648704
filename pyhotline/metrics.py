"""The monthly metrics, each a function returning a tidy DataFrame.

Definitions (month M; see ``docs/metrics.md``):

* 受理案件数 (``accepted``): the unit's 派单 orders with 受理时间 in M.
* 应办理数 (``due``): the unit's 派单 orders with 办理时限 in M. Of those:
  办理数 (``handled``, has 办结时间), 按期办理数 (``on_time``, 办结时间 <= 办理时限),
  返工数 (``reworked``, 返工次数 >= 1).
* 回访数 / 回访不满意数 (``visited`` / ``dissatisfied``): orders with 回访结果
  满意/基本满意/不满意 (resp. 不满意), among the orders the scheme's ``visit_basis``
  names: closed in M (``closed``) or due in M (``due``).
* Rates are percentages of 应办理数 (回访不满意率: of 回访数), rounded with the
  scheme's mode and decimals; 综合指标值 is computed from the rounded rates.

Counts are done with pandas on whole columns; :mod:`decimal` only touches the
per-unit table, so a month of a large city costs no more than its groupby.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from .errors import MonthError
from .io import VISITED, Registry
from .numbers import percent
from .ranking import (  # noqa: F401  (re-exported: the grades and rankings used to live here)
    RATE_COLUMNS, composite_ranking, deductions, graded_units, score, sort_evaluation, volume_ranking,
)
from .scheme import Scheme

EVALUATED = ("非常满意", "满意", "基本满意", "不满意")
CHANNELS = ("中国政府网", "省长信箱", "市长信箱", "县长信箱")
COUNT_COLUMNS = ["accepted", "due", "handled", "on_time", "reworked", "visited", "dissatisfied"]


# ---------------------------------------------------------------- months
def parse_month(month: str | pd.Period) -> pd.Period:
    """``"2024-05"`` -> ``Period('2024-05', 'M')``; anything else is a :class:`MonthError`."""
    if isinstance(month, pd.Period):  # a quarter or a year (pyhotline.period) is kept: the metrics take any period
        return month if month.freqstr[0] in "QYA" else month.asfreq("M")
    text = str(month).strip()
    if not re.fullmatch(r"\d{4}-\d{2}", text) or not 1 <= int(text[5:]) <= 12:
        raise MonthError(f"月份“{month}”格式不对，应写成 YYYY-MM，例如 2024-05")
    check_year(int(text[:4]), month)
    return pd.Period(text, freq="M")


FIRST_YEAR, LAST_YEAR = 1990, 2200  # the months a bulletin can be about (dates past 9999 overflow)


def check_year(year: int, text: object) -> None:
    """A :class:`MonthError` for a year no export can hold."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise MonthError(f"期间“{text}”的年份超出范围（应在 {FIRST_YEAR} 到 {LAST_YEAR} 年之间）")


def parse_month_range(text: str) -> list[pd.Period]:
    """``"2024-03:2024-06"`` -> the four months, inclusive."""
    if ":" not in text:
        return [parse_month(text)]
    first, last = (parse_month(part) for part in text.split(":", 1))
    if last < first:
        raise MonthError(f"月份范围“{text}”的结束月份早于开始月份")
    return list(pd.period_range(first, last, freq="M"))


def in_month(stamps: pd.Series, month: pd.Period) -> pd.Series:
    """True where the timestamp falls in the month: start <= t < start of next month."""
    start = month.start_time
    end = (month + 1).start_time
    return (stamps >= start) & (stamps < end)


# ---------------------------------------------------------------- counts
def unit_counts(orders: pd.DataFrame, month: str | pd.Period, scheme: Scheme) -> pd.DataFrame:
    """Per unit: accepted, due, handled, on_time, reworked, visited, dissatisfied (ints)."""
    month = parse_month(month)
    # Whole-column masks, counted per unit with one factorisation of 承办单位 and np.bincount: no
    # copies of the rows and no groupby (for millions of orders they cost more than the counting).
    # Each count's table lists the units with at least one of its rows, as a groupby would.
    codes, names = pd.factorize(orders["unit"], sort=True)  # a missing unit: -1, counted nowhere
    named = codes >= 0
    work = (orders["mode"] == "派单").to_numpy(dtype=bool) & named
    due = work & in_month(orders["deadline"], month).to_numpy(dtype=bool)
    closed, deadline = orders["closed_at"], orders["deadline"]
    columns = {
        "accepted": work & in_month(orders["accepted_at"], month).to_numpy(dtype=bool),
        "due": due,
        "handled": due & closed.notna().to_numpy(dtype=bool),
        "on_time": due & (closed <= deadline).to_numpy(dtype=bool),
        "reworked": due & (orders["reworks"] >= 1).to_numpy(dtype=bool),
    }
    basis = due if scheme.visit_basis == "due" else work & in_month(closed, month).to_numpy(dtype=bool)
    visit = orders["visit"]
    columns["visited"] = basis & visit.isin(VISITED).to_numpy(dtype=bool)
    columns["dissatisfied"] = basis & (visit == "不满意").to_numpy(dtype=bool)
    count = {name: np.bincount(codes[mask], minlength=len(names)) for name, mask in columns.items()}
    parts = []
    for rows, keys in (("accepted", ["accepted"]), ("due", ["due", "handled", "on_time", "reworked"]),
                       (None, ["visited", "dissatisfied"])):
        present = (np.bincount(codes[basis], minlength=len(names)) if rows is None else count[rows]) > 0
        index = pd.Index(names[present], name="unit")
        parts.append(pd.DataFrame({k: count[k][present] for k in keys}, index=index))
    counts = pd.concat(parts, axis=1).fillna(0).astype("int64")
    counts.index.name = "unit"
    return counts.reindex(columns=COUNT_COLUMNS, fill_value=0)


def evaluation(
    orders: pd.DataFrame, registry: Registry, month: str | pd.Period, scheme: Scheme
) -> pd.DataFrame:
    """The appendix table: one row per assessed unit with any accepted or due order in the month.

    Columns: group, unit, short, position, the counts, the four rates (Decimal),
    composite (Decimal), grade. A unit with no due order in the month has no
    rates, composite or grade (``None``, printed as —) and is listed last in its
    group. Sorted by the scheme's appendix group order, then 综合指标值
    descending, then the scheme's tie keys (descending), then registry order.
    """
    return evaluation_from_counts(unit_counts(orders, month, scheme), registry, scheme)


def evaluation_from_counts(counts: pd.DataFrame, registry: Registry, scheme: Scheme) -> pd.DataFrame:
    """:func:`evaluation` from the per-unit counts (:func:`unit_counts`'s table, however computed)."""
    info = registry.info()
    assessed = info.index[info["assessed"]]
    counts = counts.loc[counts.index.isin(assessed) & (counts[["accepted", "due"]].sum(axis=1) > 0)]
    if counts.empty:
        return _empty_evaluation()
    scored = counts.join(counts.apply(score, axis=1, scheme=scheme)).join(info).reset_index()
    return sort_evaluation(scored, scheme)[EVALUATION_COLUMNS]


EVALUATION_COLUMNS = [
    "group", "unit", "short", "position", "accepted", "due", "handled", "completion_rate",
    "on_time", "on_time_rate", "reworked", "rework_rate", "visited", "dissatisfied",
    "dissatisfaction_rate", "composite", "grade",
]


def _empty_evaluation() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in EVALUATION_COLUMNS})


# ---------------------------------------------------------------- categories
def categories(orders: pd.DataFrame, month: str | pd.Period, scheme: Scheme, top: int | None = None) -> pd.DataFrame:
    """All requests (派单 and 直接办结) accepted in the month by 事件分类: count and share (%).

    Sorted by count descending, then category name; ``top`` keeps the first N.
    """
    month = parse_month(month)
    requests = orders.loc[in_month(orders["accepted_at"], month)]
    return categories_from_counts(requests.groupby("category").size(), len(requests), scheme, top)


def categories_from_counts(counts: pd.Series, total: int, scheme: Scheme, top: int | None = None) -> pd.DataFrame:
    """:func:`categories` from the requests per 事件分类 (``counts``) and all requests (``total``)."""
    table = (
        counts.rename("count")
        .rename_axis("category")
        .reset_index()
        .sort_values(["count", "category"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )
    table["share"] = [percent(n, total, scheme.share_decimals, scheme.rounding_mode) for n in table["count"]]
    table["total"] = total
    return table if top is None else table.head(top)


def totals(orders: pd.DataFrame, month: str | pd.Period) -> dict[str, int]:
    """requests (all modes), work_orders (派单) and direct (直接办结) accepted in the month."""
    month = parse_month(month)
    requests = orders.loc[in_month(orders["accepted_at"], month)]
    work_orders = int((requests["mode"] == "派单").sum())
    return {"requests": len(requests), "work_orders": work_orders, "direct": len(requests) - work_orders}


# ---------------------------------------------------------------- overdue, deductions, violations
def _display_units(frame: pd.DataFrame, registry: Registry, scheme: Scheme) -> pd.DataFrame:
    """Add group, short name and ordering; units outside the assessment collapse into one label."""
    info = registry.info()
    joined = frame.join(info, on="unit")
    outside = ~joined["assessed"].astype(bool)
    last = len(scheme.narrative_groups)
    return joined.assign(
        assessed=~outside,
        label=joined["short"].where(~outside, scheme.unassessed_label),
        group=joined["group"].where(~outside, scheme.unassessed_label),
        group_order=joined["group"].map({g: i for i, g in enumerate(scheme.narrative_groups)}).where(~outside, last),
        position=joined["position"].where(~outside, len(info)),
    )


def due_orders(orders: pd.DataFrame, month: str | pd.Period) -> pd.DataFrame:
    """派单 orders with 办理时限 in the month (the evaluation's base)."""
    month = parse_month(month)
    return orders.loc[(orders["mode"] == "派单") & in_month(orders["deadline"], month)]


def overdue(
    orders: pd.DataFrame, registry: Registry, month: str | pd.Period, scheme: Scheme, *, as_of: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Due orders not closed by their deadline, per unit. A still-open order counts once its
    deadline is before ``as_of`` (the data's cut-off, :attr:`Dataset.as_of`); without ``as_of``, always.

    Columns: label (short name, or the scheme's label for units outside the
    assessment), group, overdue, unjustified (市热线办退回 = 否), unjustified_ids
    (tuple, 工单编号 descending: latest first), open (still not closed), assessed
    (False for the units outside the assessment, collapsed into one row). Sorted as the bulletin lists them:
    narrative group order, count descending, registry order.
    """
    due = due_orders(orders, month)
    late_mask = ~(due["closed_at"] <= due["deadline"])
    if as_of is not None:  # an open order is late only once its deadline has passed by the data's cut-off
        late_mask &= due["closed_at"].notna() | (due["deadline"] < as_of)
    late = due.loc[late_mask]
    if late.empty:
        return pd.DataFrame(columns=OVERDUE_COLUMNS)
    marked = _display_units(late, registry, scheme)
    table = (
        marked.assign(unjustified=~marked["city_returned"], still_open=marked["closed_at"].isna())
        .groupby("label", sort=False)
        .agg(
            group=("group", "first"),
            assessed=("assessed", "first"),
            group_order=("group_order", "first"),
            position=("position", "min"),
            overdue=("order_id", "size"),
            open=("still_open", "sum"),
            unjustified=("unjustified", "sum"),
            unjustified_ids=("order_id", lambda s: tuple(sorted(s[~marked.loc[s.index, "city_returned"]], key=_id_key, reverse=True))),
        )
        .reset_index()
        .sort_values(["group_order", "overdue", "position"], ascending=[True, False, True], kind="stable")
        .reset_index(drop=True)
    )
    return table[OVERDUE_COLUMNS]


OVERDUE_COLUMNS = ["label", "group", "assessed", "overdue", "open", "unjustified", "unjustified_ids"]


def _id_key(order_id: str) -> tuple[int, str]:
    return (int(order_id), order_id) if order_id.isdigit() else (0, order_id)


def unjustified_overdue(overdue_table: pd.DataFrame) -> pd.DataFrame:
    """The assessed units with unjustified overdue orders, in the bulletin's order (count desc).

    Units outside the assessment are left out: no deduction applies to them.
    """
    table = overdue_table.loc[(overdue_table["unjustified"] > 0) & overdue_table["assessed"]]
    order = {label: i for i, label in enumerate(table["label"])}
    groups = list(dict.fromkeys(table["group"]))
    return (
        table.assign(g=table["group"].map({g: i for i, g in enumerate(groups)}), o=table["label"].map(order))
        .sort_values(["g", "unjustified", "o"], ascending=[True, False, True], kind="stable")
        .drop(columns=["g", "o"])
        .reset_index(drop=True)
    )


def violations(orders: pd.DataFrame, registry: Registry, month: str | pd.Period, scheme: Scheme) -> pd.DataFrame:
    """Due orders that broke a rule: more extensions than allowed, or sent back too often.

    Columns: rule (延期 / 回退), order_id, label, count. Sorted by rule, then
    工单编号.
    """
    due = due_orders(orders, month)
    extended = due.loc[due["extensions"] > scheme.max_extensions].assign(rule="延期", count=lambda d: d["extensions"])
    sent_back = due.loc[due["send_backs"] > scheme.max_send_backs].assign(rule="回退", count=lambda d: d["send_backs"])
    both = pd.concat([sent_back, extended])
    if both.empty:
        return pd.DataFrame(columns=["rule", "order_id", "label", "count"])
    marked = _display_units(both, registry, scheme)
    return (
        marked.assign(rule_order=marked["rule"].map({"回退": 0, "延期": 1}), id_order=marked["order_id"].map(_id_key))
        .sort_values(["rule_order", "id_order"], kind="stable")[["rule", "order_id", "label", "count"]]
        .reset_index(drop=True)
    )


# ---------------------------------------------------------------- mailbox
def mailbox(
    letters: pd.DataFrame, month: str | pd.Period, scheme: Scheme, *, as_of: pd.Timestamp | None = None
) -> pd.DataFrame:
    """Letters received in the month, per channel.

    Columns: channel, letters, on_time (答复时间 <= 答复期限), pending (not
    answered and not yet due at the data's cut-off ``as_of``), evaluated,
    satisfied (evaluated and not 不满意), satisfaction (% of evaluated, Decimal or
    None when none evaluated), very_satisfied. Known channels first in their
    usual order, then others by count.
    """
    month = parse_month(month)
    got = letters.loc[in_month(letters["received_at"], month)]
    table = (
        got.assign(
            on_time=got["replied_at"].notna() & (got["replied_at"] <= got["reply_due"]),
            pending=got["replied_at"].isna() & (False if as_of is None else got["reply_due"] >= as_of),
            evaluated=got["rating"].isin(EVALUATED),
            satisfied=got["rating"].isin(EVALUATED) & (got["rating"] != "不满意"),
            very_satisfied=got["rating"] == "非常满意",
        )
        .groupby("channel")
        .agg(
            letters=("letter_id", "size"),
            on_time=("on_time", "sum"),
            pending=("pending", "sum"),
            evaluated=("evaluated", "sum"),
            satisfied=("satisfied", "sum"),
            very_satisfied=("very_satisfied", "sum"),
        )
        .reset_index()
    )
    rank = {c: i for i, c in enumerate(CHANNELS)}
    table = (
        table.assign(known=table["channel"].map(rank).fillna(len(rank)))
        .sort_values(["known", "letters", "channel"], ascending=[True, False, True], kind="stable")
        .drop(columns="known")
        .reset_index(drop=True)
    )
    table["satisfaction"] = [
        percent(s, e, scheme.rate_decimals, scheme.rounding_mode) if e else None
        for s, e in zip(table["satisfied"], table["evaluated"])
    ]
    return table


def very_satisfied_letters(letters: pd.DataFrame, registry: Registry, month: str | pd.Period) -> pd.DataFrame:
    """非常满意 letters received in the month, per unit (short name): count descending, registry order."""
    month = parse_month(month)
    got = letters.loc[in_month(letters["received_at"], month) & (letters["rating"] == "非常满意")]
    info = registry.info()
    table = got.groupby("unit").size().rename("count").reset_index().join(info, on="unit")
    return (
        table.sort_values(["count", "position"], ascending=[False, True], kind="stable")
        .rename(columns={"short": "label"})[["label", "count"]]
        .reset_index(drop=True)
    )


# ---------------------------------------------------------------- month over month
def month_over_month(
    orders: pd.DataFrame, letters: pd.DataFrame | None, month: str | pd.Period, scheme: Scheme | None = None
) -> pd.DataFrame | None:
    """Totals and categories of the month against the previous one (环比).

    None when the previous month is missing or only partly in the data: fewer
    requests than the scheme's ``month_over_month.min_previous_ratio`` (0.5)
    times this month's (typically an export that starts with this month and
    holds a few earlier orders due in it). Change rates use the scheme's
    rounding.
    """
    month = parse_month(month)
    previous = month - 1
    now, before = totals(orders, month), totals(orders, previous)
    ratio = scheme.mom_min_previous_ratio if scheme is not None else Decimal("0.5")
    if before["requests"] == 0 or Decimal(before["requests"]) < ratio * now["requests"]:
        return None
    rows = []
    names = {"requests": "热线诉求总量", "work_orders": "派单工单", "direct": "直接办结"}
    for key, label in names.items():
        rows.append({"item": label, "kind": "总量", "current": now[key], "previous": before[key]})
    if letters is not None:
        rows.append(
            {"item": "群众来信", "kind": "总量",
             "current": int(in_month(letters["received_at"], month).sum()),
             "previous": int(in_month(letters["received_at"], previous).sum())}
        )
    cur = orders.loc[in_month(orders["accepted_at"], month)].groupby("category").size()
    prev = orders.loc[in_month(orders["accepted_at"], previous)].groupby("category").size()
    for cat in cur.add(prev, fill_value=0).sort_values(ascending=False).index:
        rows.append({"item": cat, "kind": "事件分类", "current": int(cur.get(cat, 0)), "previous": int(prev.get(cat, 0))})
    table = pd.DataFrame(rows)
    table["change"] = table["current"] - table["previous"]
    decimals, mode = (scheme.rate_decimals, scheme.rounding_mode) if scheme is not None else (2, ROUND_HALF_UP)
    table["change_rate"] = [
        percent(c - p, p, decimals, mode) if p else None for c, p in zip(table["current"], table["previous"])
    ]
    return table
