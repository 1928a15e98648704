"""Problems found while reading (raised at once, or gathered for ``pyhotline check``) and what a file gave."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError


# Row-level problems are raised at once (the first one found), except inside
# ``collecting()``, where every problem is gathered and reading goes on: that is
# how ``pyhotline check`` reports everything wrong with a file in one go.
_PROBLEMS: ContextVar[list | None] = ContextVar("pyhotline_problems", default=None)


MAX_ROWS_PER_PROBLEM = 20


@contextmanager
def collecting() -> Iterator[list[InputError]]:
    """Gather row-level problems instead of raising the first (file-level ones still raise)."""
    token = _PROBLEMS.set([])
    try:
        yield _PROBLEMS.get()
    finally:
        _PROBLEMS.reset(token)


def _report(error: InputError) -> None:
    problems = _PROBLEMS.get()
    if problems is None:
        raise error
    problems.append(error)


def _report_rows(positions: np.ndarray, make: Callable[[int], InputError]) -> None:
    """A problem at each position (positional row index): raise the first, or collect up to a limit."""
    if len(positions) == 0:
        return
    problems = _PROBLEMS.get()
    if problems is None:
        raise make(int(positions[0]))
    for pos in positions[:MAX_ROWS_PER_PROBLEM]:
        problems.append(make(int(pos)))
    if len(positions) > MAX_ROWS_PER_PROBLEM:
        first = problems[-1]
        problems.append(InputError(
            f"{first.reason}：另有 {len(positions) - MAX_ROWS_PER_PROBLEM} 行同样的问题（只列出前 {MAX_ROWS_PER_PROBLEM} 行）",
            path=first.path, column=first.column,
        ))


def _positions(mask) -> np.ndarray:
    return np.flatnonzero(np.asarray(mask, dtype=bool))


@dataclass
class FileQuality:
    """What reading one file found: rows read, rows set aside and why, warnings."""

    kind: str  # 工单明细, 信件明细, 单位名录
    file: str
    rows: int = 0  # data rows below the header (blank rows not counted)
    blank: int = 0  # blank rows skipped
    set_aside: dict[str, int] = field(default_factory=dict)  # reason -> rows
    warnings: list[str] = field(default_factory=list)
    where: dict[str, list[int]] = field(default_factory=dict)  # reason -> the first rows set aside (spreadsheet rows)
    refused: int = 0  # rows with an error, left out (a formula without its result, a stray cell): in ``rows``
    stated: tuple | None = None  # (time, row): the export time a title row states (io/stated.py)

    def __post_init__(self) -> None:
        # as the store keeps it (:meth:`stored_set_aside`): the rows named under WHERE_KEY
        self.set_aside = dict(self.set_aside)
        self.where = {**self.set_aside.pop(WHERE_KEY, {}), **self.where}

    @property
    def used(self) -> int:
        return self.rows - sum(self.set_aside.values()) - self.refused

    def stored_set_aside(self) -> dict:
        """``set_aside`` with the rows named, as one JSON object (what the store keeps)."""
        return {**self.set_aside, WHERE_KEY: self.where} if self.where else dict(self.set_aside)

    def summary(self) -> str:
        text = f"{self.kind} {self.file}：读入 {self.rows} 行"
        if self.set_aside:
            text += "，剔除 " + "、".join(f"{reason} {n} 行{_rows_named(self.where.get(reason), n)}"
                                        for reason, n in self.set_aside.items())
        if self.refused:
            text += f"，有错误未用 {self.refused} 行（见下面的错误）"
        if self.blank:
            text += f"（另跳过空行 {self.blank} 行）"
        return text + f"，使用 {self.used} 行"


#: The key under which the store's JSON of rows set aside keeps the rows named.
WHERE_KEY = "_rows"


def _rows_named(rows: list[int] | None, count: int) -> str:
    """（第 826 行）, （第 826、900 行）, （第 826、900、912 行等）: the rows set aside for one reason."""
    if not rows:
        return ""
    return f"（第 {'、'.join(map(str, rows))} 行{'等' if count > len(rows) else ''}）"


def _quality(kind: str, path: Path, frame: pd.DataFrame, quality: list | None, strict: bool = False) -> FileQuality:
    """The record of one file read: its rows, rows set aside while reading (totals rows), and the
    reader's notes (warnings, or errors with ``strict``) kept in ``frame.attrs``."""
    set_aside = {reason: int(frame.attrs.get(key, 0))
                 for key, reason in (("totals", "合计行"), ("repeats", "重复的表头行"), ("footers", "表格下方的说明行"))}
    refused = int(frame.attrs.get("refused", 0))
    record = FileQuality(kind=kind, file=path.name, rows=len(frame) + sum(set_aside.values()) + refused,
                         blank=int(frame.attrs.get("blank_rows", 0)), refused=refused,
                         stated=frame.attrs.get("stated"))
    record.set_aside.update({reason: n for reason, n in set_aside.items() if n})
    reasons = dict(totals="合计行", repeats="重复的表头行", footers="表格下方的说明行")
    record.where.update({reasons[key]: rows for key, rows in frame.attrs.get("set_aside_rows", {}).items()
                         if rows and key in reasons})
    if quality is not None:
        quality.append(record)
    for note in frame.attrs.get("notes", ()):
        _warn_or_fail(record, strict, note)
    return record


def _warn_or_fail(record: FileQuality, strict: bool, error: InputError) -> None:
    """A warning normally (recorded in the data-quality summary); an error with ``strict``."""
    if strict:
        _report(getattr(error, "as_error", None) or error)  # a note may say it otherwise as an error
    else:
        record.warnings.append(str(error))
