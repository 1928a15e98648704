"""pyhotline drop: orders voided on the platform leave the store, stay out of older exports, come back with a
newer export that lists them, and can be restored (fourth stranger review: voided orders blocked --strict)."""

from __future__ import annotations

import shutil

from pyhotline import cli
from pyhotline.store import load_month

from test_vanished import SAMPLE, _export, _import, exports  # noqa: F401  (the fixture)


def _ids(store, month="2024-05"):
    return set(load_month(month, store=store).orders["order_id"])


def _voided_notes(store, month="2024-05"):
    return [w for q in load_month(month, store=store).quality for w in q.warnings if "可能已在平台上作废" in w]


def _run(capsys, *args):
    capsys.readouterr()
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_drop_missing_takes_the_voided_orders_out_of_every_month(tmp_path, capsys, exports):
    older, newer, gone = exports
    store = tmp_path / "s.duckdb"
    _import(capsys, store, older, "2025-01-05")
    said = _import(capsys, store, newer, "2025-02-05")
    assert "pyhotline drop --missing" in said
    before = _ids(store)
    code, out, err = _run(capsys, "drop", "--missing", "--store", str(store))
    assert code == 0, err
    assert f"已从数据库中去掉 2 件工单（{gone[0]}、{gone[1]}，受理于 2024-05）" in out
    assert _ids(store) == before - set(gone)
    assert not _voided_notes(store)  # no longer a gap
    said = [w for q in load_month("2024-05", store=store).quality for w in q.warnings]
    assert f"已去掉平台上作废或删除的工单 2 件（{gone[0]}、{gone[1]}，用 pyhotline drop 去掉）：5 月不统计它们" in said
    code, out, err = _run(capsys, "check", "--store", str(store))
    assert "作废" not in err
    assert f"已去掉的工单（pyhotline drop，平台上已作废或删除）：2 件（{gone[0]}、{gone[1]}）" in out
    # again: nothing left to drop
    code, out, err = _run(capsys, "drop", "--missing", "--store", str(store))
    assert code == 0 and "没有要去掉的工单" in out


def test_an_older_export_does_not_bring_a_dropped_order_back(tmp_path, capsys, exports):
    older, newer, gone = exports
    store = tmp_path / "s.duckdb"
    _import(capsys, store, older, "2025-01-05")
    _import(capsys, store, newer, "2025-02-05")
    assert _run(capsys, "drop", "--missing", "--store", str(store))[0] == 0
    again = _export(tmp_path / "工单2024-05.csv", ("2024-05",))  # another, older export that lists them
    code, out, err = _run(capsys, "import", "--store", str(store), "--orders", str(again), "--as-of", "2025-01-20")
    assert code == 0, err
    assert "另有 2 件已用 pyhotline drop 去掉的工单，未导入" in out
    assert not set(gone) & _ids(store)
    assert not _voided_notes(store)


def test_a_newer_export_listing_a_dropped_order_brings_it_back(tmp_path, capsys, exports):
    older, newer, gone = exports
    store = tmp_path / "s.duckdb"
    _import(capsys, store, older, "2025-01-05")
    _import(capsys, store, newer, "2025-02-05")
    assert _run(capsys, "drop", "--missing", "--store", str(store))[0] == 0
    later = _export(tmp_path / "工单2024-05-更新.csv", ("2024-05",))
    code, out, err = _run(capsys, "import", "--store", str(store), "--orders", str(later), "--as-of", "2025-03-05")
    assert code == 0, err
    assert set(gone) <= _ids(store)
    code, out, err = _run(capsys, "drop", "--restore", gone[0], "--store", str(store))
    assert code == 2 and "不在已去掉的工单中" in err  # it is an order again, not a dropped one


def test_restore_puts_the_order_back_as_it_was(tmp_path, capsys, exports):
    older, newer, gone = exports
    store = tmp_path / "s.duckdb"
    _import(capsys, store, older, "2025-01-05")
    _import(capsys, store, newer, "2025-02-05")
    whole = load_month("2024-05", store=store).orders.sort_values("order_id").reset_index(drop=True)
    assert _run(capsys, "drop", gone[0], "--store", str(store))[0] == 0
    assert gone[0] not in _ids(store) and gone[1] in _ids(store)
    code, out, err = _run(capsys, "drop", "--restore", gone[0], "--store", str(store))
    assert code == 0 and f"已恢复 1 件工单（{gone[0]}" in out
    back = load_month("2024-05", store=store).orders.sort_values("order_id").reset_index(drop=True)
    assert back.equals(whole)
    assert _voided_notes(store)  # still missing from the newer export


def test_a_wrong_order_number_changes_nothing(tmp_path, capsys, exports):
    older, newer, gone = exports
    store = tmp_path / "s.duckdb"
    _import(capsys, store, older, "2025-01-05")
    kept = tmp_path / "copy.duckdb"
    shutil.copy(store, kept)
    code, out, err = _run(capsys, "drop", gone[0], "2024059999999", "--store", str(store))
    assert code == 2 and "没有工单 2024059999999：请核对工单编号" in err
    assert _ids(store) == _ids(kept)
    code, out, err = _run(capsys, "drop", "--store", str(store))
    assert code == 2 and "请给出工单编号" in err
    assert _run(capsys, "drop", gone[0], "--store", str(store))[0] == 0
    code, out, err = _run(capsys, "drop", f"{gone[0]},{gone[1]}", "2024059999999", "--store", str(store))
    assert code == 2  # both causes in one message: the unknown number and the one dropped before
    assert "没有工单 2024059999999：请核对工单编号；" in err and f"工单 {gone[0]} 已经去掉过" in err
    assert gone[1] in _ids(store)
    code, out, err = _run(capsys, "drop", f"{gone[1]}、", "--store", str(store))
    assert code == 0 and gone[1] not in _ids(store)
    code, out, err = _run(capsys, "drop", "--missing", "--restore", "--store", str(store))
    assert code == 2
