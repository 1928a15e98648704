"""The DuckDB check-and-stage path for clean CSV (pyhotline/store/fastcsv.py) gives exactly what the
reader gives: the same rows and the same warnings when it takes a file, and when it does not (the
file is doubtful) the reader's own message. Variants of the sample are written by hand, not by the
benchmark's generator."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import pyhotline as ph
from pyhotline.store import import_files, month_dataset
from pyhotline.store.db import memory_store
from pyhotline.store.fastcsv import stage_csv_orders

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def sample_orders() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "orders.csv", dtype=str, keep_default_na=False)


def _write(frame: pd.DataFrame, path: Path, *, encoding="utf-8-sig", newline="\n") -> Path:
    path.write_bytes(frame.to_csv(index=False, lineterminator=newline).encode(encoding))
    return path


def _direct_rows(frame):
    return frame.index[frame["办理方式"] == "直接办结"]


def _variant(frame: pd.DataFrame, change: str) -> pd.DataFrame:
    """The sample's orders with one change an export may have."""
    frame = frame.copy()
    if change == "numeric-text-ids":  # "2024050300123": a date and a running number
        frame["工单编号"] = [f"{a[:10].replace('-', '')}{i:05d}" for i, a in enumerate(frame["受理时间"])]
    elif change == "prefixed-ids":  # "PJ20240503-0012"
        frame["工单编号"] = [f"PJ{a[:10].replace('-', '')}-{i:04d}" for i, a in enumerate(frame["受理时间"])]
    elif change == "leading-zero-ids":
        frame["工单编号"] = [f"{i:08d}" for i in range(len(frame))]
    elif change == "blank-counts-and-visits":
        frame.loc[3:40, "延期次数"] = ""
        frame.loc[5:60, "回访结果"] = ""
    elif change == "direct-with-unit":
        frame.loc[_direct_rows(frame)[:4], "承办单位"] = "公安局"
    elif change == "open-with-visit":
        frame.loc[10, "办结时间"] = ""
        frame.loc[10, "回访结果"] = "满意"
    elif change == "blank-deadline":  # a 派单 order without 办理时限: the reader's error
        frame.loc[frame.index[frame["办理方式"] == "派单"][5], "办理时限"] = ""
    elif change == "blank-category":
        frame.loc[12, "事件分类"] = ""
    elif change == "blank-accepted":
        frame.loc[14, "受理时间"] = ""
    elif change == "blank-id":
        frame.loc[16, "工单编号"] = ""
    elif change == "bad-date":
        frame.loc[20, "办结时间"] = "2024-02-30 10:00:00"
    elif change == "month-13":
        frame.loc[21, "受理时间"] = "2024-13-01 10:00:00"
    elif change == "other-date-form":  # read by the reader's general rules: same rows
        frame.loc[22, "受理时间"] = "2024/5/3 8:05"
    elif change == "date-only-deadline":
        frame.loc[frame.index[frame["办理方式"] == "派单"][3], "办理时限"] = "2024-05-20"
    elif change == "far-date":
        frame.loc[23, "办结时间"] = "9999-12-31 00:00:00"
    elif change == "closed-before-accepted":
        frame.loc[24, "办结时间"] = "2000-01-01 00:00:00"
    elif change == "duplicate-id":  # same number, other content: the reader's error
        frame.loc[31, "工单编号"] = frame.loc[30, "工单编号"]
    elif change == "repeated-row":  # a row exported twice: set aside with a warning
        frame = pd.concat([frame.iloc[:50], frame.iloc[[49]], frame.iloc[50:]], ignore_index=True)
    elif change == "negative-count":
        frame.loc[33, "返工次数"] = "-1"
    elif change == "decimal-count":
        frame.loc[34, "回退次数"] = "1.0"
    elif change == "unknown-unit":
        frame.loc[frame.index[frame["办理方式"] == "派单"][7], "承办单位"] = "不存在的局"
    elif change == "unit-by-short-name-spaced":
        frame.loc[frame.index[frame["办理方式"] == "派单"][8], "承办单位"] = " 公安局 "
    elif change == "unknown-mode":
        frame.loc[35, "办理方式"] = "转办"
    elif change == "invisible-character":
        frame.loc[36, "事件分类"] = frame.loc[36, "事件分类"] + "\u200b"
    elif change == "spaced-flag":  # stripped by the reader: same value
        frame.loc[37, "市热线办退回"] = "\u3000是 "
    elif change == "spaced-mode-visit-unit":  # cleaned by the reader into 派单, a visit, a blank unit
        frame.loc[frame.index[frame["办理方式"] == "派单"][:5], "办理方式"] = " 派单"
        frame.loc[frame.index[frame["回访结果"] == "满意"][:5], "回访结果"] = "满意 "
        frame.loc[10, "办结时间"] = ""
        frame.loc[10, "回访结果"] = " 满意"
        frame.loc[_direct_rows(frame)[:3], "承办单位"] = " "
    elif change == "totals-row":
        total = {c: "" for c in frame.columns}
        total["工单编号"] = "合计"
        frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    elif change == "quoted-comma-and-newline":  # a personal column holding a comma and a line break
        frame.loc[40, "诉求内容"] = "来电人反映,路灯\n不亮"
    elif change == "alias-header":
        frame = frame.rename(columns={"工单编号": "工单号", "承办单位": "责任单位"})
    elif change != "none":
        raise AssertionError(change)
    return frame


FAST = {"none", "numeric-text-ids", "prefixed-ids", "leading-zero-ids", "blank-counts-and-visits",
        "direct-with-unit", "open-with-visit", "unit-by-short-name-spaced", "quoted-comma-and-newline", "spaced-flag",
        "alias-header", "spaced-mode-visit-unit"}
CHANGES = sorted(FAST) + [
    "blank-deadline", "blank-category", "blank-accepted", "blank-id", "bad-date", "month-13", "other-date-form",
    "date-only-deadline", "far-date", "closed-before-accepted", "duplicate-id", "repeated-row", "negative-count",
    "decimal-count", "unknown-unit", "unknown-mode", "invisible-character", "totals-row",
]


def _both_paths(tmp_path: Path, path: Path):
    """(fast path, reader) outcomes of importing ``path``: the error text, or (orders, quality, summary)."""
    outcomes = []
    for fast in (True, False):
        store = tmp_path / f"{fast}.duckdb"
        store.unlink(missing_ok=True)
        try:
            summary = import_files(store, orders=[path], units=[SAMPLE / "units.csv"], fast=fast)
        except ph.InputError as exc:
            outcomes.append(str(exc))
            continue
        data = month_dataset(store)
        outcomes.append((data.orders, [q for q in summary.quality if q.kind == "工单明细"], summary.lines()))
    return outcomes


def _staged(path: Path) -> bool:
    registry = ph.load_units(SAMPLE / "units.csv")
    with memory_store() as con:
        return stage_csv_orders(con, path, registry, "probe", header_aliases=None) is not None


def _assert_same(outcomes):
    fast, reader = outcomes
    if isinstance(reader, str) or isinstance(fast, str):
        assert fast == reader
        return
    pd.testing.assert_frame_equal(fast[0], reader[0])
    assert fast[1] == reader[1]
    assert fast[2] == reader[2]


@pytest.mark.parametrize("change", CHANGES)
def test_fast_csv_path_gives_the_readers_rows_and_messages(tmp_path, sample_orders, change):
    path = _write(_variant(sample_orders, change), tmp_path / "orders.csv")
    assert _staged(path) == (change in FAST)
    _assert_same(_both_paths(tmp_path, path))


def test_the_sample_file_itself_is_staged_with_the_readers_warnings(tmp_path, sample_orders):
    """The bundled file as shipped, and one with both of the reader's warnings, on the fast path."""
    assert _staged(SAMPLE / "orders.csv")
    _assert_same(_both_paths(tmp_path, SAMPLE / "orders.csv"))
    frame = _variant(_variant(sample_orders, "direct-with-unit"), "open-with-visit")
    path = _write(frame, tmp_path / "warned.csv")
    assert _staged(path)
    outcomes = _both_paths(tmp_path, path)
    _assert_same(outcomes)
    assert len(outcomes[0][1][0].warnings) == 2


@pytest.mark.parametrize("form", ["gb18030", "no-bom", "crlf", "mixed-newlines", "blank-line", "title-row",
                                  "short-row", "long-row", "stray-quote"])
def test_files_the_fast_path_leaves_to_the_reader(tmp_path, sample_orders, form):
    """Encodings and layouts: UTF-8 with or without BOM and CRLF are staged; anything else is the reader's."""
    frame = sample_orders.iloc[:400]
    path = tmp_path / "orders.csv"
    if form == "gb18030":
        _write(frame, path, encoding="gb18030")
    elif form == "no-bom":
        _write(frame, path, encoding="utf-8")
    elif form == "crlf":
        _write(frame, path, newline="\r\n")
    else:
        text = frame.to_csv(index=False, lineterminator="\n")
        lines = text.split("\n")
        if form == "mixed-newlines":
            text = lines[0] + "\r\n" + "\n".join(lines[1:])
        elif form == "blank-line":
            text = "\n".join(lines[:10] + [""] + lines[10:])
        elif form == "title-row":
            text = "平江县12345工单明细\n" + text
        elif form == "short-row":
            lines[7] = ",".join(lines[7].split(",")[:-3])
            text = "\n".join(lines)
        elif form == "long-row":
            lines[7] += ",多余"
            text = "\n".join(lines)
        elif form == "stray-quote":
            cells = lines[7].split(",")
            cells[14] = '"来电"人反映'
            lines[7] = ",".join(cells)
            text = "\n".join(lines)
        path.write_bytes(("\ufeff" + text).encode("utf-8"))
    assert _staged(path) == (form in ("no-bom", "crlf"))
    _assert_same(_both_paths(tmp_path, path))


def test_strict_warnings_leave_the_file_to_the_reader(tmp_path, sample_orders):
    path = _write(_variant(sample_orders, "direct-with-unit"), tmp_path / "orders.csv")
    registry = ph.load_units(SAMPLE / "units.csv")
    with memory_store() as con:
        assert stage_csv_orders(con, path, registry, "probe", strict=True) is None
    messages = []
    for fast in (True, False):
        with pytest.raises(ph.InputError) as caught:
            import_files(tmp_path / f"s{fast}.duckdb", orders=[path], units=[SAMPLE / "units.csv"], strict=True, fast=fast)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


def test_one_shot_month_from_csv_equals_the_full_import(tmp_path, sample_orders):
    from pyhotline.store import load_month

    path = _write(_variant(sample_orders, "prefixed-ids"), tmp_path / "orders.csv")
    assert _staged(path)
    with memory_store() as con:
        import_files(con, orders=[path], units=[SAMPLE / "units.csv"], fast=False)
        full = month_dataset(con, "2024-05")
    sliced = load_month("2024-05", orders=path, units=SAMPLE / "units.csv")
    pd.testing.assert_frame_equal(sliced.orders, full.orders)
    assert sliced.quality == full.quality and sliced.cutoff == full.cutoff


def test_an_import_with_reader_notes_raises_no_pandas_attrs_warning(tmp_path, sample_orders):
    """The reader's notes (InputError objects in the frame's attrs) are not handed to Arrow's
    pandas metadata, which could not serialize them and warned (store/imports.py)."""
    import warnings

    path = _write(_variant(sample_orders, "invisible-character"), tmp_path / "orders.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        summary = import_files(tmp_path / "s.duckdb", orders=[path], units=[SAMPLE / "units.csv"])
    assert any("看不见的字符" in w for q in summary.quality for w in q.warnings)


@pytest.mark.parametrize("change", ["none", "bad-date", "duplicate-id", "blank-deadline", "direct-with-unit"])
@pytest.mark.parametrize("title", [False, True])
def test_gbk_exports_with_title_rows_go_the_readers_way(tmp_path, sample_orders, change, title):
    """GBK is how many platforms export (often with a title row above the header): never staged by
    DuckDB, and the import gives the reader's rows, warnings or message, word for word."""
    text = _variant(sample_orders, change).to_csv(index=False, lineterminator="\r\n")
    if title:
        text = "某县12345热线工单明细（2024年）\r\n" + text
    path = tmp_path / "orders.csv"
    path.write_bytes(text.encode("gbk"))
    assert not _staged(path)
    outcomes = _both_paths(tmp_path, path)
    _assert_same(outcomes)
    if change in ("bad-date", "duplicate-id", "blank-deadline"):
        assert isinstance(outcomes[0], str) and "orders.csv" in outcomes[0] and "行" in outcomes[0]
    else:
        assert not isinstance(outcomes[0], str)


def test_a_file_rewritten_between_the_check_and_the_write_is_not_imported(tmp_path, monkeypatch):
    """The clean-CSV path reads a large file twice (check, then write): a file changed in between would put
    unchecked rows into the store. It is refused, and the store is left as it was."""
    import os
    import shutil

    from pyhotline.errors import InputError
    from pyhotline.store import fastcsv, import_files

    source = tmp_path / "orders.csv"
    shutil.copyfile(ROOT / "data" / "sample" / "orders.csv", source)
    real = fastcsv.plan_csv_orders

    def plan_then_touch(*args, **kwargs):
        plan = real(*args, **kwargs)
        os.utime(source, ns=(1, 1))  # saved again after the check
        return plan

    monkeypatch.setattr("pyhotline.store.imports.plan_csv_orders", plan_then_touch)
    monkeypatch.setattr(fastcsv, "_IN_MEMORY", 0)  # read twice, as a file over 320 MB is
    store = tmp_path / "s.duckdb"
    with pytest.raises(InputError, match="文件在导入期间被修改"):
        import_files(store, orders=[source], units=[ROOT / "data" / "sample" / "units.csv"])
    assert not store.exists()
