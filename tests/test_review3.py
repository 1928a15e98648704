"""Findings of the third stranger review (白河县), each as the analyst met it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import scheme_variant
from pyhotline import cli
from pyhotline.errors import InputError, SchemeError
from pyhotline.export import appendix_title
from pyhotline.io import load_orders, load_units
from pyhotline.scheme import load_scheme

ROOT = Path(__file__).resolve().parents[1]
UNITS = str(ROOT / "data" / "sample" / "units.csv")
TITLE = 'title = "{year}年{month}月份12345政务服务热线综合评价表"'


@pytest.mark.parametrize("template, month, quarter, year", [
    ("{year}年{month}月白河县考核表", "2026年3月白河县考核表", "2026年第一季度白河县考核表", "2026年度白河县考核表"),
    ("{year}年{month}月份考核表", "2026年3月份考核表", "2026年第一季度考核表", "2026年度考核表"),
    ("{period}考核表", "2026年3月份考核表", "2026年第一季度考核表", "2026年度考核表"),
])
def test_a_quarters_and_years_appendix_title_names_the_period(tmp_path, template, month, quarter, year):
    scheme = load_scheme(scheme_variant(tmp_path, (TITLE, f'title = "{template}"')))
    assert appendix_title(pd.Period("2026-03", freq="M"), scheme) == month
    assert appendix_title(pd.Period("2026Q1", freq="Q"), scheme) == quarter
    assert appendix_title(pd.Period("2026", freq="Y"), scheme) == year


def test_a_month_alone_in_a_quarters_title_asks_for_period(tmp_path):
    scheme = load_scheme(scheme_variant(tmp_path, (TITLE, 'title = "{month}月考核表"')))
    with pytest.raises(SchemeError, match=r"请改用 \{period\}"):
        appendix_title(pd.Period("2026Q1", freq="Q"), scheme)


def test_check_store_finds_a_bad_appendix_title(tmp_path, capsys):
    store = tmp_path / "s.duckdb"
    assert cli.main(["import", "--store", str(store), "--units", UNITS]) == 0
    bad = scheme_variant(tmp_path, (TITLE, 'title = "{year}年{mon}月考核表"'))
    capsys.readouterr()
    assert cli.main(["check", "--store", str(store), "--scheme", str(bad)]) == 2
    assert "[appendix] title “{year}年{mon}月考核表”写法不对" in capsys.readouterr().err


def test_a_huge_value_is_quoted_cut(tmp_path):
    text = str(InputError("取值无法识别", path="x.csv", row=2, column="回访结果", value="A" * 5_000_000))
    assert len(text) < 300 and "……（共 5000000 个字符）" in text


def test_a_huge_header_cell_is_no_example(tmp_path):
    path = tmp_path / "bigline.csv"
    path.write_text("A" * 200_000 + "\n1\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_orders(path, load_units(UNITS))
    assert len(str(exc.value)) < 2_000 and '如 "编号" = "工单编号"' in str(exc.value)


def test_a_corrected_as_of_imports_the_file_again(tmp_path, capsys):
    """Finding 4: re-importing an export with a corrected --as-of said 此前已导入过同一文件 and the false
    '截至…早于 5 月底' warning could never be cleared (with --strict the month could never be made)."""
    import csv

    from pyhotline.store import load_month

    with open(ROOT / "data" / "sample" / "orders.csv", encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    kept = []
    for r in rows:
        if r[1][:7] in ("2024-04", "2024-05") and r[1] < "2024-05-28":
            r[6] = r[6] if r[6] and r[6] < "2024-05-28" else ""  # open at the export's time
            kept.append(r)
    path = tmp_path / "export.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *kept])
    store = tmp_path / "s.duckdb"
    assert cli.main(["import", "--store", str(store), "--orders", str(path), "--units", UNITS]) == 0
    notes = [w for q in load_month("2024-05", store=store).quality for w in q.warnings]
    assert any("早于 5 月底" in w and "重新导入时用 --as-of 写明导出时间" in w for w in notes)
    capsys.readouterr()
    assert cli.main(["import", "--store", str(store), "--orders", str(path), "--as-of", "2024-06-05 09:00"]) == 0
    assert "截至 2024-06-05 09:00" in capsys.readouterr().out
    assert not any("早于 5 月底" in w for q in load_month("2024-05", store=store).quality for w in q.warnings)
    assert cli.main(["import", "--store", str(store), "--orders", str(path), "--as-of", "2024-06-05 09:00"]) == 0
    assert "此前已导入过同一文件" in capsys.readouterr().out


def test_an_unreadable_mode_is_one_message(tmp_path):
    """Finding 8: 办理方式 '转办' gave its error and a false 注意 that a 直接办结 order named a unit."""
    import csv

    from pyhotline.check import check_files

    with open(ROOT / "data" / "sample" / "orders.csv", encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    rows = [r for r in rows if r[3] == "派单"][:20]
    rows[2][3] = "转办"
    path = tmp_path / "orders.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    result = check_files(path, UNITS)
    said = [str(p) for p in result.problems] + [w for q in result.quality for w in q.warnings]
    assert [s for s in said if "第 4 行" in s] == [s for s in said if "转办" in s] and len(said) == 1, said


def test_a_registry_the_scheme_cannot_rank_is_refused_at_import(tmp_path, capsys):
    """Finding 10: import --units with a 单位类型 the scheme lacks said 此后按这份名录统计 and every report failed after."""
    import csv

    with open(UNITS, encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    rows[1][1] = "社区"
    bad = tmp_path / "units.csv"
    with open(bad, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    store = tmp_path / "s.duckdb"
    assert cli.main(["import", "--store", str(store), "--units", UNITS]) == 0
    before = store.read_bytes()
    capsys.readouterr()
    assert cli.main(["import", "--store", str(store), "--units", str(bad)]) == 2
    assert "（值为“社区”）" in capsys.readouterr().err and store.read_bytes() == before


def test_the_requirements_file_keeps_its_numbered_lines():
    """Finding 6: '1. …' and '2. …' on their own lines were joined into one paragraph with a space."""
    from pyhotline.bulletin import _requirement_paragraphs

    assert _requirement_paragraphs("1. 严格落实首问负责制。\n2. 按期办结，\n不得推诿。") == [
        "1. 严格落实首问负责制。", "2. 按期办结，不得推诿。"]
    assert _requirement_paragraphs("各单位要高度重视\n热线工作。\n- 按期办结") == ["各单位要高度重视热线工作。", "按期办结"]
