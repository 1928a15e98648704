"""Importing a clean, typed Parquet orders file at DuckDB speed.

DuckDB checks the file against every rule of :func:`pyhotline.io.load_orders` and, when nothing is
off, writes the rows the reader would give straight into the import's staging table, without a
pandas frame. The text columns are cleaned one distinct value at a time with the reader's own
normalisation (:func:`pyhotline.io.normalize_text`) and units resolved by the registry's lookup.
Whenever anything is doubtful (not Parquet, untyped or time-zoned columns, a blank or repeated
工单编号, an unknown unit or value, a time out of range, invisible characters or a 合计 cell, a
warning under ``strict`` ...) the answer is None and the import reads the file with the reader,
which gives its usual messages. :mod:`.fastcsv` does the same for plain UTF-8 CSV, with the
pieces shared here (:func:`value_maps`, :func:`stage`, :func:`finish`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..io import (
    EARLIEST, FLAG_VALUES, HEADER_ALIASES, LATEST, ORDER_COLUMNS, VISITED, FileQuality, Registry,
    direct_with_unit_warning, normalize_text, visited_open_warning,
)
from ..io.cleaning import CONTROL, INVISIBLE
from ..io.formats import _TOTALS

#: Anything the reader's strip might remove around a 工单编号 (broader is safe: more files go to the reader).
_SPACE = r"[\s\p{Z}\x{85}\x{1c}-\x{1f}\x{200b}\x{feff}]"
_YES = {"是", "y", "yes", "true", "1"}
#: The text columns with few distinct values, cleaned one distinct value at a time.
MAPPED = ("category", "mode", "unit", "visit", "city_returned")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(path: Path, header_aliases: dict | None) -> dict[str, str] | None:
    """Internal column name -> the file's column (quoted), when every column is typed as the fast path needs."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception:  # the reader names the problem
        return None
    if any(str(name).lower() == "file_row_number" for name in schema.names):
        return None
    aliases = {**HEADER_ALIASES, **(header_aliases or {})}
    by_header: dict[str, str] = {}
    for name in schema.names:
        header = aliases.get(normalize_text(str(name)), normalize_text(str(name)))
        if header in by_header:
            return None
        by_header[header] = name
    out = {}
    for col in ORDER_COLUMNS:
        if col.header not in by_header:
            return None
        kind = schema.field(by_header[col.header]).type
        if col.kind == "datetime":
            ok = pa.types.is_timestamp(kind) and kind.tz is None
        elif col.kind == "count":
            ok = pa.types.is_integer(kind)
        else:
            value = kind.value_type if pa.types.is_dictionary(kind) else kind
            ok = pa.types.is_string(value) or pa.types.is_large_string(value)
        if not ok:
            return None
        out[col.name] = _quote(by_header[col.header])
    return out


def _clean(value) -> str:
    return normalize_text(("" if value is None else str(value)).strip())


def _doubtful(value) -> bool:
    """A cell the reader would note or refuse (invisible or control characters) or set aside (合计)."""
    text = "" if value is None else str(value)
    return bool(INVISIBLE.search(text) or CONTROL.search(text) or ("计" in text and _TOTALS.match(normalize_text(text))))


def value_maps(con, source: str, c: dict[str, str], registry: Registry) -> dict[str, pd.DataFrame] | None:
    """For each of :data:`MAPPED`, each distinct raw value of ``source`` and what the reader makes of it;
    None when one is doubtful (blank category, unknown value or unit, invisible characters ...)."""
    maps = {}
    for name in MAPPED:
        raw = [r[0] for r in con.execute(f"SELECT DISTINCT {c[name]} FROM {source}").fetchall()]
        if any(_doubtful(v) for v in raw):
            return None
        maps[name] = {v: _clean(v) for v in raw}
    allowed = {col.name: set(col.values) for col in ORDER_COLUMNS if col.kind == "enum"}
    if "" in maps["category"].values():
        return None
    if not set(maps["mode"].values()) <= allowed["mode"] or not set(maps["visit"].values()) <= allowed["visit"]:
        return None
    if not {v.lower() for v in maps["city_returned"].values()} <= FLAG_VALUES:
        return None
    lookup = registry.lookup
    if any(v != "" and v not in lookup for v in maps["unit"].values()):
        return None
    frames = {
        "category": pd.DataFrame({"raw": list(maps["category"]), "v": list(maps["category"].values())}),
        "mode": pd.DataFrame({"raw": list(maps["mode"]), "v": list(maps["mode"].values())}),
        "unit": pd.DataFrame({"raw": list(maps["unit"]), "written": list(maps["unit"].values()),
                              "v": [lookup.get(v, "") for v in maps["unit"].values()]}),
        "visit": pd.DataFrame({"raw": list(maps["visit"]), "v": list(maps["visit"].values())}),
        "city_returned": pd.DataFrame({"raw": list(maps["city_returned"]),
                                       "v": [v.lower() in _YES for v in maps["city_returned"].values()]}),
    }
    return {name: frame.astype({"raw": object}) for name, frame in frames.items()}


def stage(con, source: str, c: dict[str, str], typed: dict[str, str], frames: dict[str, pd.DataFrame], table: str,
          where: str = "") -> None:
    """Create ``table`` (the order fields, ``written``, ``seq`` and ``far``) from ``source``: ``c`` names the
    text columns of :data:`MAPPED` and ``order_id``; ``typed`` gives the SQL of the times, counts and ``seq``."""
    for name, frame in frames.items():
        con.register(f"_map_{name}", frame)
    times = " OR ".join(
        f"NOT ({typed[n]} BETWEEN TIMESTAMP '{EARLIEST}' AND TIMESTAMP '{LATEST}')" for n in ("accepted_at", "deadline", "closed_at")
    )
    try:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT CAST({c['order_id']} AS VARCHAR) AS order_id, {typed['accepted_at']} AS accepted_at,
                   mc.v AS category, mm.v AS mode, CASE WHEN mm.v = '派单' THEN mu.v ELSE '' END AS unit,
                   mu.written AS written, {typed['deadline']} AS deadline, {typed['closed_at']} AS closed_at,
                   {typed['extensions']} AS extensions, {typed['send_backs']} AS send_backs, {typed['reworks']} AS reworks,
                   mr.v AS city_returned, mv.v AS visit, {typed['seq']} AS seq, ({times}) AS far
            FROM {source} s
            JOIN _map_category mc ON mc.raw IS NOT DISTINCT FROM CAST(s.{c['category']} AS VARCHAR)
            JOIN _map_mode mm ON mm.raw IS NOT DISTINCT FROM CAST(s.{c['mode']} AS VARCHAR)
            JOIN _map_unit mu ON mu.raw IS NOT DISTINCT FROM CAST(s.{c['unit']} AS VARCHAR)
            JOIN _map_visit mv ON mv.raw IS NOT DISTINCT FROM CAST(s.{c['visit']} AS VARCHAR)
            JOIN _map_city_returned mr ON mr.raw IS NOT DISTINCT FROM CAST(s.{c['city_returned']} AS VARCHAR)
            {where}
        """).fetchall()
    finally:
        for name in frames:
            con.unregister(f"_map_{name}")


def finish(con, table: str, path: Path, strict: bool) -> FileQuality | None:
    """The reading record of the staged ``table`` when it holds what the reader would accept, with the
    reader's two warnings; else None (``table`` dropped: the reader reads the file)."""
    visited = ", ".join(f"'{v}'" for v in VISITED)
    (n, bad_ids, distinct, problems, direct_named, first_direct, open_visited, first_open) = con.execute(f"""
        SELECT count(*),
               count(*) FILTER (order_id IS NULL OR order_id = '' OR regexp_matches(order_id, '^{_SPACE}|{_SPACE}$|计|{_INVISIBLE_CONTROL}')),
               count(DISTINCT order_id),
               count(*) FILTER (accepted_at IS NULL OR closed_at < accepted_at OR far
                                OR extensions < 0 OR send_backs < 0 OR reworks < 0
                                OR (mode = '派单' AND (written = '' OR deadline IS NULL))),
               count(*) FILTER (mode <> '派单' AND written <> ''),
               min(seq) FILTER (mode <> '派单' AND written <> ''),
               count(*) FILTER (closed_at IS NULL AND visit IN ({visited})),
               min(seq) FILTER (closed_at IS NULL AND visit IN ({visited}))
        FROM {table}
    """).fetchall()[0]
    if n == 0 or bad_ids or distinct != n or problems or (strict and (direct_named or open_visited)):
        con.execute(f"DROP TABLE {table}").fetchall()
        return None
    record = FileQuality(kind="工单明细", file=path.name, rows=int(n))
    if direct_named:
        unit = con.execute(f"SELECT written FROM {table} WHERE seq = ?", [first_direct]).fetchall()[0][0]
        record.warnings.append(str(direct_with_unit_warning(path, int(direct_named), int(first_direct) + 2, unit)))
    if open_visited:
        visit = con.execute(f"SELECT visit FROM {table} WHERE seq = ?", [first_open]).fetchall()[0][0]
        record.warnings.append(str(visited_open_warning(path, int(open_visited), int(first_open) + 2, visit)))
    return record


def stage_orders(con, path: Path, registry: Registry, table: str, *, header_aliases=None, strict=False
                 ) -> FileQuality | None:
    """Create ``table`` (the order fields and ``seq``) from the file when it is clean; its reading record,
    or None (nothing created) when the reader must read it."""
    path = Path(path)
    if path.suffix.lower() != ".parquet":
        from .fastcsv import stage_csv_orders

        return stage_csv_orders(con, path, registry, table, header_aliases=header_aliases, strict=strict)
    c = _columns(path, header_aliases)
    if c is None:
        return None
    source = f"read_parquet('{str(path.resolve()).replace(chr(39), chr(39) * 2)}', file_row_number = true)"
    frames = value_maps(con, source, c, registry)
    if frames is None:
        return None
    typed = {n: f"TRY_CAST({c[n]} AS TIMESTAMP_NS)" for n in ("accepted_at", "deadline", "closed_at")}
    typed.update({n: f"CAST(coalesce({c[n]}, 0) AS BIGINT)" for n in ("extensions", "send_backs", "reworks")})
    typed["seq"] = "CAST(file_row_number AS BIGINT)"
    stage(con, source, c, typed, frames, table)
    return finish(con, table, path, strict)


def _re2_class() -> str:
    from ..io.cleaning import _CONTROL_RE2, _INVISIBLE_RE2

    return _INVISIBLE_RE2[:-1] + _CONTROL_RE2[1:]


#: One RE2 character class: the characters the reader removes (with a note) or refuses in a cell.
_INVISIBLE_CONTROL = _re2_class()
