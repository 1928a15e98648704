"""The export time a file states above its header (``导出时间：2026-03-10 09:00``), read as its cut-off.

Platforms print the moment of the export in a title row. It is better evidence of what the file knows
than its latest record (an order closed on the 3rd and nothing since does not mean the export was made on
the 3rd), so when ``--as-of`` is not given it is the import's cut-off (docs/store.md, Merge rules): a date
alone is the end of that day; a time later than now, or earlier than a record in the file, is not used
(the file's latest time applies, with a warning naming the row).
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

_LABEL = r"(?:导出|下载|生成|数据截至|数据截止|统计截至|统计截止|截至|截止)(?:时间|日期)?"
_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_TIME = r"(?:\s*[T ]?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?\s*秒?)?"
_STATED = re.compile(_LABEL + r"\s*[:：为]?\s*" + _DATE + _TIME)


def stated_time(text: str) -> pd.Timestamp | None:
    """The time ``text`` states as the export's (``导出时间：2026-03-10 09:00``), or None."""
    found = _STATED.search(unicodedata.normalize("NFKC", str(text))[:200])
    if not found:
        return None
    year, month, day, hour, minute, second = (int(g) if g else None for g in found.groups())
    try:
        if hour is None:
            return pd.Timestamp(year, month, day) + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)
        return pd.Timestamp(year, month, day, hour, minute, second or 0)
    except ValueError:
        return None


def stated_in_rows(rows) -> tuple[pd.Timestamp, int] | None:
    """(time, 1-based row) of the first cell stating the export's time among ``rows`` (lists of cells above
    the header), or None."""
    for number, cells in enumerate(rows, start=1):
        for cell in cells:
            if cell is None or (isinstance(cell, float) and pd.isna(cell)):
                continue
            stamp = stated_time(cell)
            if stamp is not None:
                return stamp, number
    return None
