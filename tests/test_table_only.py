"""``evaluate`` reads only what the month's table needs (``load_month(..., table_only=True)``): the month's
rows and the counted columns. The table, the warnings, the cut-offs and the registry are those of the
full slice, from a store (one or several registries), from one-off files, and for bad files the same
message."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import pyhotline as ph
from pyhotline.report import evaluation_table
from pyhotline.store import import_files, load_month

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
MAY = "2024-05"


def _same(month, **where) -> None:
    full = load_month(month, **where)
    table_only = load_month(month, table_only=True, **where)
    assert set(table_only.orders.columns) < set(full.orders.columns)
    pd.testing.assert_frame_equal(evaluation_table(month, table_only).evaluation, evaluation_table(month, full).evaluation)
    assert table_only.quality == full.quality
    assert (table_only.cutoff, table_only.letters_cutoff, table_only.spans) == (full.cutoff, full.letters_cutoff, full.spans)
    pd.testing.assert_frame_equal(table_only.registry.units, full.registry.units)


@pytest.mark.parametrize("month", ["2024-03", MAY, "2024-06"])
def test_one_off_files_give_the_full_slices_table(month):
    _same(month, orders=SAMPLE / "orders.csv", units=SAMPLE / "units.csv", letters=SAMPLE / "letters.csv")


def test_a_store_with_several_registries_gives_the_full_slices_table(tmp_path):
    store = tmp_path / "s.duckdb"
    import_files(store, orders=[SAMPLE / "orders.csv"], units=[SAMPLE / "units.csv"], letters=[SAMPLE / "letters.csv"])
    units = pd.read_csv(SAMPLE / "units.csv", dtype=str, keep_default_na=False)
    renamed = units.assign(单位名称=units["单位名称"].replace({"平江县公安局": "平江县公安分局"}))
    renamed = renamed.loc[renamed["单位名称"] != "平江县教育局"]  # gone from the latest: kept from the earlier one
    newer = tmp_path / "units-2.csv"
    renamed.to_csv(newer, index=False)
    import_files(store, units=[newer])
    for month in ("2024-04", MAY):
        _same(month, store=store)
    assert "平江县教育局" in set(load_month(MAY, store=store, table_only=True).registry.units["name"])


def test_a_bad_row_outside_the_month_gives_the_same_message(tmp_path):
    from test_store import _typed_parquet

    raw = pd.read_csv(SAMPLE / "orders.csv", dtype=str, keep_default_na=False)
    first = raw.index[raw["受理时间"].str.startswith("2024-02")][0]
    raw.loc[first, "工单编号"] = raw.loc[raw.index[-1], "工单编号"]  # a repeated 工单编号, in February
    path = _typed_parquet(tmp_path, raw)
    messages = []
    for table_only in (False, True):
        with pytest.raises(ph.InputError) as found:
            load_month(MAY, orders=path, units=SAMPLE / "units.csv", table_only=table_only)
        messages.append(str(found.value))
    assert messages[0] == messages[1]
