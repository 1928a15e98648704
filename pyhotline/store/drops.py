"""Orders the analyst drops from the store: voided, deleted or merged on the platform (docs/store.md).

A newer export that covers an order's 受理时间 and does not list it (:mod:`.vanished`) only says the order
may be gone; the analyst, having checked the platform, says so with ``pyhotline drop``:

- ``drop --missing`` drops every order a newer export lacks, ``drop 工单编号 …`` the orders named;
- a dropped order moves from ``orders`` to ``dropped`` (the same columns, plus ``dropped_cutoff``: the cut-off
  of the newest orders export at that time, and ``dropped_at``), so no month, quarter or year counts it, and
  the warnings about it stop;
- an import keeps a dropped order out unless its export's cut-off is later than ``dropped_cutoff`` (the
  platform lists it again): then it is an order like any other, and leaves ``dropped``;
- ``drop --restore 工单编号 …`` moves dropped orders back, as they were.

One transaction per command: a refused command changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .db import ORDER_FIELDS, SOURCE_FIELDS, StoreError, connect

#: Order numbers named in a line (the count says how many there are).
NAMED = 5

TABLE = "dropped"
_COLUMNS = ", ".join(f'"{name}"' for name, _ in ORDER_FIELDS + SOURCE_FIELDS)


@dataclass(frozen=True)
class DropSummary:
    """What one ``pyhotline drop`` did."""

    store: Path
    action: str  # drop, restore
    orders: tuple[str, ...]
    months: tuple[str, ...]  # the months of 受理时间 of those orders

    def lines(self) -> list[str]:
        if not self.orders:
            return ["没有要去掉的工单：数据库中没有较新导出缺少的工单" if self.action == "drop"
                    else "没有要恢复的工单"]
        named = "、".join(self.orders[:NAMED]) + ("等" if len(self.orders) > NAMED else "")
        months = "、".join(self.months)
        if self.action == "drop":
            return [f"已从数据库中去掉 {len(self.orders)} 件工单（{named}，受理于 {months}）：此后各月、季、年都不再统计它们；"
                    f"截止时间更晚的导出若又列出它们，导入时照常计入；用 pyhotline drop --restore 工单编号 可恢复"]
        return [f"已恢复 {len(self.orders)} 件工单（{named}，受理于 {months}）：此后照常统计"]


def ensure_table(con) -> None:
    """The ``dropped`` table, in a store made before it existed (a connection open for writing)."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} AS SELECT *, NULL::TIMESTAMP_NS AS dropped_cutoff, "
                f"NULL::TIMESTAMP AS dropped_at FROM orders LIMIT 0").fetchall()


def has_table(con) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [TABLE]).fetchall()[0][0])


def import_filter(con, key: str) -> str:
    """The condition an import's rows meet to be written: not dropped at a cut-off at or after theirs (the
    incoming ``cutoff`` column). Empty when nothing was dropped."""
    if not has_table(con) or not con.execute(f"SELECT count(*) FROM {TABLE}").fetchall()[0][0]:
        return ""
    return f'"{key}" NOT IN (SELECT order_id FROM {TABLE} WHERE dropped_cutoff >= CAST(? AS TIMESTAMP_NS))'


def after_import(con) -> None:
    """Dropped orders a newer export listed again are orders again: they leave ``dropped``."""
    if has_table(con):
        con.execute(f"DELETE FROM {TABLE} WHERE order_id IN (SELECT order_id FROM orders)").fetchall()


def dropped_orders(con) -> pd.DataFrame:
    """order_id, accepted_at, dropped_cutoff, dropped_at of every dropped order (empty in an older store)."""
    if not has_table(con):
        return pd.DataFrame(columns=["order_id", "accepted_at", "deadline", "dropped_cutoff", "dropped_at"])
    return con.execute(f"SELECT order_id, accepted_at, deadline, dropped_cutoff, dropped_at FROM {TABLE} "
                       "ORDER BY accepted_at, order_id").df()


def month_note(con, month: pd.Period) -> list[str]:
    """The 数据说明 line naming the dropped orders accepted or due in ``month`` (none: no line)."""
    found = dropped_orders(con)
    if not len(found):
        return []
    start, end = month.start_time, (month + 1).start_time
    found = found.loc[found["accepted_at"].between(start, end, inclusive="left")
                      | found["deadline"].between(start, end, inclusive="left")]
    if not len(found):
        return []
    return [f"已去掉平台上作废或删除的工单 {len(found)} 件（{_listed(list(found['order_id']))}，用 pyhotline drop 去掉）："
            f"{month.month} 月不统计它们"]


def _chosen(ids: list[str]):
    import pyarrow as pa

    return pa.table({"order_id": pa.array(ids, type=pa.string())})


def _months(con, table: str, ids: list[str]) -> tuple[str, ...]:
    con.register("chosen_ids", _chosen(ids))
    try:
        found = con.execute(f"SELECT DISTINCT strftime(accepted_at, '%Y-%m') FROM {table} "
                            "WHERE order_id IN (SELECT order_id FROM chosen_ids) AND accepted_at IS NOT NULL "
                            "ORDER BY 1").fetchall()
    finally:
        con.unregister("chosen_ids")
    return tuple(row[0] for row in found)


def _unknown(con, table: str, ids: list[str]) -> list[str]:
    con.register("chosen_ids", _chosen(ids))
    try:
        found = {row[0] for row in con.execute(
            f"SELECT order_id FROM {table} WHERE order_id IN (SELECT order_id FROM chosen_ids)").fetchall()}
    finally:
        con.unregister("chosen_ids")
    return [i for i in ids if i not in found]


def _clean(ids) -> list[str]:
    """The order numbers given, one per argument or separated by commas, 、 or semicolons."""
    parts = (p.strip() for i in ids for p in re.split(r"[,，、;；\s]+", str(i)))
    return list(dict.fromkeys(p for p in parts if p))


def _listed(ids: list[str]) -> str:
    return "、".join(ids[:NAMED]) + (f"等 {len(ids)} 个" if len(ids) > NAMED else "")


def drop_orders(store, ids=(), *, missing: bool = False) -> DropSummary:
    """Drop the orders ``ids`` and, with ``missing``, every order a newer export lacks, from ``store``.
    An order number the store does not hold is an error naming it (nothing is dropped)."""
    from .month import imports_table
    from .vanished import vanished

    ids = _clean(ids)
    if not ids and not missing:
        raise StoreError("没有要去掉的工单：请给出工单编号，或用 --missing 去掉较新导出中没有的全部工单")
    with connect(store, read_only=False) as con:
        ensure_table(con)
        unknown = _unknown(con, "orders", ids)
        if unknown:  # one message for every number that cannot be dropped (nothing is dropped)
            gone = set(_unknown(con, TABLE, unknown))
            already = [i for i in unknown if i not in gone]
            absent = [i for i in unknown if i in gone]
            said = []
            if absent:
                said.append(f"数据库 {Path(store).name} 中没有工单 {_listed(absent)}：请核对工单编号")
            if already:
                said.append(f"工单 {_listed(already)} 已经去掉过，不用再去掉（恢复用 --restore）")
            raise StoreError("；".join(said) + "。没有去掉任何工单")
        if missing:
            ids = list(dict.fromkeys(ids + list(vanished(con, imports_table(con))["order_id"])))
        if not ids:
            return DropSummary(Path(store), "drop", (), ())
        months = _months(con, "orders", ids)
        newest = con.execute("SELECT max(cutoff) FROM imports WHERE kind = 'orders'").fetchall()[0][0]
        con.register("chosen_ids", _chosen(ids))
        con.begin()
        try:
            con.execute(f"INSERT INTO {TABLE} SELECT {_COLUMNS}, CAST(? AS TIMESTAMP_NS), ? FROM orders "
                        "WHERE order_id IN (SELECT order_id FROM chosen_ids)",
                        [newest, dt.datetime.now()]).fetchall()
            con.execute("DELETE FROM orders WHERE order_id IN (SELECT order_id FROM chosen_ids)").fetchall()
            con.commit()
        except BaseException:
            con.rollback()
            raise
        finally:
            con.unregister("chosen_ids")
    return DropSummary(Path(store), "drop", tuple(ids), months)


def restore_orders(store, ids) -> DropSummary:
    """Move the dropped orders ``ids`` back into ``store``'s orders, as they were when dropped."""
    ids = _clean(ids)
    if not ids:
        raise StoreError("没有要恢复的工单：请在 --restore 后给出工单编号")
    with connect(store, read_only=False) as con:
        ensure_table(con)
        unknown = _unknown(con, TABLE, ids)
        if unknown:
            raise StoreError(f"工单 {_listed(unknown)} 不在已去掉的工单中：只能恢复用 pyhotline drop 去掉的工单。"
                             "没有恢复任何工单")
        months = _months(con, TABLE, ids)
        con.register("chosen_ids", _chosen(ids))
        con.begin()
        try:
            con.execute(f"INSERT INTO orders SELECT {_COLUMNS} FROM {TABLE} "
                        "WHERE order_id IN (SELECT order_id FROM chosen_ids)").fetchall()
            con.execute(f"DELETE FROM {TABLE} WHERE order_id IN (SELECT order_id FROM chosen_ids)").fetchall()
            con.commit()
        except BaseException:
            con.rollback()
            raise
        finally:
            con.unregister("chosen_ids")
    return DropSummary(Path(store), "restore", tuple(ids), months)
