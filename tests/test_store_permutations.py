"""Issue 11 item 11: monthly exports split from the sample as an office gets them (each a two-month
window of 受理时间/收信时间, statuses as of the 5th of the next month) imported in EVERY order give the
reference for 2024-05; letters exports in another order than the orders exports; an older export after
a newer one changes nothing; re-importing is a no-op.

Each case imports into an in-memory store and computes only May's figures; they are compared with the
golden expectation (data/reference/: the appendix cell by cell and every figure the reference bulletin
states, pingjiang-2024-05-figures.json)."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal

import pandas as pd
import pytest

import pyhotline as ph
from pyhotline.numbers import pct
from pyhotline.store import import_files, memory_store, month_coverage, month_dataset
from test_store import MAY, ROOT, SAMPLE, WINDOWS, _raw, export

REFERENCE = ROOT / "data" / "reference"
FIGURES = json.loads((REFERENCE / "pingjiang-2024-05-figures.json").read_text(encoding="utf-8"))
APPENDIX = pd.read_csv(REFERENCE / "pingjiang-2024-05-appendix.csv", dtype=str, keep_default_na=False)
ORDERS = list(itertools.permutations(range(len(WINDOWS))))  # 4 exports: 24 orders


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    raw = {"orders": _raw("orders.csv", "utf-8-sig"), "letters": _raw("letters.csv", "gb18030")}
    folder = tmp_path_factory.mktemp("exports")
    return [export(raw, folder, first, last) for first, last in WINDOWS]


def stated(report: ph.MonthlyReport, lookup) -> dict:
    """Every figure the reference bulletin states, in the reference JSON's form (as tests/test_golden.py)."""
    def shorts(table, group):
        return table.loc[table["group"] == group, "short"].tolist()

    top = report.top_categories
    deductions = report.deductions.set_index("label")
    box = report.mailbox.set_index("channel")
    very = report.very_satisfied
    unjustified = {label: list(ids) for label, ids in zip(report.unjustified["label"], report.unjustified["unjustified_ids"])}
    return {
        "work_orders_accepted": report.totals["work_orders"],
        "requests_total_implied": report.totals["requests"],
        "top_categories": [(c, n, pct(s)) for c, n, s in zip(top["category"], top["count"], top["share"])],
        "top3_volume_towns": shorts(report.volume_top, "乡镇(街道)"),
        "top3_volume_departments": shorts(report.volume_top, "县直单位"),
        "top3_composite_towns": shorts(report.composite_top, "乡镇(街道)"),
        "top3_composite_departments": shorts(report.composite_top, "县直单位"),
        "overdue_total": report.overdue_total,
        "overdue_by_unit": list(zip(report.overdue["label"], report.overdue["overdue"])),
        "unjustified_overdue_orders": list(unjustified.items()),
        "overdue_points": {label: deductions.at[label, "overdue_points"] for label in unjustified},
        "grades": report.graded,
        "grade_points": {label: deductions.at[label, "grade_points"] for g in ("B", "C", "D")
                         for label in report.graded.get(g, [])},
        "named_cases": sorted((r.order_id, r.label) for r in report.violations.itertuples()),
        "letters_total": int(box["letters"].sum()),
        "by_channel": box["letters"].to_dict(),
        "all_replied_on_time": bool((box["on_time"] == box["letters"]).all()),
        "mayor_mailbox_satisfaction_rate": pct(box.at["市长信箱", "satisfaction"]),
        "very_satisfied_letters": {lookup.get(k, k): int(n) for k, n in zip(very["label"], very["count"])},
    }


def expected(lookup) -> dict:
    hotline, mailbox = FIGURES["hotline"], FIGURES["mailbox"]
    per_order = Decimal(str(hotline["unjustified_overdue_deduction_per_order"]))
    points = {g: Decimal(p) for g, p in hotline["grade_deduction_points"].items()}
    grades = {g: hotline[f"grade_{g}_units"] for g in ("B", "C", "D")}
    return {
        "work_orders_accepted": hotline["work_orders_accepted"],
        "requests_total_implied": hotline["requests_total_implied"],
        "top_categories": [(t["category"], t["count"], t["share"]) for t in hotline["top_categories"]],
        **{key: hotline[key] for key in ("top3_volume_towns", "top3_volume_departments", "top3_composite_towns",
                                         "top3_composite_departments", "overdue_total")},
        "overdue_by_unit": list(hotline["overdue_by_unit"].items()),
        "unjustified_overdue_orders": list(hotline["unjustified_overdue_orders"].items()),
        "overdue_points": {label: per_order * len(ids) for label, ids in hotline["unjustified_overdue_orders"].items()},
        "grades": grades,
        "grade_points": {label: points[g] for g, labels in grades.items() for label in labels},
        "named_cases": sorted((c["order"], c["unit"]) for c in hotline["named_cases"]),
        **{key: mailbox[key] for key in ("letters_total", "by_channel", "all_replied_on_time",
                                         "mayor_mailbox_satisfaction_rate")},
        "very_satisfied_letters": {lookup.get(k, k): v for k, v in mailbox["very_satisfied_letters"].items()},
    }


def assert_reference(con) -> None:
    assert month_coverage(con, MAY) == []
    data = month_dataset(con, MAY)
    report = ph.monthly_report(MAY, data)
    assert report.appendix().astype(str).to_numpy().tolist() == APPENDIX.to_numpy().tolist()
    lookup = data.registry.lookup
    assert stated(report, lookup) == expected(lookup)


def test_the_golden_expectation_is_the_files_own():
    data = ph.load_dataset()
    assert stated(ph.monthly_report(MAY, data), data.registry.lookup) == expected(data.registry.lookup)


@pytest.mark.parametrize("order", ORDERS, ids=lambda o: "".join(map(str, o)))
def test_exports_in_every_order_give_the_reference(exports, order):
    with memory_store() as con:
        import_files(con, units=[SAMPLE / "units.csv"])
        for i in order:
            orders, letters, as_of = exports[i]
            import_files(con, orders=[orders], letters=[letters], as_of=as_of)
        assert_reference(con)


@pytest.mark.parametrize("order", ORDERS, ids=lambda o: "".join(map(str, o)))
def test_letters_in_another_order_than_orders_give_the_reference(exports, order):
    """Orders exports in ``order``, letters exports in the reverse order, each its own import, interleaved."""
    with memory_store() as con:
        import_files(con, units=[SAMPLE / "units.csv"])
        for i, j in zip(order, reversed(order)):
            import_files(con, orders=[exports[i][0]], as_of=exports[i][2])
            import_files(con, letters=[exports[j][1]], as_of=exports[j][2])
        assert_reference(con)


# ---------------------------------------------------------------- an older export, a re-import
def _content(con) -> dict:
    """Every order and letter as stored (without the import they came from) and the units."""
    return {
        "orders": con.sql("SELECT * EXCLUDE (import_id) FROM orders ORDER BY order_id").fetchall(),
        "letters": con.sql("SELECT * EXCLUDE (import_id) FROM letters ORDER BY letter_id").fetchall(),
        "units": con.sql("SELECT * EXCLUDE (import_id) FROM units ORDER BY position").fetchall(),
    }


def _everything(con) -> dict:
    tables = [r[0] for r in con.sql("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
    return {t: con.sql(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}


def _one_month_export(raw, folder, month: str):
    return export(raw, folder, month, month)


@pytest.mark.parametrize("newer, older", [(2, 1), (3, 1), (3, 2), (3, 0)])
def test_an_older_export_after_a_newer_one_changes_no_row_the_newer_holds(exports, newer, older):
    with memory_store() as con:
        import_files(con, units=[SAMPLE / "units.csv"])
        import_files(con, orders=[exports[newer][0]], letters=[exports[newer][1]], as_of=exports[newer][2])
        before = _content(con)
        summary = import_files(con, orders=[exports[older][0]], letters=[exports[older][1]], as_of=exports[older][2])
        after = _content(con)
        for kind in ("orders", "letters"):
            held = {row[0] for row in before[kind]}
            assert [r for r in after[kind] if r[0] in held] == before[kind], kind
        overlapping = newer - older == 1  # the two windows share a month
        for record in summary.files:
            assert record.updated == 0 and record.unchanged == 0
            assert (record.kept > 0) == overlapping and record.new + record.kept == record.rows
        assert after["units"] == before["units"]


def test_an_older_export_wholly_held_by_a_newer_one_changes_nothing(exports, tmp_path):
    """April alone exported on 5 May, after the April–May export of 5 June: every row is kept as the newer
    export has it; only the import is recorded; May's figures stay the reference."""
    raw = {"orders": _raw("orders.csv", "utf-8-sig"), "letters": _raw("letters.csv", "gb18030")}
    april = _one_month_export(raw, tmp_path, "2024-04")
    with memory_store() as con:
        import_files(con, units=[SAMPLE / "units.csv"])
        for i in (0, 1, 2, 3):
            import_files(con, orders=[exports[i][0]], letters=[exports[i][1]], as_of=exports[i][2])
        before = _everything(con)
        summary = import_files(con, orders=[april[0]], letters=[april[1]], as_of=april[2])
        for record in summary.files:
            assert (record.new, record.updated, record.unchanged) == (0, 0, 0) and record.kept == record.rows > 0
        after = _everything(con)
        assert after["imports"][:len(before["imports"])] == before["imports"]
        assert len(after["imports"]) == len(before["imports"]) + 2
        assert {t: rows for t, rows in after.items() if t != "imports"} == \
               {t: rows for t, rows in before.items() if t != "imports"}
        assert_reference(con)


def test_reimporting_the_same_files_is_a_no_op(exports, tmp_path):
    """The very same files: nothing written, not even an import record. The same rows in another file
    (re-saved in GB18030, same cut-off): every row unchanged, none new or updated, the content as before."""
    with memory_store() as con:
        import_files(con, units=[SAMPLE / "units.csv"])
        for i in (1, 2):
            import_files(con, orders=[exports[i][0]], letters=[exports[i][1]], as_of=exports[i][2])
        before = _everything(con)
        summary = import_files(con, orders=[exports[2][0]], letters=[exports[2][1]], units=[SAMPLE / "units.csv"],
                               as_of=exports[2][2])
        assert [f.already for f in summary.files] == [True, True, True]
        assert [(f.new, f.updated, f.unchanged, f.kept) for f in summary.files] == [(0, 0, 0, 0)] * 3
        assert _everything(con) == before
        content = _content(con)
        resaved = []
        for path in exports[2][:2]:
            copy = tmp_path / f"再次导出{path.name}"
            copy.write_text(path.read_text(encoding="utf-8-sig"), encoding="gb18030")
            resaved.append(copy)
        summary = import_files(con, orders=[resaved[0]], letters=[resaved[1]], as_of=exports[2][2])
        for record in summary.files:
            assert not record.already
            assert (record.new, record.updated, record.kept) == (0, 0, 0) and record.unchanged == record.rows > 0
            assert f"新增 0、更新 0、未变 {record.rows}" in record.summary()
        assert _content(con) == content
