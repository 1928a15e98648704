"""云溪县, a second county made by its own generator (tests/county2/): its exports read through the
scheme's header aliases, and its tables equal figures computed in the test from the generated records."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from county2.expected import HEADERS, evaluation, printed
from county2.generate import MONTHS, generate

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: object, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "pyhotline.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if check:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("yunxi"))


@pytest.fixture(scope="module")
def store(county):
    path = county.folder / "store" / "yunxi.duckdb"
    cli("import", "--orders", county.orders_file, "--letters", county.letters_file,
               "--units", county.units_file, "--scheme", county.scheme_file, "--store", path)
    return path


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_the_generator_is_deterministic_and_has_its_quirks(county, tmp_path):
    again = generate(tmp_path)
    assert again.orders == county.orders and again.letters == county.letters
    assert again.orders_file.read_bytes() != b""
    orders = [o for o in county.orders if o.mode == "派单"]
    assert any((o.accepted.year, o.accepted.month) != (o.deadline.year, o.deadline.month) for o in orders)
    assert any(o.closed is None and o.deadline >= county.cutoff for o in orders)  # open, not yet due
    assert any(o.closed == o.deadline for o in orders)  # closed exactly at the deadline: on time
    assert county.cutoff == max(max(o.accepted, o.closed or o.accepted) for o in county.orders)
    # figures worth checking: trailing zeros, a tie, an unrated unit, grades below the top
    rows = [r for m in MONTHS for r in evaluation(county, [m])]
    composites = [r["综合指标值"] for r in rows if r["综合指标值"] is not None]
    assert any(c != 100 and f"{c:.2f}".endswith("0") for c in composites)
    assert any(r["综合指标值"] is None for r in rows)
    assert {r["等级评价"] for r in rows} >= {"优秀", "良好", "合格"}
    march = evaluation(county, [(2024, 3)])
    tied = [r for r in march if r["部门名称"] in ("白沙镇", "青石乡")]
    assert tied[0]["综合指标值"] == tied[1]["综合指标值"] and tied[0]["应办理数"] == tied[1]["应办理数"]
    assert tied[0]["部门名称"] == "白沙镇"  # registry order breaks the tie


@pytest.mark.parametrize("year, month", MONTHS)
def test_the_table_from_the_store_equals_the_independent_one(county, store, tmp_path, year, month):
    out = tmp_path / "表.csv"
    cli("evaluate", "--month", f"{year}-{month:02d}", "--store", store, "--scheme", county.scheme_file, "--out", out)
    got = read_csv(out)
    assert got[0] == list(HEADERS)
    assert got[1:] == printed(evaluation(county, [(year, month)]))


def test_the_table_from_the_files_once_equals_the_independent_one(county, tmp_path):
    out = tmp_path / "表.json"
    cli("evaluate", "--month", "2024-04", "--orders", county.orders_file, "--units", county.units_file,
        "--scheme", county.scheme_file, "--out", out)
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["county"] == "云溪县"
    expected = printed(evaluation(county, [(2024, 4)]))
    rows = [[str(v) if v is not None else "—" for v in r.values()] for r in got["appendix"]]
    assert [list(r) for r in got["appendix"]][0] == list(HEADERS)
    assert rows == expected
