"""figures.json (docs/figures.md): the sample's figures equal the reference figures on every shared key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import pyhotline as ph
from pyhotline.figures import SCHEMA, figures, write_figures

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference"


@pytest.fixture(scope="module")
def data():
    return ph.load_dataset()


@pytest.fixture(scope="module")
def ours(data):
    return json.loads(json.dumps(figures(ph.monthly_report("2024-05", data))))  # as read back from the file


def _shared(a, b, path=""):
    """Paths of the leaves both have, with the two values."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a.keys() & b.keys():
            yield from _shared(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list) and b and isinstance(b[0], dict):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            yield from _shared(x, y, f"{path}[{i}]")
    else:
        yield path, a, b


def test_sample_figures_equal_the_reference_on_every_shared_key(ours):
    reference = json.loads((REFERENCE / "pingjiang-2024-05-figures.json").read_text(encoding="utf-8"))
    shared = list(_shared(ours, reference))
    assert len(shared) > 60
    assert [(p, a, b) for p, a, b in shared if a != b] == []
    for key in ("top3_volume_towns", "top3_composite_departments", "overdue_by_unit", "unjustified_overdue_orders",
                "grade_B_units", "grade_deduction_points", "named_cases", "top_categories"):
        assert key in ours["hotline"], key


def test_unit_keyed_figures_name_the_same_units(ours, data):
    reference = json.loads((REFERENCE / "pingjiang-2024-05-figures.json").read_text(encoding="utf-8"))
    lookup = data.registry.lookup
    resolve = lambda names: {lookup.get(n, n): v for n, v in names.items()}  # noqa: E731
    assert resolve(ours["mailbox"]["very_satisfied_letters"]) == resolve(reference["mailbox"]["very_satisfied_letters"])
    assert list(ours["hotline"]["overdue_by_unit"]) == list(reference["hotline"]["overdue_by_unit"])  # printed order


def test_appendix_is_the_reference_table(ours):
    expected = pd.read_csv(REFERENCE / "pingjiang-2024-05-appendix.csv", dtype=str, keep_default_na=False)
    got = [[str(v) if v is not None else "—" for v in row.values()] for row in ours["appendix"]]
    assert got == expected.to_numpy().tolist()
    assert list(ours["appendix"][0]) == expected.columns.tolist()


def test_write_figures_into_a_folder(tmp_path, data):
    report = ph.monthly_report("2024-05", data)
    path = write_figures(report, tmp_path)
    assert path == tmp_path / "figures.json"
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["schema"] == SCHEMA and written["month"] == "2024-05"
    assert [p.name for p in tmp_path.iterdir()] == ["figures.json"]  # nothing half-written beside it


def test_evaluate_writes_the_table_as_json(tmp_path, ours):
    out = tmp_path / "表.json"
    done = subprocess.run([sys.executable, "-m", "pyhotline.cli", "evaluate", "--month", "2024-05", "--out", str(out)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    table = json.loads(out.read_text(encoding="utf-8"))
    assert table["appendix"] == ours["appendix"] and table["month"] == "2024-05"
