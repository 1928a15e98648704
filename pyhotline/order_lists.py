"""The orders behind the bulletin's lists of order numbers, computed once.

二、存在的问题 names orders per unit: the unjustified overdue ones (item 1) and the 回退/延期 violations
(item 3), each unit's list capped at ``bulletin.max_orders_per_unit`` ("等N件"). Both the capped text
(:mod:`pyhotline.bulletin_text`) and the complete lists (附件3 in the PDF/HTML and the Word file, the
sheet 问题工单 of ``evaluation.xlsx``) are made from :func:`unit_lists` / :func:`problem_orders`, so the
text's counts are the attachment's rows (docs/layout.md "附件3").

No personal data: the rows carry the unit, the order number, the problem and its dates only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: the problems a list names; their printed words are the scheme's (``wording.problem_orders_*``)
UNJUSTIFIED, SEND_BACK, EXTENSION = "unjustified", "send_back", "extension"
RULES = {"回退": SEND_BACK, "延期": EXTENSION}  # metrics.violations' rule -> problem
DATE_COLUMNS = ("accepted_at", "deadline", "closed_at")
COLUMNS = ["label", "order_id", "problem", "count", *DATE_COLUMNS]


@dataclass(frozen=True)
class UnitList:
    """One unit's orders with one problem, in the order the text names them."""

    problem: str
    label: str
    orders: tuple[str, ...]
    counts: tuple[int | None, ...]  # 回退/延期 times per order (None for unjustified overdue)


def _kept(report, name: str, make):
    """``make(report)``, computed once per report (is_cut, the text, 附件3 and the sheet each ask): kept in
    the report's ``__dict__`` (its dataclass fields are frozen; a replaced report computes its own)."""
    kept = report.__dict__.setdefault("_order_lists", {})
    if name not in kept:
        kept[name] = make(report)
    return kept[name]


def unit_lists(report) -> list[UnitList]:
    """Every unit's list: unjustified overdue (units as ``report.unjustified`` orders them, ids latest
    first), then 回退, then 延期 violations (units with more orders first, then as they come; ids ascending
    as :func:`pyhotline.metrics.violations` sorts them). Computed once per report: do not change the list."""
    return list(_kept(report, "unit_lists", _unit_lists))


def _unit_lists(report) -> list[UnitList]:
    lists = [UnitList(UNJUSTIFIED, label, tuple(str(i) for i in ids), (None,) * len(ids))
             for label, ids in zip(report.unjustified["label"], report.unjustified["unjustified_ids"])]
    v = report.violations
    for rule, problem in RULES.items():
        rows = v.loc[v["rule"] == rule] if len(v) else v
        groups: dict[str, list[tuple[str, int]]] = {}
        ids, labels, counts = (rows[c].tolist() if c in rows else () for c in ("order_id", "label", "count"))
        for order_id, label, count in zip(ids, labels, counts):  # lists: iterating Arrow strings is 10x slower
            groups.setdefault(label, []).append((str(order_id), int(count)))
        ranked = sorted(groups.items(), key=lambda item: -len(item[1]))  # stable: ties keep their order
        lists += [UnitList(problem, label, tuple(o for o, _ in got), tuple(c for _, c in got)) for label, got in ranked]
    return lists


def capped(ids, cap: int) -> tuple[list[str], int]:
    """The first ``cap`` of ``ids`` (all when ``cap`` is 0) and how many there are."""
    ids = [str(i) for i in ids]
    return (ids if not cap or len(ids) <= cap else ids[:cap]), len(ids)


def is_cut(report) -> bool:
    """True when some unit's list in the text names fewer orders than it holds (附件3 is then added)."""
    cap = report.scheme.max_orders_per_unit
    return bool(cap) and any(len(u.orders) > cap for u in unit_lists(report))


def problem_orders(report) -> pd.DataFrame:
    """The complete lists as one table, a row per order and problem, in the text's order: label, order_id,
    problem (unjustified / send_back / extension), count (times sent back or extended; None for
    unjustified), and the dates accepted_at, deadline, closed_at (``report.order_dates``; NaT when not
    known)."""
    rows = [(u.label, order_id, u.problem, count) for u in unit_lists(report)
            for order_id, count in zip(u.orders, u.counts)]
    table = pd.DataFrame(rows, columns=COLUMNS[:4])
    dates = getattr(report, "order_dates", None)
    if dates is None or not len(table):
        for column in DATE_COLUMNS:
            table[column] = pd.Series(pd.NaT, index=table.index, dtype="datetime64[ns]")
        return table
    return table.join(dates[list(DATE_COLUMNS)], on="order_id")[COLUMNS]


def order_dates(orders: pd.DataFrame, unjustified: pd.DataFrame, violations: pd.DataFrame) -> pd.DataFrame:
    """The dates of the orders the lists name, indexed by order_id (text): what 附件3 prints."""
    named = {str(i) for ids in unjustified.get("unjustified_ids", ()) for i in ids}
    named |= {str(i) for i in violations.get("order_id", ())}
    ids = orders["order_id"].astype(str)
    picked = orders.loc[ids.isin(named), ["order_id", *DATE_COLUMNS]]
    return picked.assign(order_id=picked["order_id"].astype(str)).drop_duplicates("order_id").set_index("order_id")


def _words(scheme, problem: str, count) -> str:
    if problem == UNJUSTIFIED:
        return scheme.words("problem_orders_unjustified")
    return scheme.words(f"problem_orders_{problem}", count=int(count))


def headers(scheme) -> list[str]:
    """The attachment's six column names (``wording.problem_orders_columns``, separated by |)."""
    names = [h.strip() for h in scheme.words("problem_orders_columns").split("|")]
    if len(names) != len(COLUMNS) - 1 or not all(names):
        from .errors import SchemeError

        raise SchemeError(f"wording.problem_orders_columns 应为 {len(COLUMNS) - 1} 个列名，用 | 分隔（值为"
                          f"“{scheme.words('problem_orders_columns')}”）", path=scheme.path)
    return names


def printed(report) -> pd.DataFrame:
    """The complete lists as 附件3 and the sheet 问题工单 print them: the scheme's headers, text cells
    (unit, order number, the problem in the scheme's words, dates as 2024-05-02 09:00). Computed once per
    report (附件3 and the sheet 问题工单 print the same table): a copy, so the caller may change it."""
    return _kept(report, "printed", _printed).copy()


def _printed(report) -> pd.DataFrame:
    scheme = report.scheme
    table = problem_orders(report)

    def when(values: pd.Series, empty: str) -> list[str]:
        if values.dtype == "datetime64[ns]":  # years 1677-2262: numpy's ISO text is strftime's, 5x faster
            import numpy as np

            text = np.datetime_as_string(values.to_numpy().astype("datetime64[m]"), unit="m").tolist()
            return [empty if t == "NaT" else f"{t[:10]} {t[11:]}" for t in text]
        if pd.api.types.is_datetime64_dtype(values.dtype):  # vectorised: 500k rows at 10M orders
            return values.dt.strftime("%Y-%m-%d %H:%M").where(values.notna(), empty).tolist()
        return [empty if pd.isna(v) else f"{v:%Y-%m-%d %H:%M}" for v in values]

    words: dict[tuple[str, int | None], str] = {}  # a few distinct (problem, count) for many rows

    def problem_words(problem: str, count) -> str:
        key = (problem, None if problem == UNJUSTIFIED else int(count))
        if key not in words:
            words[key] = _words(scheme, problem, count)
        return words[key]

    out = pd.DataFrame({
        "label": table["label"].astype(str),
        "order_id": table["order_id"].astype(str),
        "problem": [problem_words(p, c) for p, c in zip(table["problem"], table["count"])],
        "accepted_at": when(table["accepted_at"], "—"),
        "deadline": when(table["deadline"], "—"),
        "closed_at": when(table["closed_at"], scheme.words("problem_orders_open")),
    })
    out.columns = headers(scheme)
    return out


def title(report) -> str:
    from .period import period_title

    m = report.month
    return report.scheme.words("problem_orders_title", period=period_title(m), year=m.year, month=m.month,
                               county=report.scheme.county)
