"""Leftovers of the fourth stranger review (白河县 again): input, check and messages, on 云溪县's exports
(tests/county2) and small files."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from county2.generate import generate
from pyhotline import cli
from pyhotline.check import check_files
from pyhotline.errors import InputError
from pyhotline.io import load_orders, load_units

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def yunxi(tmp_path_factory):
    folder = tmp_path_factory.mktemp("yunxi")
    generate(folder)
    return folder


def _orders_with_last_row(yunxi: Path, tmp_path: Path, cells: dict[int, str], name: str = "orders.xlsx") -> Path:
    """云溪县's orders with the generator's 合计 row replaced by a row holding ``cells`` (column -> value)."""
    book = openpyxl.load_workbook(yunxi / "云溪县工单导出.xlsx")
    sheet = book.active
    sheet.delete_rows(sheet.max_row)
    row = sheet.max_row + 1
    for column, value in cells.items():
        sheet.cell(row=row, column=column, value=value)
    path = tmp_path / name
    book.save(path)
    return path


def _check(yunxi: Path, orders: Path):
    return check_files(orders, yunxi / "云溪县单位名录.xlsx", scheme=yunxi / "yunxi.toml")


# Finding 3: a footer after the data, or a stray cell near it, gave 不能为空 once per empty column.

@pytest.mark.parametrize("footer", ["合计：183", "共计 822 件", "总计822", "制表人：张三", "导出时间：2024-06-05 09:00",
                                    "备注 以上数据由平台导出"])
def test_a_footer_row_after_the_data_is_set_aside_and_named(yunxi, tmp_path, footer):
    result = _check(yunxi, _orders_with_last_row(yunxi, tmp_path, {1: footer}))
    assert result.ok, [str(p) for p in result.problems]
    summary = result.quality[-1].summary()
    assert summary == "工单明细 orders.xlsx：读入 823 行，剔除 表格下方的说明行 1 行（第 826 行），使用 822 行"


@pytest.mark.parametrize("column, letter, header, value", [(4, "D", "事件分类", "x"), (5, "E", "办理方式", "派单"),
                                                          (2, "B", "工单编号", "YX-9")])
def test_a_stray_cell_is_one_message_naming_the_cell(yunxi, tmp_path, column, letter, header, value):
    result = _check(yunxi, _orders_with_last_row(yunxi, tmp_path, {column: value}))
    assert [str(p) for p in result.problems] == [
        f"文件 orders.xlsx，第 826 行：这一行只有一个单元格有内容（{letter}826，“{header}”列：“{value}”），"
        "不是一条完整的记录；应为删除表格外的零散内容（或整行），或把这条记录补全"]
    with pytest.raises(InputError, match=f"{letter}826"):  # a run stops on it, with the same message
        load_orders(_orders_with_last_row(yunxi, tmp_path, {column: value}, "again.xlsx"),
                    load_units(yunxi / "云溪县单位名录.xlsx", header_aliases=_aliases(yunxi)),
                    header_aliases=_aliases(yunxi))


def test_a_stray_row_in_the_middle_names_its_two_cells(tmp_path):
    lines = (SAMPLE / "orders.csv").read_text(encoding="utf-8-sig").splitlines()[:40]
    width = lines[0].count(",")
    lines.insert(20, "," * 2 + "看这里" + "," * 8 + "备注" + "," * (width - 10))
    path = tmp_path / "middle.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = check_files(path, SAMPLE / "units.csv")
    assert [str(p) for p in result.problems] == [
        "文件 middle.csv，第 21 行：这一行只有 2 个单元格有内容（C21，“事件分类”列：“看这里”；K21，“市热线办退回”列：“备注”），"
        "不是一条完整的记录；应为删除表格外的零散内容（或整行），或把这条记录补全"]


@pytest.mark.parametrize("last", ["合计：38", "2024050399999"])
def test_csv_footer_and_stray_rows_read_the_same_on_every_path(tmp_path, last):
    """The Arrow CSV reader (a row with its 工单编号) and the import's DuckDB path give the reader's answer."""
    lines = (SAMPLE / "orders.csv").read_text(encoding="utf-8-sig").splitlines()[:39]
    path = tmp_path / "tail.csv"
    path.write_text("\n".join([*lines, last + "," * lines[0].count(",")]) + "\n", encoding="utf-8")
    store = tmp_path / "s.duckdb"
    code = cli.main(["import", "--store", str(store), "--orders", str(path), "--units", str(SAMPLE / "units.csv")])
    result = check_files(path, SAMPLE / "units.csv")
    if last.startswith("合计"):
        assert code == 0 and result.ok
        assert result.quality[-1].summary().endswith("剔除 表格下方的说明行 1 行（第 40 行），使用 38 行")
        lines, _ = __import__("pyhotline.store", fromlist=["describe_store"]).describe_store(store)
        assert "  工单明细 tail.csv：38 行，" in "\n".join(lines)  # the footer is no row of the import
    else:
        assert code == 2 and [str(p) for p in result.problems] == [
            f"文件 tail.csv，第 40 行：这一行只有一个单元格有内容（A40，“工单编号”列：“{last}”），不是一条完整的记录；"
            "应为删除表格外的零散内容（或整行），或把这条记录补全"]


def test_the_rows_named_survive_the_store(yunxi, tmp_path):
    from pyhotline.store import connect
    from pyhotline.store.month import _quality, imports_table

    path = _orders_with_last_row(yunxi, tmp_path, {1: "合计：822"})
    store = tmp_path / "s.duckdb"
    assert cli.main(["import", "--store", str(store), "--scheme", str(yunxi / "yunxi.toml"), "--orders", str(path),
                     "--units", str(yunxi / "云溪县单位名录.xlsx")]) == 0
    with connect(store) as con:
        records = _quality(imports_table(con), None)
    assert records[-1].summary().endswith("剔除 表格下方的说明行 1 行（第 826 行），使用 822 行")


def _aliases(yunxi: Path) -> dict:
    from pyhotline.scheme import load_scheme

    return load_scheme(yunxi / "yunxi.toml").header_aliases


# Third review, finding 14: formula.xlsx said 读入 2 行 for 6 rows (only the rows without errors were counted).

def test_rows_left_out_for_an_error_are_counted_as_read(yunxi, tmp_path):
    book = openpyxl.load_workbook(yunxi / "云溪县工单导出.xlsx")
    sheet = book.active
    for row in (4, 5, 6, 7):  # four records whose 延期次数 is a formula saved without its result
        sheet.cell(row=row, column=9, value="=1+0")
    path = tmp_path / "formula.xlsx"
    book.save(path)
    result = _check(yunxi, path)
    assert len(result.problems) == 1 and "单元格 I4 是公式" in str(result.problems[0])
    assert result.quality[-1].summary() == (
        "工单明细 formula.xlsx：读入 823 行，剔除 合计行 1 行（第 826 行），有错误未用 4 行（见下面的错误），使用 818 行")


def test_a_stray_row_is_read_and_refused_in_the_counts(yunxi, tmp_path):
    result = _check(yunxi, _orders_with_last_row(yunxi, tmp_path, {4: "x"}))
    assert result.quality[-1].summary() == "工单明细 orders.xlsx：读入 823 行，有错误未用 1 行（见下面的错误），使用 822 行"
