"""The readers: work orders, letters and the units registry, read, checked and typed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .columns import LETTER_COLUMNS, ORDER_COLUMNS, UNIT_COLUMNS, VISITED, normalize_text
from .problems import FileQuality, _positions, _quality, _report, _report_rows, _warn_or_fail
from .registry import Registry
from .typed import _typed


def _duplicate_ids(
    frame: pd.DataFrame, id_column: str, header: str, path: Path, rows: pd.Series, record: FileQuality,
    strict: bool, what: str,
) -> pd.DataFrame:
    """Rows repeating an earlier row exactly are set aside (a warning); other repeated ids are errors."""
    dup = _duplicated(frame[id_column])
    if not dup.any():
        return frame
    exact = frame.duplicated()
    copies = dup & exact
    if copies.any():
        first = frame.loc[copies].index[0]
        _warn_or_fail(record, strict, InputError(
            f"有 {int(copies.sum())} 行与前面的行完全相同（重复导出），已剔除", path=path, row=int(rows[first]),
            column=header, value=frame.at[first, id_column], expected=f"每个{what}只出现一次",
        ))
        if not strict:
            record.set_aside["完全重复的行"] = int(copies.sum())
    conflicts = dup & ~exact
    first_row = {}
    for idx, value in zip(frame.index, frame[id_column]):
        first_row.setdefault(value, int(rows[idx]))
    _report_rows(
        _positions(conflicts),
        lambda p: InputError(
            f"{header}重复（与第 {first_row[frame[id_column].iloc[p]]} 行相同，但内容不同）", path=path,
            row=int(rows.iloc[p]), column=header, value=frame[id_column].iloc[p], expected=f"每个{what}只出现一次",
        ),
    )
    return frame.loc[~copies] if not strict else frame


def load_units(
    path: str | Path,
    *,
    header_aliases: dict[str, str] | None = None,
    quality: list | None = None,
) -> Registry:
    """Read the units registry (单位名称, 单位类型, 简称, 参与考核)."""
    path = Path(path)
    frame, rows = _typed(path, UNIT_COLUMNS, header_aliases)
    _quality("单位名录", path, frame, quality)
    keys = frame["name"].map(normalize_text)  # 某县 民政局 and 某县民政局 are one unit
    dup = keys.duplicated()
    first_row = {}
    for key, row in zip(keys, rows):
        first_row.setdefault(key, int(row))
    _report_rows(
        _positions(dup),
        lambda p: InputError(
            f"单位名称重复（与第 {first_row[keys.iloc[p]]} 行相同）", path=path, row=int(rows.iloc[p]),
            column="单位名称", value=frame["name"].iloc[p], expected="每个单位只出现一次",
        ),
    )
    frame = frame.loc[~dup]
    units = frame.assign(
        short=frame["aliases"].map(lambda a: a[0] if a else "").where(frame["aliases"].map(bool), frame["name"]),
        position=range(len(frame)),
    )
    seen: dict[str, str] = {normalize_text(n): n for n in units["name"]}
    for name, aliases, row in zip(units["name"], units["aliases"], rows[units.index]):
        for alias in aliases:
            owner = seen.setdefault(alias, name)
            if owner != name:
                _report(InputError(
                    f"简称“{alias}”同时属于“{owner}”和“{name}”", path=path, row=int(row), column="简称",
                    expected="每个简称只对应一个单位",
                ))
    units = units.assign(row=rows[units.index].to_numpy())
    return Registry(
        units=units[["name", "group", "aliases", "assessed", "short", "position", "row"]].reset_index(drop=True), path=path
    )


def load_orders(
    path: str | Path,
    registry: Registry | None,
    *,
    header_aliases: dict[str, str] | None = None,
    strict: bool = False,
    quality: list | None = None,
) -> pd.DataFrame:
    """Read work orders (工单明细) and resolve units through the registry.

    Errors (see docs/input-errors.md) raise :class:`InputError`; warnings are
    recorded in ``quality`` (a list of :class:`FileQuality`) and become errors
    with ``strict``. Without a registry (only when checking a file) units are
    left as written.
    """
    path = Path(path)
    frame, rows = _typed(path, ORDER_COLUMNS, header_aliases)
    record = _quality("工单明细", path, frame, quality, strict)
    kept = _duplicate_ids(frame, "order_id", "工单编号", path, rows, record, strict, "工单")
    if len(kept) != len(frame):
        frame, rows = kept, rows[kept.index]
    dispatched = (frame["mode"] == "派单").to_numpy()
    _report_rows(
        _positions(dispatched & (frame["unit"] == "").to_numpy()),
        lambda p: InputError("派单工单缺少承办单位", path=path, row=int(rows.iloc[p]), column="承办单位", expected="承办单位名称"),
    )
    _report_rows(
        _positions(dispatched & frame["deadline"].isna().to_numpy() & ~_reported(frame, "deadline")),
        lambda p: InputError("派单工单缺少办理时限", path=path, row=int(rows.iloc[p]), column="办理时限", expected="日期时间"),
    )
    _check_order(frame, rows, path, ("closed_at", "办结时间"), ("accepted_at", "受理时间"))
    direct_with_unit = (frame["mode"] == "直接办结").to_numpy() & (frame["unit"] != "").to_numpy()  # not an unreadable 办理方式
    if direct_with_unit.any():
        first = int(_positions(direct_with_unit)[0])
        _warn_or_fail(record, strict, direct_with_unit_warning(
            path, int(direct_with_unit.sum()), int(rows.iloc[first]), frame["unit"].iloc[first]
        ))
        frame = frame.assign(unit=frame["unit"].where(~pd.Series(direct_with_unit, index=frame.index), ""))
    visited_open = (frame["closed_at"].isna() & frame["visit"].isin(VISITED)).to_numpy() & ~_reported(frame, "closed_at")
    if visited_open.any():
        first = int(_positions(visited_open)[0])
        _warn_or_fail(record, strict, visited_open_warning(
            path, int(visited_open.sum()), int(rows.iloc[first]), frame["visit"].iloc[first]
        ))
    frame = frame.reset_index(drop=True)
    rows = rows.reset_index(drop=True)
    if registry is None:
        return frame
    return frame.assign(unit=registry.resolve(frame["unit"], path=path, rows=rows))


def _reported(frame: pd.DataFrame, name: str) -> np.ndarray:
    """The rows whose ``name`` cell was already reported while reading (an unreadable or out-of-range
    time, left empty): checks of empty cells pass over them, so one cause gives one message."""
    return np.isin(frame.index.to_numpy(), frame.attrs.get("reported", {}).get(name, ()))


def direct_with_unit_warning(path: Path, count: int, row: int, unit: str) -> InputError:
    """直接办结 orders that name a unit (the unit is ignored): ``count`` of them, the first on ``row``."""
    return InputError(
        f"有 {count} 件直接办结的工单填了承办单位，统计时不计入该单位", path=path, row=row, column="承办单位",
        value=unit, expected="直接办结的工单不填承办单位",
    )


def visited_open_warning(path: Path, count: int, row: int, visit: str) -> InputError:
    """Orders not yet closed that already have a 回访结果 (kept as written)."""
    return InputError(
        f"有 {count} 件尚未办结的工单已有回访结果", path=path, row=row, column="回访结果", value=visit,
        expected="办结后才有回访结果",
    )


def _duplicated(values: pd.Series) -> pd.Series:
    """``values.duplicated()``, answered by one hash pass when (as usual) every value is distinct."""
    if isinstance(values.array, pd.arrays.ArrowStringArray) and len(values):
        import pyarrow as pa
        import pyarrow.compute as pc

        array = values.array._pa_array
        try:  # numeric ids: distinct numbers mean distinct texts (the reverse is checked the slow way)
            numbers = pc.cast(array, pa.int64()).to_numpy()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            numbers = None
        if numbers is not None:
            numbers = np.sort(numbers)
            if not (numbers[1:] == numbers[:-1]).any():
                return pd.Series(False, index=values.index)
        elif pc.count_distinct(array).as_py() == len(values):
            return pd.Series(False, index=values.index)
    return values.duplicated()


def _check_order(frame: pd.DataFrame, rows: pd.Series, path: Path, later: tuple[str, str], earlier: tuple[str, str]) -> None:
    """Report rows where the ``later`` time (e.g. 办结时间) comes before the ``earlier`` one (受理时间)."""
    (late, late_header), (early, early_header) = later, earlier
    wrong = (frame[late].notna() & (frame[late] < frame[early])).to_numpy()
    _report_rows(
        _positions(wrong),
        lambda p: InputError(
            f"{late_header}早于{early_header}", path=path, row=int(rows.iloc[p]), column=late_header,
            value=frame[late].iloc[p], expected=f"不早于{early_header} {frame[early].iloc[p]}",
        ),
    )


def load_letters(
    path: str | Path,
    registry: Registry | None,
    *,
    header_aliases: dict[str, str] | None = None,
    strict: bool = False,
    quality: list | None = None,
) -> pd.DataFrame:
    """Read mailbox letters (信件明细) and resolve units through the registry."""
    path = Path(path)
    frame, rows = _typed(path, LETTER_COLUMNS, header_aliases)
    record = _quality("信件明细", path, frame, quality, strict)
    kept = _duplicate_ids(frame, "letter_id", "信件编号", path, rows, record, strict, "信件")
    if len(kept) != len(frame):
        frame, rows = kept.reset_index(drop=True), rows[kept.index].reset_index(drop=True)
    _report_rows(
        _positions((frame["unit"] == "").to_numpy()),
        lambda p: InputError("信件缺少承办单位", path=path, row=int(rows.iloc[p]), column="承办单位", expected="承办单位名称"),
    )
    _check_order(frame, rows, path, ("replied_at", "答复时间"), ("received_at", "收信时间"))
    if registry is None:
        return frame
    return frame.assign(unit=registry.resolve(frame["unit"], path=path, rows=rows))
