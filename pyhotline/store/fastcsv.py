"""Importing a clean UTF-8 CSV orders file at DuckDB speed (the CSV twin of :mod:`.fastpath`).

DuckDB reads the file (``read_csv``, every cell as text, strict about the number of fields) and
checks it against every rule of :func:`pyhotline.io.load_orders` in SQL: times only in the
platforms' own form ``2024-05-03 08:05:00`` (parsed exactly: 2024-02-30 is not a date), counts as
plain digits, the text columns cleaned one distinct value at a time by the reader's own
normalisation, units by the registry's lookup; then :func:`.fastpath.finish` runs the checks of the
whole file (blank or repeated 工单编号, 派单 without unit or deadline, 办结 before 受理 ...) and gives
the reader's two warnings. No pandas frame is made and personal columns are never read.

Whenever anything is doubtful the answer is None and the import reads the file with the reader,
which gives its usual row-level messages: not UTF-8 (GB18030/GBK files stay on the reader: DuckDB
reads UTF-8 only without its ``encodings`` extension, which would need a download), damaged bytes,
title rows above the header, a header the reader maps otherwise, blank lines (their row numbers),
a row of the wrong width, another date form, a blank cell where one is required, a value the
reader would clean (invisible characters), a 合计 row, a warning under ``strict`` ...
"""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

from ..io import EARLIEST, HEADER_ALIASES, LATEST, ORDER_COLUMNS, FileQuality, Registry, normalize_text
from ..io.csvfile import decode
from ..io.headers import find_header
from .fastpath import finish, stage, value_maps

#: The platforms' own time form, exactly (times.USUAL_DATETIME's layout, fields in range).
_USUAL = r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
_COUNT = r"[0-9]{1,18}"
_BLOCK = 1 << 24


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
            data = tail + block
            if data.find(b"\n\n") >= 0 or data.find(b"\n\r\n") >= 0:
                return True
            tail = data[-2:]
    return False


def stage_csv_orders(con, path: Path, registry: Registry, table: str, *, header_aliases=None, strict=False
                     ) -> FileQuality | None:
    """Create ``table`` (as :func:`.fastpath.stage_orders`) from a clean UTF-8 CSV file; its reading
    record, or None (nothing created) when the reader must read it."""
    import duckdb

    path = Path(path)
    if path.suffix.lower() not in (".csv", ".txt"):
        return None
    found = _header(path, header_aliases)
    if found is None or _blank_lines(path):
        return None
    width, at = found
    raw = f"_raw_{table}"
    columns = "{" + ", ".join(f"'f{i}': 'VARCHAR'" for i in range(width)) + "}"
    quoted = str(path.resolve()).replace("'", "''")
    read = (f"read_csv('{quoted}', header = true, auto_detect = false, columns = {columns}, delim = ',', "
            f"quote = '\"', escape = '\"', strict_mode = true, null_padding = false, all_varchar = true")
    select = f"SELECT {_typed_cells(at)} FROM {read}"
    try:
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS {select})").fetchall()
        except duckdb.Error:  # e.g. the parallel reader and quoted line breaks: once more, in one thread
            con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS {select}, parallel = false)").fetchall()
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS {raw}").fetchall()
        return None
    try:
        return _checked(con, raw, path, registry, table, strict)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {raw}").fetchall()


_TIMES = ("accepted_at", "deadline", "closed_at")
_COUNTS = ("extensions", "send_backs", "reworks")
_FORMAT = "%Y-%m-%d %H:%M:%S"


def _typed_cells(at: dict[str, int]) -> str:
    """The select list of the one pass over the file: the text columns as written, times and counts
    typed, the record's position, and ``odd``: a cell the fast path must leave to the reader (another
    time form or a time out of range, a count that is not plain digits, characters the reader cleans)."""
    from .fastpath import _INVISIBLE_CONTROL

    f = {name: f"f{i}" for name, i in at.items()}
    odd = " OR ".join(
        [f"({f[n]} IS NOT NULL AND (NOT regexp_full_match({f[n]}, '{_USUAL}') OR try_strptime({f[n]}, '{_FORMAT}') IS NULL"
         f" OR {f[n]} < '{EARLIEST:{_FORMAT}}' OR {f[n]} > '{LATEST:{_FORMAT}}'))" for n in _TIMES]
        + [f"NOT regexp_full_match({f[n]}, '{_COUNT}')" for n in _COUNTS]
        + [f"regexp_matches({f['order_id']}, '{_INVISIBLE_CONTROL}')", f"{f['accepted_at']} IS NULL"]
    )
    cells = [f"{f[n]} AS {n}" for n in ("order_id", "category", "mode", "unit", "visit", "city_returned")]
    cells += [f"TRY_CAST(try_strptime({f[n]}, '{_FORMAT}') AS TIMESTAMP_NS) AS {n}" for n in _TIMES]
    cells += [f"coalesce(TRY_CAST({f[n]} AS BIGINT), 0) AS {n}" for n in _COUNTS]
    cells += [f"coalesce({odd}, false) AS odd"]  # the record's position: the table's rowid (insertion order kept)
    return ", ".join(cells)


def _checked(con, raw: str, path: Path, registry: Registry, table: str, strict: bool) -> FileQuality | None:
    if con.execute(f"SELECT count(*) FILTER (odd) FROM {raw}").fetchall()[0][0]:
        return None  # a blank 受理时间 is NULL here: odd; blank optional times and counts are NULL and 0
    c = {name: name for name in ("order_id", "category", "mode", "unit", "visit", "city_returned")}
    frames = value_maps(con, raw, c, registry)
    if frames is None:
        return None
    typed = {n: n for n in (*_TIMES, *_COUNTS)}
    typed["seq"] = "CAST(s.rowid AS BIGINT)"
    stage(con, raw, c, typed, frames, table)
    return finish(con, table, path, strict)
