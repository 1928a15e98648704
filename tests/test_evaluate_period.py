"""evaluate --quarter / --year: the period's 综合评价表, the same table as that period's bulletin (third
stranger review: evaluate had no --quarter)."""

from __future__ import annotations

import csv
import json

import pytest

from pyhotline import cli
from pyhotline.period import period_report
from pyhotline.period_load import load_period


@pytest.mark.parametrize("flag, period", [("--quarter", "2024Q2"), ("--year", "2024")])
def test_evaluate_a_period_writes_its_bulletin_table(tmp_path, capsys, flag, period):
    table = period_report(period, load_period(period)).appendix()
    out = tmp_path / "表.csv"
    assert cli.main(["evaluate", flag, period, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"已写出 {period} 综合评价表" in said
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == [str(c) for c in table.columns]
    assert rows[1:] == [[str(v) for v in row] for row in table.itertuples(index=False)]
    assert cli.main(["evaluate", flag, period, "--out", str(tmp_path / "表.json")]) == 0
    data = json.loads((tmp_path / "表.json").read_text(encoding="utf-8"))
    assert data["month"] == period and len(data["appendix"]) == len(table)


def test_evaluate_takes_one_period(tmp_path, capsys):
    assert cli.main(["evaluate", "--month", "2024-05", "--quarter", "2024Q2", "--out", str(tmp_path / "x.csv")]) == 2
    assert cli.main(["evaluate", "--quarter", "2024-05", "--out", str(tmp_path / "x.csv")]) == 2
    assert "不是季度" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
