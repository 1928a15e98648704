"""Golden tests: the bundled sample reproduces every figure of the reference bulletin.

The reference facts (平江县 2024 年 5 月 通报) are copied into data/reference/;
the library never reads them, only these tests and the sample generator do.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import pyhotline as ph
from pyhotline.numbers import pct

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"
FIGURES = json.loads((REFERENCE / "pingjiang-2024-05-figures.json").read_text(encoding="utf-8"))
HOTLINE, MAILBOX = FIGURES["hotline"], FIGURES["mailbox"]


@pytest.fixture(scope="module")
def data() -> ph.Dataset:
    return ph.load_dataset()


@pytest.fixture(scope="module")
def report(data) -> ph.MonthlyReport:
    return ph.monthly_report("2024-05", data, "pingjiang")


@pytest.fixture(scope="module")
def names(data):
    """Resolve any name the reference uses (registry name or alias) to the registry name."""
    lookup = data.registry.lookup
    return lambda name: lookup.get(name, name)


def test_appendix_equals_reference_cell_by_cell(report):
    expected = pd.read_csv(REFERENCE / "pingjiang-2024-05-appendix.csv", dtype=str, keep_default_na=False)
    got = report.appendix()
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected) == 49
    for i in range(len(expected)):
        assert got.iloc[i].tolist() == expected.iloc[i].tolist(), f"row {i + 1}"


def test_evaluate_command_writes_the_reference_bytes(tmp_path):
    out = tmp_path / "t.csv"
    done = subprocess.run(
        [sys.executable, "-m", "pyhotline.cli", "evaluate", "--month", "2024-05", "--out", str(out)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (REFERENCE / "pingjiang-2024-05-appendix.csv").read_bytes()


def test_evaluate_command_writes_xlsx(tmp_path):
    out = tmp_path / "评价表.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "pyhotline.cli", "evaluate", "--month", "2024-05", "--out", str(out)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    from openpyxl import load_workbook

    from pyhotline.export import shown

    rows = [[shown(c) for c in row] for row in load_workbook(out).active.iter_rows(min_row=2)]
    expected = pd.read_csv(REFERENCE / "pingjiang-2024-05-appendix.csv", dtype=str)
    assert rows[0] == expected.columns.tolist()
    assert rows[1:] == expected.values.tolist()  # every figure as Excel shows it (stored as numbers)
    cells = list(load_workbook(out).active.iter_rows(min_row=3, values_only=True))
    assert all(isinstance(row[2], int) for row in cells)  # 受理案件数
    assert all(isinstance(v, (int, float)) or v == "—" for row in cells for v in row[5:13:2])  # rates, 综合指标值
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_work_orders_and_categories(report):
    assert report.totals["work_orders"] == HOTLINE["work_orders_accepted"]
    assert report.totals["requests"] == HOTLINE["requests_total_implied"]
    top = report.top_categories
    assert [(c, n, pct(s)) for c, n, s in zip(top["category"], top["count"], top["share"])] == [
        (t["category"], t["count"], t["share"]) for t in HOTLINE["top_categories"]
    ]


def test_top3_lists(report, names):
    def shorts(table, group):
        return table.loc[table["group"] == group, "short"].tolist()

    assert shorts(report.volume_top, "乡镇(街道)") == HOTLINE["top3_volume_towns"]
    assert shorts(report.volume_top, "县直单位") == HOTLINE["top3_volume_departments"]
    assert shorts(report.composite_top, "乡镇(街道)") == HOTLINE["top3_composite_towns"]
    assert shorts(report.composite_top, "县直单位") == HOTLINE["top3_composite_departments"]


def test_overdue_breakdown_in_bulletin_order(report):
    assert report.overdue_total == HOTLINE["overdue_total"]
    got = list(zip(report.overdue["label"], report.overdue["overdue"]))
    assert got == list(HOTLINE["overdue_by_unit"].items())


def test_unjustified_overdue_orders(report):
    got = {label: list(ids) for label, ids in zip(report.unjustified["label"], report.unjustified["unjustified_ids"])}
    assert got == HOTLINE["unjustified_overdue_orders"]
    assert list(got) == list(HOTLINE["unjustified_overdue_orders"])  # same order as printed


def test_grades_and_deductions(report):
    assert report.graded == {
        "B": HOTLINE["grade_B_units"], "C": HOTLINE["grade_C_units"], "D": HOTLINE["grade_D_units"]
    }
    per_order = Decimal(str(HOTLINE["unjustified_overdue_deduction_per_order"]))
    points = {g: Decimal(p) for g, p in HOTLINE["grade_deduction_points"].items()}
    table = report.deductions.set_index("label")
    for label, ids in HOTLINE["unjustified_overdue_orders"].items():
        assert table.at[label, "overdue_points"] == per_order * len(ids)
    for grade in ("B", "C", "D"):
        for label in HOTLINE[f"grade_{grade}_units"]:
            assert table.at[label, "grade_points"] == points[grade]
    assert table.at["梅仙镇", "total"] == Decimal("5.0")  # C (4) + two unjustified (2 x 0.5)


def test_named_cases(report):
    got = {(r.order_id, r.label) for r in report.violations.itertuples()}
    assert got == {(c["order"], c["unit"]) for c in HOTLINE["named_cases"]}
    rules = dict(zip(report.violations["order_id"], report.violations["rule"]))
    assert rules == {"234376": "回退", "206794": "延期"}


def test_mailbox(report, names):
    box = report.mailbox.set_index("channel")
    assert int(box["letters"].sum()) == MAILBOX["letters_total"]
    assert box["letters"].to_dict() == MAILBOX["by_channel"]
    assert (box["on_time"] == box["letters"]).all() == MAILBOX["all_replied_on_time"]
    assert pct(box.at["市长信箱", "satisfaction"]) == MAILBOX["mayor_mailbox_satisfaction_rate"]
    very = report.very_satisfied
    got = {names(label): n for label, n in zip(very["label"], very["count"])}
    assert got == {names(k): v for k, v in MAILBOX["very_satisfied_letters"].items()}


def test_other_months_are_plausible_and_different(data):
    months = {m: ph.monthly_report(m, data) for m in ("2024-03", "2024-04", "2024-06")}
    for month, rep in months.items():
        assert 1000 < rep.totals["work_orders"] < 1600, month
        assert 40 <= len(rep.evaluation) <= 49, month
        assert rep.appendix()["综合指标值"].eq("—").sum() <= 2, month  # a small unit may have nothing due
    tables = [rep.appendix().values.tolist() for rep in months.values()]
    assert tables[0] != tables[1] and tables[1] != tables[2] and tables[0] != tables[2]


def test_sample_is_what_the_generator_writes(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "data" / "sample" / "generate.py"), str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    for name in ("units.csv", "orders.csv", "letters.csv"):
        assert (tmp_path / name).read_bytes() == (ROOT / "data" / "sample" / name).read_bytes(), name


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_evaluate_from_parquet_with_either_engine(tmp_path, engine):
    pytest.importorskip("duckdb")
    raw = pd.read_csv(ROOT / "data" / "sample" / "orders.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    typed = raw.assign(
        **{c: pd.to_datetime(raw[c].replace("", None)) for c in ("受理时间", "办理时限", "办结时间")},
        **{c: pd.to_numeric(raw[c].replace("", "0")).astype("int64") for c in ("延期次数", "回退次数", "返工次数")},
    )
    parquet = tmp_path / "orders.parquet"
    typed.to_parquet(parquet, index=False)
    out = tmp_path / "t.csv"
    done = subprocess.run(
        [sys.executable, "-m", "pyhotline.cli", "evaluate", "--month", "2024-05", "--orders", str(parquet),
         "--units", str(ROOT / "data" / "sample" / "units.csv"), "--engine", engine, "--out", str(out)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (REFERENCE / "pingjiang-2024-05-appendix.csv").read_bytes()
