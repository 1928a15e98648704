"""Orders a newer export should hold and does not: voided or deleted on the platform since (docs/store.md).

An order takes its values from the export with the latest cut-off that has it (the merge rule). So an order
whose values come from an export older than another one whose span of 受理时间 covers its own 受理时间 is
missing from that newer export: the platform no longer lists it (作废、删除、合并), or the export was filtered.
The store keeps it, as it was last seen, and says so: at the import that lacks it, in ``check --store``, and
in the 数据说明 of every month it counts in (accepted or due in the month, or accepted in the month before,
for 环比). Nothing is removed unless the analyst says so
(``pyhotline drop``: :mod:`.drops`; docs/store.md, Merge rules).

One query per call over the 受理时间 and cut-off columns: the largest cut-off of the exports covering each
order's 受理时间 is a CASE over the (few) exports, compared with the order's own.
"""

from __future__ import annotations

import pandas as pd

#: Order numbers named per warning (the count says how many there are).
NAMED = 3


def _newest_covering(imports: pd.DataFrame) -> tuple[str, list]:
    """SQL for the latest cut-off among the orders exports whose span covers ``accepted_at`` (NULL: none)."""
    rows = imports.loc[(imports["kind"] == "orders") & imports["cutoff"].notna() & imports["span_start"].notna()]
    cases, args = [], []
    for row in rows.itertuples(index=False):
        cases.append("CASE WHEN accepted_at BETWEEN ? AND ? THEN ?::TIMESTAMP_NS END")
        args += [pd.Timestamp(row.span_start).to_pydatetime(), pd.Timestamp(row.span_end).to_pydatetime(),
                 pd.Timestamp(row.cutoff).to_pydatetime()]
    if len(cases) < 2:
        return "", []
    return f"greatest({', '.join(cases)})", args


def vanished(con, imports: pd.DataFrame, window: tuple | None = None) -> pd.DataFrame:
    """The orders a newer export covering their 受理时间 lacks: order_id, accepted_at, deadline, cutoff (their
    export's) and newest (the cut-off of the newest export covering them); ``window`` (start, end) keeps the
    orders accepted or due in it."""
    newest, args = _newest_covering(imports)
    columns = ["order_id", "accepted_at", "deadline", "cutoff", "import_id", "newest"]
    if not newest:
        return pd.DataFrame(columns=columns)
    where = ""
    if window is not None:
        start, end = (pd.Timestamp(t).to_pydatetime() for t in window)
        where = "AND ((accepted_at >= ? AND accepted_at < ?) OR (deadline >= ? AND deadline < ?))"
        args = [*args, start, end, start, end]
    return con.execute(
        f"SELECT order_id, accepted_at, deadline, cutoff, import_id, newest FROM ("
        f"SELECT order_id, accepted_at, deadline, cutoff, import_id, {newest} AS newest FROM orders "
        f"WHERE accepted_at IS NOT NULL {where}) WHERE cutoff < newest ORDER BY accepted_at, order_id",
        args,
    ).df()


def by_export(con, imports: pd.DataFrame) -> list[pd.DataFrame]:
    """For each row of ``imports``, the orders that export lacks (:func:`vanished`; empty for the others).
    Orders lacking from several exports of one cut-off go to the last imported of them."""
    found = vanished(con, imports)
    orders = imports.loc[(imports["kind"] == "orders") & imports["cutoff"].notna()]
    owner = dict(zip(orders["cutoff"], orders["import_id"]))  # the last import of each cut-off
    groups = {owner[c]: g for c, g in found.groupby("newest")} if len(found) else {}
    return [groups.get(i, found.iloc[0:0]) for i in imports["import_id"]]


def _named(found: pd.DataFrame) -> str:
    ids = "、".join(found["order_id"].head(NAMED))
    return f"{ids}{'等' if len(found) > NAMED else ''}"


def _sources(imports: pd.DataFrame, group: pd.DataFrame) -> str:
    files = dict(zip(imports["import_id"], imports["file"]))
    return "、".join(dict.fromkeys(files.get(i, "较早的导出") for i in group["import_id"]))


def _lacking(imports: pd.DataFrame):
    """(the export, the orders it lacks) for each orders export that lacks some (``imports_table``'s ``missing``)."""
    if "missing" not in imports.columns:
        return
    for row in imports.itertuples(index=False):
        if len(row.missing):
            yield row, row.missing


def month_warnings(imports: pd.DataFrame, month: pd.Period) -> list[str]:
    """One warning per newer export that lacks orders counted in ``month`` (accepted or due in it, or accepted
    in the month before, for 环比)."""
    start, end = (month - 1).start_time, (month + 1).start_time
    out = []
    for row, lacking in _lacking(imports):
        group = lacking.loc[lacking["accepted_at"].between(start, end, inclusive="left")
                            | lacking["deadline"].between(start, end, inclusive="left")]
        if len(group):
            out.append(f"工单明细 {row.file}（截至 {pd.Timestamp(row.cutoff):%Y-%m-%d %H:%M}）中没有较早的导出 "
                       f"{_sources(imports, group)} 中的 {len(group)} 件工单（{_named(group)}），虽然它们的受理时间在这份"
                       f"导出的范围内：可能已在平台上作废或删除。{month.month} 月仍按较早导出的记录统计它们，请与平台核对；"
                       "确已作废的，用 pyhotline drop --missing 从数据库中去掉")
    return out


def export_lines(imports: pd.DataFrame, files: list[str]) -> list[str]:
    """After an import of ``files``: each orders export that lacks earlier orders, where one of the files is
    that export or the one the orders come from."""
    source = dict(zip(imports["import_id"], imports["file"]))
    out = []
    for row, group in _lacking(imports):
        if row.file not in files and not set(group["import_id"].map(source)) & set(files):
            continue
        months = sorted({f"{t:%Y-%m}" for t in group["accepted_at"]})
        out.append(f"工单明细 {row.file}（截至 {pd.Timestamp(row.cutoff):%Y-%m-%d %H:%M}）中没有较早的导出 {_sources(imports, group)} "
                   f"中的 {len(group)} 件工单（{_named(group)}，受理于 {'、'.join(months)}），虽然它们的受理时间在这份导出的"
                   "范围内：可能已在平台上作废或删除。数据库按较早导出的记录照常统计它们，请与平台核对；"
                   "确已作废的，用 pyhotline drop --missing 从数据库中去掉")
    return out
