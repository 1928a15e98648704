"""``pyhotline import``: read export files with the usual readers and merge them into the store.

Every file is read and checked by :mod:`pyhotline.io` (same messages as the other commands),
then all of them are written in one transaction: a bad file changes nothing. The merge rules
are documented in docs/store.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..io import FileQuality, load_letters, load_orders, load_units
from .fastcsv import CsvPlan, plan_csv_orders
from .fastpath import stage_month, stage_orders
from .db import LETTER_FIELDS, ORDER_FIELDS, UNIT_FIELDS, StoreError, connect
from . import drops
from .cutoffs import known_files, parse_as_of, parse_span, sha256_of, stated_cutoff
from .registry import stored_registry

KINDS = {
    # kind: (table, id column, time columns giving the cut-off, span column, fields, reader's label)
    "orders": ("orders", "order_id", ("accepted_at", "closed_at"), "accepted_at", ORDER_FIELDS, "工单明细"),
    "letters": ("letters", "letter_id", ("received_at", "replied_at"), "received_at", LETTER_FIELDS, "信件明细"),
}


@dataclass(frozen=True)
class FileImport:
    """What importing one file did."""

    kind: str  # orders, letters, units
    file: str
    sha256: str
    rows: int
    already: bool = False  # the very same file was imported before: nothing changed
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # rows a later export already holds (its values are kept)
    cutoff: pd.Timestamp | None = None
    dropped: int = 0  # orders dropped as voided (pyhotline drop), left out
    cutoff_from: str = ""  # where the cut-off comes from when not the file's latest time nor --as-of


    def summary(self) -> str:
        label = {"orders": "工单明细", "letters": "信件明细", "units": "单位名录"}[self.kind]
        if self.already:
            return f"{label} {self.file}：此前已导入过同一文件，未做改动"
        if self.kind == "units":
            return f"{label} {self.file}：{self.rows} 个单位，此后按这份名录统计"
        text = f"{label} {self.file}：{self.rows} 行，新增 {self.new}、更新 {self.updated}、未变 {self.unchanged}"
        if self.kept:
            text += f"（其中 {self.kept} 行已有截止时间更晚的导出，保留较新的）"
        if self.dropped:
            text += f"（另有 {self.dropped} 件已用 pyhotline drop 去掉的工单，未导入）"
        return text + f"；截至 {self.cutoff:%Y-%m-%d %H:%M}{self.cutoff_from}"


@dataclass(frozen=True)
class ImportSummary:
    store: Path
    files: tuple[FileImport, ...]
    quality: tuple[FileQuality, ...]

    def lines(self) -> list[str]:
        return [f.summary() for f in self.files]


def _files(paths: Iterable | None) -> list[Path]:
    if paths is None:
        return []
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return [Path(p) for p in paths]


def import_files(
    store: str | Path,
    *,
    orders=None,
    letters=None,
    units=None,
    as_of=None,
    span=None,
    scheme=None,
    strict: bool = False,
    fast: bool = True,
    keep: tuple | None = None,
) -> ImportSummary:
    """Import export files into the store at ``store`` (created when missing). One transaction.

    ``fast=False`` reads every file with the readers (the DuckDB check path is then not tried).
    ``keep`` = (month, first, end, extra), for a one-off store read for one month: of a single orders
    file only the rows :func:`~pyhotline.store.month.month_dataset` selects are stored (every row is
    still read and checked; the import record, cut-off and span are the whole file's). When the file
    has no order accepted in ``month``, every row is stored (so the error names the file's months).
    ``span`` = (first day, last day): the 受理时间 (收信时间) range the orders (letters) files were
    exported for (``import --span``); it is their recorded span instead of their first to last record,
    and a record outside it is an error (docs/store.md, Coverage)."""
    from ..report import _header_aliases, check_groups
    from ..scheme import Scheme, load_scheme

    store = store if not isinstance(store, (str, Path)) else Path(store)
    as_of = parse_as_of(as_of)
    span = parse_span(span)
    aliases = _header_aliases(scheme)
    order_files, letter_files, unit_files = _files(orders), _files(letters), _files(units)
    if not (order_files or letter_files or unit_files):
        raise StoreError("没有要导入的文件：请用 --orders、--letters 或 --units 给出文件")
    for path in order_files + letter_files + unit_files:
        if not path.is_file():
            raise InputError("文件不存在或不是普通文件", path=path)
    with connect(store, read_only=False, create=True) as con:
        known = known_files(con, as_of, span)
        quality: list[FileQuality] = []
        planned = []  # (kind, path, sha, frame or registry, quality record)
        registry = stored_registry(con)
        for path in unit_files:
            sha = sha256_of(path)
            if ("units", sha) in known:
                planned.append(("units", path, sha, None, None))
                continue
            registry = load_units(path, header_aliases=aliases, quality=quality)
            check_groups(registry, scheme if isinstance(scheme, Scheme) else load_scheme(scheme))  # before it replaces the store's
            planned.append(("units", path, sha, registry, quality[-1]))
        for kind, files, loader in (("orders", order_files, load_orders), ("letters", letter_files, load_letters)):
            for path in files:
                sha = sha256_of(path)
                if (kind, sha) in known:
                    planned.append((kind, path, sha, None, None))
                    continue
                if registry is None:
                    raise StoreError("数据库中还没有单位名录：请同时用 --units 导入承办单位名录")
                if kind == "orders" and fast and keep is not None and len(order_files) == 1 and span is None:
                    staged = f"staged_{len(planned)}"
                    found = stage_month(con, path, registry, staged, keep, header_aliases=aliases, strict=strict)
                    if found is not None:  # clean typed Parquet: checked in one pass, the month's slice staged
                        quality.append(found[0])
                        planned.append((kind, path, sha, (staged, found[1]), found[0]))
                        continue
                if kind == "orders" and fast and path.suffix.lower() in (".csv", ".txt"):
                    plan = plan_csv_orders(con, path, registry, header_aliases=aliases, strict=strict,
                                           name=f"staged_{len(planned)}")
                    if plan is not None:  # clean UTF-8 CSV: checked by DuckDB, read into the store when written
                        quality.append(plan.record)
                        planned.append((kind, path, sha, plan, plan.record))
                        continue
                elif kind == "orders" and fast:
                    staged = f"staged_{len(planned)}"
                    record = stage_orders(con, path, registry, staged, header_aliases=aliases, strict=strict)
                    if record is not None:  # clean typed Parquet or UTF-8 CSV: checked and staged by DuckDB
                        quality.append(record)
                        planned.append((kind, path, sha, staged, record))
                        continue
                frame = loader(path, registry, header_aliases=aliases, strict=strict, quality=quality)
                planned.append((kind, path, sha, frame, quality[-1]))
        done = []
        con.begin()
        try:
            for kind, path, sha, content, record in planned:
                if content is None:
                    rows = con.execute("SELECT rows FROM imports WHERE kind = ? AND sha256 = ?", [kind, sha]).fetchall()[0]
                    done.append(FileImport(kind, path.name, sha, int(rows[0]), already=True))
                    continue
                import_id = _next_id(con)
                if kind == "units":
                    done.append(_write_units(con, import_id, path, sha, content, record))
                else:
                    only = keep if kind == "orders" and len(order_files) == 1 else None
                    done.append(_write_records(con, kind, import_id, path, sha, content, record, as_of, only, span))
                known.add((kind, sha))
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return ImportSummary(store=store, files=tuple(done), quality=tuple(quality))


def _next_id(con) -> int:
    return int(con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchall()[0][0])


def _record(con, import_id, kind, path, sha, record: FileQuality, *, cutoff=None, as_of_given=False,
            span=(None, None), counts=(0, 0, 0, 0)) -> None:
    con.execute(
        "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp, ?, ?, ?, ?)",
        [import_id, kind, path.name, sha, record.rows, record.blank,
         json.dumps(record.stored_set_aside(), ensure_ascii=False), json.dumps(record.warnings, ensure_ascii=False),
         _py(cutoff), as_of_given, _py(span[0]), _py(span[1]), *counts],
    ).fetchall()


def _py(stamp):
    return None if stamp is None or pd.isna(stamp) else pd.Timestamp(stamp).to_pydatetime()


def _write_units(con, import_id, path, sha, registry, record) -> FileImport:
    import pyarrow as pa

    units = registry.units
    table = pa.table({
        "name": pa.array(units["name"].tolist(), pa.string()),
        "group": pa.array(units["group"].tolist(), pa.string()),
        "aliases": pa.array([list(a) for a in units["aliases"]], pa.list_(pa.string())),
        "assessed": pa.array(units["assessed"].tolist(), pa.bool_()),
        "row": pa.array(units["row"].tolist(), pa.int64()),
        "position": pa.array(units["position"].tolist(), pa.int64()),
    })
    con.register("incoming_units", table)
    names = ", ".join(f'"{n}"' for n, _ in UNIT_FIELDS)
    con.execute(f"INSERT INTO units SELECT {names}, {import_id}, position FROM incoming_units").fetchall()
    con.unregister("incoming_units")
    _record(con, import_id, "units", path, sha, record)
    return FileImport("units", path.name, sha, len(units))


def _kept_rows(con, staged: str, keep: tuple | None) -> tuple[str, list]:
    """The WHERE clause (and parameters) keeping a one-off month's rows of ``staged`` (see ``keep``)."""
    if keep is None:
        return "", []
    from .month import window_condition

    month, first, end, extra = keep
    found = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {staged} WHERE accepted_at >= ? AND accepted_at < ? LIMIT 1)",
                        [month.start_time.to_pydatetime(), (month + 1).start_time.to_pydatetime()]).fetchall()[0][0]
    if not found:
        return "", []
    condition, args = window_condition("orders", first, end, extra)
    return f" WHERE {condition}", args


def _declared_span(con, kind, path, staged, frame, span_column, span) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The span ``import --span`` gives, after checking that every record's 受理时间 (收信时间) is in it:
    one message for all records outside, naming the first of them."""
    first, last = span
    end = last + pd.Timedelta(days=1)
    _, key, _, _, _, label = KINDS[kind]
    if staged is not None:
        outside, example, when = con.execute(
            f"SELECT count(*), arg_min({key}, {span_column}), min({span_column}) FROM {staged} "
            f"WHERE {span_column} < ? OR {span_column} >= ?", [first.to_pydatetime(), end.to_pydatetime()],
        ).fetchall()[0]
    else:
        mask = (frame[span_column] < first) | (frame[span_column] >= end)
        outside = int(mask.sum())
        earliest = frame.loc[mask, span_column].idxmin() if outside else None  # as arg_min above: the earliest
        example, when = (frame.at[earliest, key], frame.at[earliest, span_column]) if outside else (None, None)
    if outside:
        column, what = ("受理时间", "工单编号") if kind == "orders" else ("收信时间", "信件编号")
        raise InputError(
            f"有 {outside} 条记录的“{column}”不在 --span {first:%Y-%m-%d}..{last:%Y-%m-%d} 之内"
            f"（如{what} {example}：{pd.Timestamp(when):%Y-%m-%d %H:%M}）", path=path, column=column,
            expected=f"--span 写导出时选的{column}范围（{label}的起止日期），或不给 --span（取文件中最早到最晚的记录）",
        )
    return first, end - pd.Timedelta(seconds=1)


def _write_records(con, kind, import_id, path, sha, frame: pd.DataFrame, record, as_of, keep=None,
                   declared=None) -> FileImport:
    import pyarrow as pa

    table_name, key, cut_columns, span_column, fields, _ = KINDS[kind]
    names = [n for n, _ in fields]
    if isinstance(frame, tuple):  # a month's slice staged by DuckDB, with the whole file's figures
        (staged, (latest, first, last, rows)), keep = frame, None
        latest = None if latest is None else pd.Timestamp(latest)
        span = (pd.Timestamp(first), pd.Timestamp(last))
    elif isinstance(frame, CsvPlan):  # a checked CSV file, read by DuckDB in the statement below
        frame.check_unchanged(path)
        staged, (latest, first, last, rows) = frame.source, frame.figures
        latest = None if latest is None else pd.Timestamp(latest)
        span = (pd.Timestamp(first), pd.Timestamp(last))
    elif isinstance(frame, str):  # staged by DuckDB (fastpath)
        staged = frame
        latest, first, last, rows = con.execute(
            f"SELECT greatest(max({cut_columns[0]}), max({cut_columns[1]})), min({span_column}), max({span_column}), "
            f"count(*) FROM {staged}").fetchall()[0]
        latest = None if latest is None else pd.Timestamp(latest)
        span = (pd.Timestamp(first), pd.Timestamp(last))
    else:
        staged, rows = None, len(frame)
        latest = max((frame[c].max() for c in cut_columns if frame[c].notna().any()), default=None)
        span = (frame[span_column].min(), frame[span_column].max()) if len(frame) else (None, None)
    if declared is not None:  # import --span: the range the file was exported for
        span = _declared_span(con, kind, path, staged, None if staged is not None else frame, span_column, declared)
    if as_of is not None and latest is not None and as_of < latest:
        raise InputError(
            f"--as-of {as_of:%Y-%m-%d %H:%M} 早于文件中最晚的时间 {latest:%Y-%m-%d %H:%M}", path=path,
            expected="不早于文件中的任何受理、办结时间",
        )
    cutoff, source = (as_of, "") if as_of is not None else stated_cutoff(path, record, latest)
    if declared is not None and cutoff is not None and span[1].date() > cutoff.date():
        # an export cannot hold what was accepted after it was made: such a span would hide real gaps
        raise InputError(
            f"--span 的结束日期 {span[1]:%Y-%m-%d} 晚于这份导出的数据截至时间 {cutoff:%Y-%m-%d %H:%M}", path=path,
            expected="--span 写导出时选的范围，结束日期不晚于导出当天（导出时间可用 --as-of 给出）",
        )
    columns = ", ".join(f'CAST("{n}" AS {t}) AS "{n}"' for n, t in fields)
    if staged is None:
        # Column by column: Table.from_pandas would also try to store the frame's attrs (the reader's
        # notes, InputError objects already in the quality record) as pandas metadata, and warn.
        incoming = pa.table({**{n: pa.array(frame[n]) for n in names},
                             "seq": pa.array(np.arange(len(frame), dtype="int64"))})
        con.register("incoming_frame", incoming)
        staged = "incoming_frame"
    where, args = _kept_rows(con, staged, keep)
    dropped = drops.import_filter(con, key) if kind == "orders" else ""
    if dropped:  # orders dropped as voided stay out, unless this export is newer (store/drops.py)
        where, args = f"{where} AND {dropped}" if where else f" WHERE {dropped}", [*args, _py(cutoff)]
    every = ", ".join(f'"{n}"' for n in names + ["cutoff", "import_id", "seq"])
    empty = not dropped and not con.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM main.{table_name} LIMIT 1)").fetchall()[0][0]
    # all new (the first import): straight into the table, else through ``incoming`` for the merge
    con.execute(
        (f"INSERT INTO main.{table_name} ({every}) " if empty else "CREATE OR REPLACE TEMP TABLE incoming AS ")
        + f"SELECT {columns}, CAST(? AS TIMESTAMP_NS) AS cutoff, {import_id} AS import_id, seq FROM {staged}{where}",
        [_py(cutoff), *args],
    ).fetchall()
    if staged == "incoming_frame":
        con.unregister("incoming_frame")
    elif isinstance(frame, CsvPlan):
        frame.drop(con)
    else:
        con.execute(f"DROP TABLE {staged}").fetchall()
    if empty:
        counts = (rows, 0, 0, 0)
        _record(con, import_id, kind, path, sha, record, cutoff=cutoff, as_of_given=as_of is not None, span=span,
                counts=counts)
        return FileImport(kind, path.name, sha, int(rows), new=int(rows), cutoff=cutoff, cutoff_from=source)
    differs = " OR ".join(f'i."{n}" IS DISTINCT FROM s."{n}"' for n in names if n != key)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE judged AS
        SELECT i.*, s."{key}" IS NULL AS is_new,
               s."{key}" IS NOT NULL AND s.cutoff > i.cutoff AS is_older,
               s."{key}" IS NOT NULL AND ({differs}) AS differs
        FROM incoming i LEFT JOIN main.{table_name} s ON s."{key}" = i."{key}"
    """).fetchall()
    new, kept, updated, unchanged = con.execute("""
        SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE is_older),
               count(*) FILTER (WHERE NOT is_new AND NOT is_older AND differs),
               count(*) FILTER (WHERE NOT is_new AND NOT is_older AND NOT differs)
        FROM judged
    """).fetchall()[0]
    if new != rows:
        con.execute(f'DELETE FROM main.{table_name} WHERE "{key}" IN '
                    f'(SELECT "{key}" FROM judged WHERE NOT is_new AND NOT is_older)').fetchall()
    con.execute(f"INSERT INTO main.{table_name} SELECT {every} FROM judged WHERE NOT is_older").fetchall()
    con.execute("DROP TABLE incoming").fetchall()
    con.execute("DROP TABLE judged").fetchall()
    if dropped:
        drops.after_import(con)
    _record(con, import_id, kind, path, sha, record, cutoff=cutoff, as_of_given=as_of is not None, span=span,
            counts=(new, updated, unchanged, kept))
    left_out = int(rows) - int(new + updated + unchanged + kept) if dropped else 0
    return FileImport(kind, path.name, sha, int(rows), new=int(new), updated=int(updated),
                      unchanged=int(unchanged), kept=int(kept), cutoff=cutoff, dropped=left_out, cutoff_from=source)
