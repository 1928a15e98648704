"""Orders a newer export covering their 受理时间 lacks (voided or deleted on the platform since): kept as last
seen, and said at the import, in check --store and in the months they count in (third stranger review, 3)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pyhotline import cli
from pyhotline.errors import PyhotlineError
from pyhotline.store import load_month

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def _export(path: Path, months: tuple[str, ...], drop: tuple[str, ...] = ()) -> Path:
    with open(SAMPLE / "orders.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    kept = [r for r in rows[1:] if r[1][:7] in months and r[0] not in drop]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([rows[0], *kept])
    return path


@pytest.fixture()
def exports(tmp_path):
    with open(SAMPLE / "orders.csv", encoding="utf-8-sig", newline="") as fh:
        may = [r[0] for r in list(csv.reader(fh))[1:] if r[1][:7] == "2024-05"]
    gone = (may[10], may[20])
    older = _export(tmp_path / "工单2024-04至05.csv", ("2024-04", "2024-05"))
    newer = _export(tmp_path / "工单2024-05至06-作废.csv", ("2024-05", "2024-06"), drop=gone)
    return older, newer, gone


def _import(capsys, store, path, as_of):
    args = ["import", "--store", str(store), "--orders", str(path), "--as-of", as_of]
    if not store.exists():
        args += ["--units", str(SAMPLE / "units.csv")]
    capsys.readouterr()
    assert cli.main(args) == 0
    return capsys.readouterr().err


@pytest.mark.parametrize("order", ["older first", "newer first"])
def test_orders_missing_from_a_newer_export_are_named(tmp_path, capsys, exports, order):
    older, newer, gone = exports
    store = tmp_path / "s.duckdb"
    steps = [(older, "2025-01-05"), (newer, "2025-02-05")]
    for path, as_of in steps if order == "older first" else steps[::-1]:
        said = _import(capsys, store, path, as_of)
    assert f"中没有较早的导出 {older.name} 中的 2 件工单（{gone[0]}、{gone[1]}" in said
    data = load_month("2024-05", store=store)
    notes = [w for q in data.quality for w in q.warnings]
    assert any("可能已在平台上作废或删除。5 月仍按较早导出的记录统计它们" in w for w in notes)
    assert set(gone) <= set(data.orders["order_id"])  # kept, as last seen
    with pytest.raises(PyhotlineError, match="作废或删除"):
        load_month("2024-05", store=store, strict=True)
    capsys.readouterr()
    cli.main(["check", "--store", str(store)])
    assert "可能已在平台上作废或删除" in capsys.readouterr().err


def test_complete_overlapping_exports_say_nothing(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    _import(capsys, store, _export(tmp_path / "a.csv", ("2024-04", "2024-05")), "2025-01-05")
    said = _import(capsys, store, _export(tmp_path / "b.csv", ("2024-05", "2024-06")), "2025-02-05")
    assert "作废" not in said
    assert not any("作废" in w for q in load_month("2024-05", store=store).quality for w in q.warnings)
