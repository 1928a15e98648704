"""An export's cut-off and span, and when importing a file again changes something (docs/store.md).

- ``--as-of`` (:func:`parse_as_of`), else the export time a title row states (:func:`stated_cutoff`), else the
  file's latest time is the cut-off;
- ``--span`` (:func:`parse_span`) is the range of 受理时间 (收信时间) the export was made for;
- the same file (kind and sha256, :func:`sha256_of`) imported again changes nothing, unless a corrected
  cut-off or span comes with it (:func:`known_files`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd

from .db import StoreError


def parse_as_of(text: str | dt.datetime | pd.Timestamp | None) -> pd.Timestamp | None:
    """``--as-of``: a date (the end of that day) or a date and time."""
    if text is None or isinstance(text, pd.Timestamp):
        return text
    if isinstance(text, dt.datetime):
        return pd.Timestamp(text)
    try:
        if len(text.strip()) == 10:
            return pd.Timestamp(dt.date.fromisoformat(text.strip())) + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)
        return pd.Timestamp(dt.datetime.fromisoformat(text.strip()))
    except ValueError:
        raise StoreError(f"--as-of 的取值“{text}”不对，应写成 YYYY-MM-DD 或 YYYY-MM-DD HH:MM") from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def stated_cutoff(path: Path, record, latest) -> tuple:
    """The cut-off without ``--as-of``: the export time a title row states (``导出时间：…``, io/stated.py)
    when it is not earlier than the file's latest time nor later than now, else that latest time; and
    the words saying where a stated time came from."""
    from ..io.columns import LOCAL_TIMEZONE

    stated = getattr(record, "stated", None)
    if not stated:
        return latest, ""
    stamp, row = stated
    now = pd.Timestamp.now(tz=LOCAL_TIMEZONE).tz_localize(None)
    if latest is not None and stamp < latest:
        record.warnings.append(
            f"{path.name} 第 {row} 行写的导出时间 {stamp:%Y-%m-%d %H:%M} 早于文件中最晚的时间 {latest:%Y-%m-%d %H:%M}："
            f"数据截至按文件中最晚的时间算；导出时间若另有记录，重新导入时用 --as-of 写明")
        return latest, ""
    if stamp > now:
        record.warnings.append(f"{path.name} 第 {row} 行写的导出时间 {stamp:%Y-%m-%d %H:%M} 晚于现在：未采用，"
                               "数据截至按文件中最晚的时间算")
        return latest, ""
    return stamp, f"（第 {row} 行写的导出时间）"


def known_files(con, as_of, span) -> set[tuple[str, str]]:
    """(kind, sha256) of the files imported before, which importing again would not change: with ``--as-of``
    or ``--span`` given, only a record with that same cut-off or span (a corrected cut-off or span imports
    the file again, so its rows take the new cut-off: docs/store.md)."""
    known = set()
    for kind, sha, cutoff, start, end in con.execute(
            "SELECT kind, sha256, cutoff, span_start, span_end FROM imports").fetchall():
        if kind != "units" and as_of is not None and (cutoff is None or pd.Timestamp(cutoff) != as_of):
            continue
        if kind != "units" and span is not None and (
                start is None or (pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()) != span):
            continue
        known.add((kind, sha))
    return known


def parse_span(span) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """``import --span``: (first day, last day) as given, or "YYYY-MM-DD..YYYY-MM-DD"; None stays None."""
    if span is None:
        return None
    given = span if isinstance(span, str) else "..".join(str(d) for d in span)
    if isinstance(span, str):
        first, sep, last = span.strip().partition("..")
        span = (first, last) if sep else (span, "")
    try:
        first, last = (pd.Timestamp(dt.date.fromisoformat(str(d).strip()[:10])) for d in span)
    except ValueError:
        raise StoreError(f"导出范围“{given}”不对（日期不存在或写法不对），应写成 起始日期..结束日期，"
                         "例如 2024-01-01..2024-02-29") from None
    if last < first:
        raise StoreError(f"导出范围 {first:%Y-%m-%d}..{last:%Y-%m-%d} 的结束日期早于起始日期")
    return first, last
