"""Importing a clean UTF-8 CSV orders file at DuckDB speed (the CSV twin of :mod:`.fastpath`).

DuckDB reads the file (``read_csv``, every cell as text, strict about the number of fields) twice,
and nothing of it is kept in between. The first pass is one aggregate that checks it against every
rule of :func:`pyhotline.io.load_orders`: times only in the platforms' own form
``2024-05-03 08:05:00`` (parsed exactly: 2024-02-30 is not a date), counts as plain digits, blank,
spaced or repeated 工单编号, 派单 without unit or deadline, 办结 before 受理 ..., the reader's two
warnings with their first rows, and the distinct values of the text columns, which are then cleaned
one at a time by the reader's own normalisation and units by the registry's lookup
(:func:`.fastpath.value_maps`). The second pass, made by the import inside its transaction
(:func:`.imports.import_files`), reads the file once more straight into the store, typed and mapped
(:class:`CsvPlan`). No pandas frame is made and personal columns are never read.

Whenever anything is doubtful the answer is None and the import reads the file with the reader,
which gives its usual row-level messages: not UTF-8 (GB18030/GBK files stay on the reader: DuckDB
reads UTF-8 only without its ``encodings`` extension, which would need a download), damaged bytes,
title rows above the header, a header the reader maps otherwise, blank lines (their row numbers),
a row of the wrong width, another date form, a blank cell where one is required, a value the
reader would clean (invisible characters), a 合计 row, a warning under ``strict`` ...
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from ..io import (
    EARLIEST, HEADER_ALIASES, LATEST, ORDER_COLUMNS, VISITED, FileQuality, Registry, direct_with_unit_warning,
    normalize_text, visited_open_warning,
)
from ..errors import InputError
from ..io.csvfile import decode
from ..io.headers import find_header
from .fastpath import _INVISIBLE_CONTROL, _SPACE, MAPPED, value_maps

_COUNT = r"[0-9]{1,18}"
_BLOCK = 1 << 24
#: Files up to this size are read once into a table (their cells fit within DuckDB's memory limit).
_IN_MEMORY = 320 << 20
_EMPTY_LINE = re.compile(rb"\n\r?\n")


def _header(path: Path, header_aliases: dict | None) -> tuple[int, dict[str, int]] | None:
    """(number of fields, internal column name -> field position) when the file starts, in plain
    UTF-8, with a header row naming each order column once; else None."""
    import pandas as pd

    with open(path, "rb") as fh:
        start = fh.read(65536)
    if not start or start.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        text, encoding, damaged = decode(start, final=len(start) < 65536)
    except UnicodeDecodeError:
        return None
    if encoding != "utf-8-sig" or damaged:
        return None
    try:
        head = list(csv.reader(StringIO(text, newline="")))[:30]
    except csv.Error:
        return None
    if len(head) < 2 or any(not r for r in head):
        return None
    aliases = {**HEADER_ALIASES, **(header_aliases or {})}
    width = len(head[0])
    if find_header(pd.DataFrame([r + [""] * (max(map(len, head)) - len(r)) for r in head]), ORDER_COLUMNS, aliases) != 0:
        return None
    names = head[0]
    if len(set(names)) != len(names) or any(r != head[0] and len(r) != width for r in head[:-1]):
        return None
    by_header: dict[str, int] = {}
    for i, name in enumerate(names):
        target = aliases.get(normalize_text(name), normalize_text(name))
        if target in by_header:
            return None
        by_header[target] = i
    if any(col.header not in by_header for col in ORDER_COLUMNS):
        return None
    return width, {col.name: by_header[col.header] for col in ORDER_COLUMNS}


def _blank_lines(path: Path) -> bool:
    """True when the file has an empty line (the reader counts it as a blank row and numbers rows past it)."""
    tail = b""
    with open(path, "rb") as fh:  # block by block: a mapped file would count whole in the process's memory
        while block := fh.read(_BLOCK):
            if _EMPTY_LINE.search(tail + block[:2]) or _EMPTY_LINE.search(block):  # also across the blocks' seam
                return True
            tail = block[-2:]
    return False


@dataclass
class CsvPlan:
    """A checked CSV file, to be read into the store: ``source`` is a subquery giving the order
    fields and ``seq`` (the record's position), ``figures`` the file's (latest time, first and last
    受理时间, rows); ``drop`` removes the value maps it joins when the import is done with it."""

    record: FileQuality
    source: str
    figures: tuple
    maps: tuple[str, ...]
    stamp: tuple = ()  # the file's (size, mtime_ns) when it was checked: the write reads it again

    def check_unchanged(self, path: Path) -> None:
        """The file must be the one that was checked: a file rewritten between the check and the write
        (an export still being saved) would put unchecked rows into the store."""
        if self.stamp and _stamp(path) != self.stamp:
            raise InputError("文件在导入期间被修改（可能仍在导出或保存中），未导入", path=path,
                             expected="等文件保存完毕后重新导入")

    def drop(self, con) -> None:
        for name in self.maps:
            con.execute(f"DROP TABLE IF EXISTS {name}").fetchall()


def _stamp(path: Path) -> tuple[int, int]:
    info = Path(path).stat()
    return info.st_size, info.st_mtime_ns


def stage_csv_orders(con, path: Path, registry: Registry, table: str, *, header_aliases=None, strict=False
                     ) -> FileQuality | None:
    """Create ``table`` (as :func:`.fastpath.stage_orders`: the order fields and ``seq``) from a clean
    UTF-8 CSV file; its reading record, or None (nothing created) when the reader must read it."""
    plan = plan_csv_orders(con, path, registry, header_aliases=header_aliases, strict=strict, name=table)
    if plan is None:
        return None
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {plan.source}").fetchall()
    finally:
        plan.drop(con)
    return plan.record


def plan_csv_orders(con, path: Path, registry: Registry, *, header_aliases=None, strict=False, name="csv"
                    ) -> CsvPlan | None:
    """The checked plan of reading a clean UTF-8 CSV orders file into the store, or None (nothing
    created) when the reader must read it."""
    import duckdb

    path = Path(path)
    if path.suffix.lower() not in (".csv", ".txt"):
        return None
    stamp = _stamp(path)
    found = _header(path, header_aliases)
    if found is None or _blank_lines(path):
        return None
    width, at = found
    f = {n: f"f{i}" for n, i in at.items()}
    guess = {"mode": ["派单"], "unit": [None, ""], "visit": list(VISITED)}
    # A file whose cells fit well in memory is read once into a table both passes read; a larger one
    # twice, streamed (no copy of its cells to spill to disk).
    raw = f"_raw_{name}" if path.stat().st_size <= _IN_MEMORY else None
    for parallel in ("", ", parallel = false"):  # the parallel reader may refuse quoted line breaks: one thread
        read = _read_csv(path, width, parallel)
        try:
            if raw is not None:
                con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT {', '.join(f.values())} FROM {read}").fetchall()
                read = raw
            first = con.execute(_check_sql(read, f, guess, lists=True)).fetchall()[0]
            break
        except duckdb.Error:
            continue
    else:
        if raw is not None:
            con.execute(f"DROP TABLE IF EXISTS {raw}").fetchall()
        return None
    plan = _planned(con, path, registry, strict, name, f, read, guess, first)
    if plan is None and raw is not None:
        con.execute(f"DROP TABLE IF EXISTS {raw}").fetchall()
    elif plan is not None and raw is not None:
        plan.maps += (raw,)
    elif plan is not None:
        plan.stamp = stamp  # streamed: the write reads the file again, which must be the one checked
    return plan


def _planned(con, path, registry, strict, name, f, read, guess, first) -> CsvPlan | None:
    odd, lists, verdict = first[0], first[1:6], first[6:]
    if odd:
        return None
    values = f"_values_{name}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {values} AS SELECT "
                + ", ".join(f"?::VARCHAR[] AS {n}" for n in MAPPED), [list(v) for v in lists]).fetchall()
    try:
        frames = value_maps(con, values, {n: f"unnest({n})" for n in MAPPED}, registry)
    finally:
        con.execute(f"DROP TABLE {values}").fetchall()
    if frames is None:
        return None
    mode, unit, visit = frames["mode"], frames["unit"], frames["visit"]
    truth = {"mode": _raws(mode, mode["v"] == "派单"), "unit": _raws(unit, unit["written"] == ""),
             "visit": _raws(visit, visit["v"].isin(VISITED))}
    if any({r for r in _raws(frames[n]) if r in guess[n]} != set(truth[n]) for n in truth):
        # a value the reader cleans into 派单, a blank unit or a visit result: the checks once more, exactly
        verdict = con.execute(_check_sql(read, f, truth, lists=False)).fetchall()[0][6:]
    verdict = _first_rows(con, read, f, truth, verdict)
    record = _record(path, verdict, strict, dict(zip(_raws(unit), unit["written"])), dict(zip(_raws(visit), visit["v"])))
    if record is None:
        return None
    if verdict[2] != verdict[0]:  # a repeated 工单编号
        return None
    maps = tuple(f"_map_{n}_{name}" for n in frames)
    for n, frame in frames.items():
        con.register("_frame", frame)
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE _map_{n}_{name} AS SELECT * FROM _frame").fetchall()
        finally:
            con.unregister("_frame")
    latest, first_at, last_at = verdict[-3:]
    return CsvPlan(record, _source(read, f, name), (latest, first_at, last_at, int(verdict[0])), maps)


def _raws(frame, where=None) -> list:
    """A value map's raw values (where ``where``), a missing cell as None (pandas may hold it as NaN)."""
    import pandas as pd

    raws = frame["raw"] if where is None else frame.loc[where, "raw"]
    return [None if pd.isna(r) else r for r in raws]


def _read_csv(path: Path, width: int, parallel: str) -> str:
    columns = "{" + ", ".join(f"'f{i}': 'VARCHAR'" for i in range(width)) + "}"
    quoted = str(path.resolve()).replace("'", "''")
    return (f"read_csv('{quoted}', header = true, auto_detect = false, columns = {columns}, delim = ',', "
            f"quote = '\"', escape = '\"', strict_mode = true, null_padding = false, all_varchar = true{parallel})")


_TIMES = ("accepted_at", "deadline", "closed_at")
_COUNTS = ("extensions", "send_backs", "reworks")
_FORMAT = "%Y-%m-%d %H:%M:%S"


def _numbered(read: str, f: dict[str, str], positions: bool = True) -> str:
    """The file's cells with ``rn``, the record's position (0 for the first row under the header): the
    row id of the table a file up to :data:`_IN_MEMORY` was read into (written in the file's order, so
    computed in parallel), else ``row_number() OVER ()``, which reads the file on one thread only;
    ``positions=False``: NULL there (the check pass of a streamed file: :func:`_first_rows`)."""
    if read.startswith("_raw_"):
        rn = "rowid"
    else:
        rn = "row_number() OVER () - 1" if positions else "CAST(NULL AS BIGINT)"
    return f"(SELECT {rn} AS rn, {', '.join(f.values())} FROM {read})"


def _first_rows(con, read: str, f: dict[str, str], sets: dict[str, list], verdict) -> tuple:
    """``verdict`` with the first rows of the reader's two warnings (and their cells) filled in, when the
    check pass left them out (a streamed file): one narrow read each, which stops at that row."""
    from .fastpath import _among

    verdict = list(verdict)
    tests = ((4, f"NOT {_among(f['mode'], sets['mode'])} AND NOT {_among(f['unit'], sets['unit'])}", f["unit"]),
             (7, f"try_strptime({f['closed_at']}, '{_FORMAT}') IS NULL AND {_among(f['visit'], sets['visit'])}",
              f["visit"]))
    for at, test, cell in tests:
        if verdict[at] and verdict[at + 1] is None:
            verdict[at + 1], verdict[at + 2] = con.execute(
                f"SELECT rn, {cell} FROM {_numbered(read, f)} WHERE {test} LIMIT 1").fetchall()[0]
    return tuple(verdict)


def _check_sql(read: str, f: dict[str, str], sets: dict[str, list], lists: bool, positions: bool = False) -> str:
    """One aggregate over the file: the cells the fast path must leave to the reader (another time
    form or a time out of range, a count that is not plain digits), the distinct values of the mapped
    columns (``lists``), then :func:`_record`'s figures; ``sets``: the raw 办理方式 that mean 派单, the
    raw 承办单位 that are blank, the raw 回访结果 that are visits. Each time is parsed once and each
    test made once per row (the layers below), not once per aggregate that uses it."""
    from .fastpath import _among

    t = {n: f"t_{n}" for n in _TIMES}
    parsed = ", ".join(f"try_strptime({f[n]}, '{_FORMAT}') AS {t[n]}" for n in _TIMES)
    # A time in the platforms' form exactly is one that parses and is written back the same (the layout
    # of times.USUAL_DATETIME, zero-padded, fields in range: 2024-02-30 does not parse): cheaper than a
    # regular expression; a year of other than four digits is out of range, a test on the text.
    odd = " OR ".join(
        [f"({f[n]} IS NOT NULL AND (strftime({t[n]}, '{_FORMAT}') IS DISTINCT FROM {f[n]}"
         f" OR {f[n]} < '{EARLIEST:{_FORMAT}}' OR {f[n]} > '{LATEST:{_FORMAT}}'))" for n in _TIMES]
        + [f"NOT ({f[n]} IN ('0', '1', '2') OR regexp_full_match({f[n]}, '{_COUNT}'))" for n in _COUNTS]  # most are 0
    )
    oid = f["order_id"]
    flags = (f"coalesce({odd}, false) AS odd, {_among(f['mode'], sets['mode'])} AS dispatched, "
             f"{_among(f['unit'], sets['unit'])} AS unwritten, {_among(f['visit'], sets['visit'])} AS visited, "
             f"({oid} IS NULL OR {oid} = '' OR regexp_matches({oid}, '^{_SPACE}|{_SPACE}$|计|{_INVISIBLE_CONTROL}')) AS bad_id")
    kept = ", ".join(["rn", oid, *(f[n] for n in MAPPED), *t.values()])
    rows = f"(SELECT {kept}, {flags} FROM (SELECT *, {parsed} FROM {_numbered(read, f, positions)}))"
    direct = "NOT dispatched AND NOT unwritten"
    opened = f"{t['closed_at']} IS NULL AND visited"
    return f"""
        SELECT count(*) FILTER (odd),
               {', '.join(f"list(DISTINCT {f[n]})" if lists else "NULL" for n in MAPPED)},
               count(*), count(*) FILTER (bad_id), count(DISTINCT {oid}),
               count(*) FILTER ({t['accepted_at']} IS NULL OR {t['closed_at']} < {t['accepted_at']}
                                OR (dispatched AND (unwritten OR {t['deadline']} IS NULL))),
               count(*) FILTER ({direct}), min(rn) FILTER ({direct}), arg_min({f['unit']}, rn) FILTER ({direct}),
               count(*) FILTER ({opened}), min(rn) FILTER ({opened}), arg_min({f['visit']}, rn) FILTER ({opened}),
               greatest(max({t['accepted_at']}), max({t['closed_at']})), min({t['accepted_at']}), max({t['accepted_at']})
        FROM {rows}
    """


def _record(path: Path, verdict, strict: bool, written_of: dict, visit_of: dict) -> FileQuality | None:
    """The reading record the reader would give (as :func:`.fastpath._verdict`), or None."""
    n, bad_ids, _, problems, direct_named, first_direct, unit, open_visited, first_open, visit = verdict[:10]
    if n == 0 or bad_ids or problems or (strict and (direct_named or open_visited)):
        return None
    record = FileQuality(kind="工单明细", file=path.name, rows=int(n))
    if direct_named:
        record.warnings.append(str(direct_with_unit_warning(path, int(direct_named), int(first_direct) + 2,
                                                            written_of.get(unit, unit))))
    if open_visited:
        record.warnings.append(str(visited_open_warning(path, int(open_visited), int(first_open) + 2,
                                                        visit_of.get(visit, visit))))
    return record


def _source(read: str, f: dict[str, str], name: str) -> str:
    """The second pass (as :func:`.fastpath.stage`): the order fields, typed and mapped, and ``seq``."""
    typed = {n: f"TRY_CAST(try_strptime(s.{f[n]}, '{_FORMAT}') AS TIMESTAMP_NS)" for n in _TIMES}
    counts = {n: f"coalesce(TRY_CAST(s.{f[n]} AS BIGINT), 0)" for n in _COUNTS}
    joins = "\n".join(f"JOIN _map_{n}_{name} m_{n} ON m_{n}.raw IS NOT DISTINCT FROM s.{f[n]}" for n in MAPPED)
    return f"""(
        SELECT s.{f['order_id']} AS order_id, {typed['accepted_at']} AS accepted_at, m_category.v AS category,
               m_mode.v AS mode, CASE WHEN m_mode.v = '派单' THEN m_unit.v ELSE '' END AS unit,
               {typed['deadline']} AS deadline, {typed['closed_at']} AS closed_at, {counts['extensions']} AS extensions,
               {counts['send_backs']} AS send_backs, {counts['reworks']} AS reworks,
               m_city_returned.v AS city_returned, m_visit.v AS visit, CAST(s.rn AS BIGINT) AS seq
        FROM {_numbered(read, f)} s
        {joins}
    )"""
