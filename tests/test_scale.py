"""Scale: Parquet input, and files read through the store, give exactly what the CSV readers and pandas give.

No timings here (benchmarks/run.py prints those); only agreement of results and errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pyhotline import metrics
from pyhotline.errors import InputError
from pyhotline.io import load_letters, load_orders, load_units, parse_datetimes, read_table
from pyhotline.report import appendix_table
from pyhotline.sample import sample_paths
from pyhotline.scheme import load_scheme
from pyhotline.store import import_files, month_dataset, temporary_store

from conftest import order, scheme_variant, write_orders

ROOT = Path(__file__).resolve().parents[1]
duckdb = pytest.importorskip("duckdb")
MONTHS = ["2024-03", "2024-04", "2024-05", "2024-06"]


def store_evaluation(path, registry, month, scheme, *, strict=False, quality=None) -> pd.DataFrame:
    """The month's evaluation with the orders file imported into a store (with the registry's file)."""
    with temporary_store() as store:
        summary = import_files(store, orders=[path], units=[registry.path], strict=strict)
        if quality is not None:
            quality.extend(q for q in summary.quality if q.kind == "工单明细")
        data = month_dataset(store, month, scheme)
        return metrics.evaluation(data.orders, data.registry, month, scheme)


def csv_to_parquet(csv_path: Path, parquet_path: Path, encoding: str = "utf-8-sig") -> Path:
    """The CSV's cells as Parquet text columns (empty cells as nulls), as a naive export would write them."""
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding=encoding)
    table = pa.table({c: pa.array([v if v != "" else None for v in frame[c]], pa.string()) for c in frame.columns})
    pq.write_table(table, parquet_path)
    return parquet_path


def typed_parquet(csv_path: Path, parquet_path: Path) -> Path:
    """The sample orders as a database export writes them: timestamps, integers, dictionary text."""
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    columns = {}
    for c in frame.columns:
        if c in ("受理时间", "办理时限", "办结时间"):
            columns[c] = pa.array(pd.to_datetime(frame[c].where(frame[c] != "")).astype("datetime64[ms]"))
        elif c in ("延期次数", "回退次数", "返工次数"):
            columns[c] = pa.array(pd.to_numeric(frame[c].where(frame[c] != "", "0")).astype("int64"))
        else:
            columns[c] = pa.array(frame[c].tolist(), pa.string()).dictionary_encode()
    pq.write_table(pa.table(columns), parquet_path)
    return parquet_path


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scale")
    paths = sample_paths()
    registry = load_units(paths["units"])
    return {
        "registry": registry,
        "csv": paths["orders"],
        "text_parquet": csv_to_parquet(paths["orders"], tmp / "orders-text.parquet"),
        "typed_parquet": typed_parquet(paths["orders"], tmp / "orders-typed.parquet"),
        "letters_csv": paths["letters"],
        "letters_parquet": csv_to_parquet(paths["letters"], tmp / "letters.parquet", encoding="gb18030"),
    }


# ---------------------------------------------------------------- parquet input
@pytest.mark.parametrize("kind", ["text_parquet", "typed_parquet"])
def test_parquet_orders_equal_csv_orders(sample, kind):
    from_csv = load_orders(sample["csv"], sample["registry"])
    from_parquet = load_orders(sample[kind], sample["registry"])
    pd.testing.assert_frame_equal(from_parquet, from_csv)


def test_parquet_letters_and_units_equal_csv(sample, tmp_path):
    registry = sample["registry"]
    pd.testing.assert_frame_equal(
        load_letters(sample["letters_parquet"], registry), load_letters(sample["letters_csv"], registry)
    )
    units = load_units(csv_to_parquet(sample_paths()["units"], tmp_path / "units.parquet", encoding="utf-8"))
    pd.testing.assert_frame_equal(units.units, registry.units)


def test_parquet_drops_personal_columns_and_keeps_types(sample):
    frame, header_row = read_table(sample["typed_parquet"])
    assert header_row == 1
    assert str(frame["受理时间"].dtype).startswith("datetime64")
    assert frame["延期次数"].dtype == "int64"
    orders = load_orders(sample["typed_parquet"], sample["registry"])
    assert "来电人" not in orders.columns and "联系电话" not in orders.columns


def _parquet_orders(tmp_path: Path, rows: list[dict], name: str = "orders.parquet", **types) -> Path:
    csv_path = write_orders(tmp_path / (name + ".csv"), rows)
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    columns = {}
    for c in frame.columns:
        if types.get(c) == "int":
            columns[c] = pa.array(pd.to_numeric(frame[c].where(frame[c] != "", "0")).astype("int64"))
        elif types.get(c) == "datetime":
            columns[c] = pa.array(pd.to_datetime(frame[c].where(frame[c] != "")).astype("datetime64[ms]"))
        else:
            columns[c] = pa.array(frame[c].tolist(), pa.string())
    path = tmp_path / name
    pq.write_table(pa.table(columns), path)
    return path


@pytest.mark.parametrize(
    "rows, types",
    [
        ([order("1", "公安局", "2024-05-03 08:00", "2024-05-10 08:00", "", extensions=-1)], {"延期次数": "int"}),
        ([order("1", "公安局", "2024-05-03 08:00", "2024-05-10 08:00"),
          order("1", "民政局", "2024-05-04 08:00", "2024-05-10 08:00")], {}),
        ([order("1", "公安局", "2024-05-03 08:00", "2024-05-10 08:00"),
          order("2", "不存在局", "2024-05-04 08:00", "2024-05-10 08:00")], {"受理时间": "datetime"}),
        ([order("1", "公安局", "2024-05-03 08:00", "", "")], {"办理时限": "datetime"}),
        ([order("1", "公安局", "2024-05-03 08:00", "2024-05-10 08:00", "2024-05-01 08:00")],
         {"受理时间": "datetime", "办结时间": "datetime"}),
        ([order("1", "公安局", "2024-05-03 08:00", "2024-05-10 08:00", mode="转办")], {}),
    ],
    ids=["negative-count", "duplicate-id", "unknown-unit", "no-deadline", "closed-early", "bad-mode"],
)
def test_parquet_errors_name_the_same_row_and_column(tmp_path, registry, rows, types):
    csv_path = write_orders(tmp_path / "orders.parquet.csv", rows)
    parquet_path = _parquet_orders(tmp_path, rows, **types)
    with pytest.raises(InputError) as from_csv:
        load_orders(csv_path, registry)
    with pytest.raises(InputError) as from_parquet:
        load_orders(parquet_path, registry)
    assert (from_parquet.value.row, from_parquet.value.column, from_parquet.value.reason) == (
        from_csv.value.row, from_csv.value.column, from_csv.value.reason
    )
    # the store's import uses the reader, which raises the same error
    with pytest.raises(InputError) as from_store:
        store_evaluation(parquet_path, registry, "2024-05", load_scheme("pingjiang"))
    assert str(from_store.value) == str(from_parquet.value)


# ---------------------------------------------------------------- files read through the store
@pytest.mark.parametrize("kind", ["typed_parquet", "text_parquet", "csv"])
@pytest.mark.parametrize("month", MONTHS)
def test_store_equals_pandas_on_the_sample(sample, pj_scheme, kind, month):
    registry = sample["registry"]
    expected = metrics.evaluation(load_orders(sample["csv"], registry), registry, month, pj_scheme)
    got = store_evaluation(sample[kind], registry, month, pj_scheme)
    pd.testing.assert_frame_equal(got, expected)


@pytest.fixture(scope="module", params=["sample", "heavy"])
def generated_10k(request):
    """10k generated orders at the sample's rates, and at the stress rates (59% listed problems)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    return generate.generate(10_000, profile=request.param)


def test_generated_10k_csv_and_parquet_agree(generated_10k):
    csv_path, parquet_path = generated_10k
    registry = load_units(csv_path.parent / "units.csv")
    pd.testing.assert_frame_equal(load_orders(parquet_path, registry), load_orders(csv_path, registry))


@pytest.mark.parametrize("month", ["2024-01", "2024-05", "2024-12"])
def test_store_equals_pandas_on_generated_10k(generated_10k, pj_scheme, month):
    csv_path, parquet_path = generated_10k
    registry = load_units(csv_path.parent / "units.csv")
    read_quality, engine_quality = [], []
    expected = metrics.evaluation(load_orders(parquet_path, registry, quality=read_quality), registry, month, pj_scheme)
    got = store_evaluation(parquet_path, registry, month, pj_scheme, quality=engine_quality)
    pd.testing.assert_frame_equal(got, expected)
    # the generated orders carry both of the reader's warnings; the import records them word for word
    assert len(read_quality[0].warnings) == 2
    assert engine_quality == read_quality


def test_store_with_strict_raises_the_readers_error(generated_10k, pj_scheme):
    csv_path, parquet_path = generated_10k
    registry = load_units(csv_path.parent / "units.csv")
    with pytest.raises(InputError) as from_reader:
        load_orders(parquet_path, registry, strict=True)
    with pytest.raises(InputError) as from_engine:
        store_evaluation(parquet_path, registry, "2024-05", pj_scheme, strict=True)
    assert str(from_engine.value) == str(from_reader.value)
    assert "直接办结的工单填了承办单位" in str(from_engine.value)


def test_store_on_a_file_without_orders(sample, tmp_path, pj_scheme):
    path = tmp_path / "empty.parquet"
    pq.write_table(pq.read_table(sample["typed_parquet"]).slice(0, 0), path)
    with pytest.raises(InputError) as from_reader:
        load_orders(path, sample["registry"])
    with pytest.raises(InputError) as from_engine:
        store_evaluation(path, sample["registry"], "2024-05", pj_scheme)
    assert str(from_engine.value) == str(from_reader.value)


def test_anchor_sql_agrees_with_pandas_on_generated_10k(generated_10k, pj_scheme):
    """The benchmark's DuckDB SQL anchor (exact DECIMAL half-up) prints the same appendix as pyhotline."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from anchor import anchor_appendix
    finally:
        sys.path.pop(0)
    csv_path, parquet_path = generated_10k
    registry = load_units(csv_path.parent / "units.csv")
    ours = appendix_table(metrics.evaluation(load_orders(parquet_path, registry), registry, "2024-05", pj_scheme),
                          keep_zeros=pj_scheme.keep_trailing_zeros)
    con = duckdb.connect()
    anchor = anchor_appendix(con, parquet_path, registry, metrics.parse_month("2024-05"), pj_scheme)
    assert ours.shape == anchor.shape
    assert (ours.to_numpy() == anchor.to_numpy()).all()


# ---------------------------------------------------------------- comparing two ways of reading
def _outcome(run):
    """What ``run()`` gives: its result, or the InputError it raises."""
    try:
        return run()
    except InputError as exc:
        return exc


def _assert_same_outcome(got, expected):
    """The same error (message and row), or equal frames."""
    if isinstance(expected, InputError):
        assert isinstance(got, InputError) and (str(got), got.row) == (str(expected), expected.row)
    else:
        pd.testing.assert_frame_equal(got, expected)


# ---------------------------------------------------------------- the Arrow CSV reader
def _both_ways(monkeypatch, load, path, *args):
    """``load(path, ...)`` with the Arrow CSV reader and with the csv module only."""
    from pyhotline import io

    fast = load(path, *args)
    monkeypatch.setattr(io.csvfile, "ARROW_CSV", False)
    slow = load(path, *args)
    monkeypatch.setattr(io.csvfile, "ARROW_CSV", True)
    return fast, slow


def _variants(tmp_path: Path) -> dict[str, Path]:
    text = sample_paths()["orders"].read_text(encoding="utf-8-sig")
    header, first, *rest = text.splitlines(keepends=True)
    cells = first.rstrip("\n").split(",")
    cells[header.rstrip("\n").split(",").index("诉求内容")] = '"一行,\n又一行"'  # a comma and a newline in a cell
    quoted = ",".join(cells) + "\n"
    files = {
        "utf8-bom": text.encode("utf-8-sig"),
        "utf8": text.encode("utf-8"),
        "gb18030": text.encode("gb18030"),
        "title-rows": ("工单明细表\n导出时间：2024-06-01 08:00\n" + text).encode("utf-8-sig"),
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
        "quoted-newline": (header + quoted + "".join(rest)).encode("utf-8"),
    }
    out = {}
    for name, data in files.items():
        out[name] = tmp_path / f"{name}.csv"
        out[name].write_bytes(data)
    return out


@pytest.mark.parametrize("variant", ["utf8-bom", "utf8", "gb18030", "title-rows", "crlf", "quoted-newline"])
def test_arrow_csv_reader_is_used_and_equals_the_csv_module(tmp_path, monkeypatch, sample, variant):
    from pyhotline import io

    path = _variants(tmp_path)[variant]
    read = io._read_csv_arrow(path, io.ORDER_COLUMNS, io.HEADER_ALIASES)
    assert read is not None, "the Arrow reader should take this file"
    frame, headers, header_row = read
    assert not set(frame.columns) & set(io.PERSONAL_HEADERS)  # personal columns never leave the file
    assert header_row == (3 if variant == "title-rows" else 1)
    fast, slow = _both_ways(monkeypatch, load_orders, path, sample["registry"])
    pd.testing.assert_frame_equal(fast, slow)
    expected = load_orders(sample["csv"], sample["registry"])
    pd.testing.assert_frame_equal(fast, expected)


def test_arrow_csv_reader_reads_letters_and_units(monkeypatch, sample):
    paths = sample_paths()
    fast, slow = _both_ways(monkeypatch, load_letters, paths["letters"], sample["registry"])
    pd.testing.assert_frame_equal(fast, slow)
    fast, slow = _both_ways(monkeypatch, load_units, paths["units"])
    pd.testing.assert_frame_equal(fast.units, slow.units)


DOUBTFUL = ["blank-line", "short-row", "long-row", "doubled-header", "blank-row", "bom-in-header"]


@pytest.mark.parametrize("change", DOUBTFUL + ["count-text", "negative-count", "hex-count"])
def test_arrow_csv_reader_leaves_doubtful_files_to_the_csv_module(tmp_path, monkeypatch, sample, change):
    """Anything not plain goes to the row-by-row reader; bad cells in a plain file meet the readers' own
    rules. Either way: the same rows kept or the same error, with the same row numbers."""
    from pyhotline import io

    text = sample_paths()["orders"].read_text(encoding="utf-8-sig")
    header, *lines = text.splitlines(keepends=True)
    width = header.count(",")
    if change == "blank-line":
        lines.insert(10, "\n")
    elif change == "short-row":
        lines[10] = ",".join(lines[10].split(",")[:5]) + "\n"
    elif change == "long-row":
        lines[10] = lines[10].rstrip("\n") + ",多余\n"
    elif change == "doubled-header":
        header = header.rstrip("\n") + ",受理日期\n"
        lines = [line.rstrip("\n") + ",2024-05-01\n" for line in lines]
    elif change == "count-text":
        cells = lines[10].split(",")
        cells[header.split(",").index("延期次数")] = "两次"
        lines[10] = ",".join(cells)
    elif change in ("negative-count", "hex-count"):
        cells = lines[10].split(",")
        cells[header.split(",").index("延期次数")] = "-01" if change == "negative-count" else "0x1"
        lines[10] = ",".join(cells)
    elif change == "bom-in-header":
        header = "\ufeff\ufeff" + header  # a second BOM after the first (doubled by a careless tool)
    elif change == "blank-row":
        lines.insert(10, "," * width + "\n")
    path = tmp_path / "orders.csv"
    data = (header + "".join(lines)).encode("utf-8")
    path.write_bytes(data)
    taken = io._read_csv_arrow(path, io.ORDER_COLUMNS, io.HEADER_ALIASES) is not None
    assert taken == (change not in DOUBTFUL)
    monkeypatch.setattr(io.csvfile, "ARROW_CSV", False)
    expected = _outcome(lambda: load_orders(path, sample["registry"]))
    monkeypatch.setattr(io.csvfile, "ARROW_CSV", True)
    _assert_same_outcome(_outcome(lambda: load_orders(path, sample["registry"])), expected)


def test_placeholder_years_are_an_error_on_their_row_in_every_reader(sample, tmp_path, pj_scheme):
    """9999-12-31 as “no deadline”: a clear error naming the row, from CSV, typed Parquet and the store."""
    text = sample_paths()["orders"].read_text(encoding="utf-8-sig")
    header, *lines = text.splitlines(keepends=True)
    column = header.rstrip("\n").split(",").index("办理时限")
    cells = lines[4].rstrip("\n").split(",")
    cells[column] = "9999-12-31 23:59:59"
    lines[4] = ",".join(cells) + "\n"
    csv_path = tmp_path / "orders.csv"
    csv_path.write_text(header + "".join(lines), encoding="utf-8")
    parquet_path = typed_parquet(csv_path, tmp_path / "orders.parquet")
    errors = []
    for load in (lambda: load_orders(csv_path, sample["registry"]), lambda: load_orders(parquet_path, sample["registry"]),
                 lambda: store_evaluation(parquet_path, sample["registry"], "2024-05", pj_scheme)):
        with pytest.raises(InputError, match="超出可处理的范围") as err:
            load()
        errors.append((err.value.row, err.value.column))
    assert errors == [(6, "办理时限")] * 3


def test_arrow_csv_reader_ignores_damage_in_columns_it_never_reads(tmp_path, sample):
    """A GBK byte pair in 诉求内容 (a personal column, never read) far below the first 64 KB: the month
    is read as if the damage were not there (the row-by-row reader would decode the whole file as GBK)."""
    from pyhotline import io

    data = sample_paths()["orders"].read_bytes()
    at = data.index("来电人反映".encode("utf-8"), 200_000)
    damaged = data[:at] + "来电".encode("gbk") + data[at + len("来电".encode("utf-8")):]
    path = tmp_path / "orders.csv"
    path.write_bytes(damaged)
    assert io._read_csv_arrow(path, io.ORDER_COLUMNS, io.HEADER_ALIASES) is not None
    pd.testing.assert_frame_equal(load_orders(path, sample["registry"]), load_orders(sample["csv"], sample["registry"]))


# ---------------------------------------------------------------- files a database or pandas may write
def _sample_table(sample) -> pa.Table:
    return pq.read_table(sample["typed_parquet"])


def _store_and_reader(path, registry, scheme, month="2024-05"):
    """(store result or error, store quality), (reader result or error, reader quality)."""
    out = []
    for run in (lambda q: store_evaluation(path, registry, month, scheme, quality=q),
                lambda q: metrics.evaluation(load_orders(path, registry, quality=q), registry, month, scheme)):
        quality = []
        out.append((_outcome(lambda: run(quality)), quality))
    return out


def _same(engine, reader):
    (got, got_quality), (expected, expected_quality) = engine, reader
    _assert_same_outcome(got, expected)
    if not isinstance(expected, InputError):
        assert got_quality == expected_quality


def test_nested_column_before_the_order_columns(sample, tmp_path, pj_scheme):
    """Statistics are looked up by column path, not position: a struct column first must not shift them."""
    table = _sample_table(sample)
    counts = table.column("返工次数").to_pylist()
    counts[5] = -1
    table = table.set_column(table.schema.get_field_index("返工次数"), "返工次数", pa.array(counts, pa.int64()))
    table = table.add_column(0, "附加", pa.array([{"a": 1, "b": 2}] * len(table)))
    path = tmp_path / "nested.parquet"
    pq.write_table(table, path)
    engine, reader = _store_and_reader(path, sample["registry"], pj_scheme)
    assert isinstance(reader[0], InputError) and reader[0].column == "返工次数"
    _same(engine, reader)


def test_nanosecond_times_keep_their_precision(sample, tmp_path, pj_scheme):
    """A close 500 ns after the deadline is late, for the reader and the store alike."""
    table = _sample_table(sample)
    for name in ("受理时间", "办理时限", "办结时间"):
        table = table.set_column(table.schema.get_field_index(name), name, table.column(name).cast(pa.timestamp("ns")))
    frame = table.to_pandas()
    due = frame["办理时限"].between("2024-05-01", "2024-05-31") & frame["办结时间"].notna() & (frame["办理方式"] == "派单")
    row = int(due.to_numpy().nonzero()[0][0])
    closed = frame["办结时间"].copy()
    closed.iloc[row] = frame["办理时限"].iloc[row] + pd.Timedelta(nanoseconds=500)
    table = table.set_column(table.schema.get_field_index("办结时间"), "办结时间", pa.array(closed, pa.timestamp("ns")))
    path = tmp_path / "ns.parquet"
    pq.write_table(table, path)
    orders = load_orders(path, sample["registry"])
    assert orders.loc[row, "closed_at"] - orders.loc[row, "deadline"] == pd.Timedelta(nanoseconds=500)
    _same(*_store_and_reader(path, sample["registry"], pj_scheme))
    assert parse_datetimes(pd.Series(["2024-05-03 08:05:00.123456789"]), column="x").iloc[0].nanosecond == 789


def test_a_sliced_pandas_frame_is_numbered_by_position(sample, tmp_path, pj_scheme):
    """pandas keeps a RangeIndex(start=100) in the file's metadata; rows are still counted from the top."""
    frame = _sample_table(sample).to_pandas()
    direct = int(((frame["办理方式"] == "直接办结") & (frame.index >= 250)).to_numpy().nonzero()[0][0])
    frame.loc[direct, "承办单位"] = "民政局"  # a 直接办结 order naming a unit: the reader warns, giving its row
    path = tmp_path / "sliced.parquet"
    frame.iloc[100:].to_parquet(path)
    quality = []
    load_orders(path, sample["registry"], quality=quality)
    assert f"第 {direct - 100 + 2} 行" in quality[0].warnings[0]
    _same(*_store_and_reader(path, sample["registry"], pj_scheme))


@pytest.mark.parametrize("value", [3 * 10**17, 2**63 - 1])
def test_times_past_year_9999_are_a_clear_error(sample, tmp_path, pj_scheme, value):
    table = _sample_table(sample)
    deadline = table.column("办理时限").cast(pa.timestamp("us")).cast(pa.int64()).to_pylist()
    deadline[7] = value
    table = table.set_column(table.schema.get_field_index("办理时限"), "办理时限",
                             pa.array(deadline, pa.int64()).cast(pa.timestamp("us")))
    path = tmp_path / "far.parquet"
    pq.write_table(table, path)
    engine, reader = _store_and_reader(path, sample["registry"], pj_scheme)
    assert isinstance(reader[0], InputError) and "超出可处理的范围" in str(reader[0]) and reader[0].row == 9
    _same(engine, reader)


def test_a_column_named_file_row_number(sample, tmp_path, pj_scheme):
    table = _sample_table(sample)
    table = table.append_column("file_row_number", pa.array(range(len(table)), pa.int64()))
    path = tmp_path / "rownumbers.parquet"
    pq.write_table(table, path)
    _same(*_store_and_reader(path, sample["registry"], pj_scheme))


# ---------------------------------------------------------------- Excel: calamine and openpyxl
def _typed_workbook(path: Path) -> Path:
    """A sheet as platforms export it: a title row, then typed cells of every kind the readers meet."""
    import datetime as dt

    import openpyxl
    import numpy as np

    rng = np.random.default_rng(7)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["工单明细表（导出）"])
    ws.append(["工单编号", "受理时间", "办理时限", "延期次数", "金额", "备注", "是否", "日期"])
    start = dt.datetime(2024, 1, 1)
    for i in range(3000):
        accepted = start + dt.timedelta(seconds=int(rng.integers(0, 366 * 86400)), milliseconds=int(rng.integers(0, 1000)))
        ws.append([
            100000 + i, accepted, accepted.date() if i % 3 else accepted.replace(hour=0, minute=0, second=0, microsecond=0),
            int(rng.integers(0, 4)) if i % 11 else None, float(rng.random() * 100), " 文本 " if i % 7 else None,
            bool(i % 2), dt.date(2024, 5, 1 + i % 28),
        ])
    cell = ws.cell(row=10, column=4)
    cell.value, cell.data_type = "#N/A", "e"
    ws.cell(row=11, column=6).value = "=1+1"  # a formula without a cached value
    wb.save(path)
    return path


def test_excel_engines_give_the_same_cells(tmp_path, monkeypatch):
    from pyhotline import io

    path = _typed_workbook(tmp_path / "typed.xlsx")
    monkeypatch.setattr(io.excel, "XLSX_ENGINES", ("calamine",))
    fast = io._read_xlsx(path)
    monkeypatch.setattr(io.excel, "XLSX_ENGINES", ("openpyxl",))
    slow = io._read_xlsx(path)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast.iloc[2, 1] != "" and fast.iloc[2, 0] == "100000"


def test_sample_from_excel_is_read_alike_by_both_engines(tmp_path, monkeypatch, sample):
    from pyhotline import io

    path = tmp_path / "orders.xlsx"
    pd.read_csv(sample["csv"], dtype=str, keep_default_na=False, encoding="utf-8-sig").to_excel(path, index=False)
    monkeypatch.setattr(io.excel, "XLSX_ENGINES", ("calamine",))
    fast = load_orders(path, sample["registry"])
    monkeypatch.setattr(io.excel, "XLSX_ENGINES", ("openpyxl",))
    pd.testing.assert_frame_equal(fast, load_orders(path, sample["registry"]))
    pd.testing.assert_frame_equal(fast, load_orders(sample["csv"], sample["registry"]))


@pytest.mark.parametrize("change", ["none", "blank-accepted", "other-form", "spaces"])
def test_time_columns_side_by_side_equal_one_by_one(tmp_path, monkeypatch, sample, change):
    """Big files parse their text time columns at once on all CPUs: same times, same errors."""
    from pyhotline import io

    text = sample_paths()["orders"].read_text(encoding="utf-8-sig")
    header, *lines = text.splitlines(keepends=True)
    cells = lines[20].rstrip("\n").split(",")
    names = header.rstrip("\n").split(",")
    if change == "blank-accepted":
        cells[names.index("受理时间")] = ""
    elif change == "other-form":
        cells[names.index("办结时间")] = "2024/5/3 8:05"
    elif change == "spaces":
        cells[names.index("办理时限")] = " " + cells[names.index("办理时限")] + " "
    lines[20] = ",".join(cells) + "\n"
    path = tmp_path / "orders.csv"
    path.write_text(header + "".join(lines), encoding="utf-8")

    def load():
        return _outcome(lambda: load_orders(path, sample["registry"]))

    one_by_one = load()
    monkeypatch.setattr(io.times, "SIDE_BY_SIDE_ROWS", 0)
    prepared = []
    real = io._usual_times_side_by_side

    def spy(body, cols):
        parsed = real(body, cols)
        prepared.append(sorted(parsed))  # the reader takes the entries out as it uses them
        return parsed

    monkeypatch.setattr(io.times, "_usual_times_side_by_side", spy)
    side_by_side = load()
    assert len(prepared[0]) == {"none": 3, "blank-accepted": 3, "other-form": 2, "spaces": 2}[change]
    _assert_same_outcome(side_by_side, one_by_one)
    if isinstance(one_by_one, InputError):
        assert change == "blank-accepted" and one_by_one.row == 22
