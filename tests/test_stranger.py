"""What a stranger's review found (another county's scheme, odd arguments): each refused up front,
in one Chinese line, before any notebook runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pyhotline import cli
from pyhotline.scheme import load_scheme, validate_scheme

ROOT = Path(__file__).resolve().parents[1]
SCHEME = ROOT / "pyhotline" / "schemes" / "pingjiang.toml"


def run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "PYHOTLINE_STORE": str(tmp_path / "none.duckdb")}
    return subprocess.run([sys.executable, "-m", "pyhotline.cli", *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)


def test_a_scheme_copied_without_its_requirements_file_stops_the_bulletin_before_any_notebook(tmp_path):
    copy = tmp_path / "我县规则.toml"
    shutil.copy(SCHEME, copy)
    result = run("bulletin", "--month", "2024-05", "--scheme", str(copy), "--out-dir", str(tmp_path / "out"),
                 tmp_path=tmp_path)
    assert result.returncode == 2
    assert "工作要求" in result.stderr and "笔记本" not in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "2024-05").exists()


def test_an_appendix_title_with_an_unknown_placeholder_is_named_by_check(tmp_path):
    copy = tmp_path / "s.toml"
    text = SCHEME.read_text(encoding="utf-8").replace(
        'title = "{year}年{month}月份12345政务服务热线综合评价表"', 'title = "{year}/{month}{foo}"')
    copy.write_text(text, encoding="utf-8")
    shutil.copy(SCHEME.with_name("pingjiang-requirements.md"), tmp_path)
    problems = validate_scheme(load_scheme(copy))
    assert len(problems) == 1 and "{year}" in str(problems[0]) and "[appendix] title" in str(problems[0])
    result = run("evaluate", "--month", "2024-05", "--scheme", str(copy), "--out", str(tmp_path / "t.xlsx"),
                 tmp_path=tmp_path)
    assert result.returncode == 2 and "内部错误" not in result.stderr and "[appendix] title" in result.stderr
    assert not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize("args", [
    ["evaluate", "--month", "9999-12", "--out", "o.csv"],
    ["bulletin", "--month", "9999-12"],
    ["bulletin", "--year", "9999"],
    ["bulletin", "--quarter", "1066Q4"],
])
def test_years_no_export_can_hold_are_refused_in_words(args, tmp_path):
    result = run(*args, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "年份超出范围" in result.stderr and "内部错误" not in result.stderr and "Traceback" not in result.stderr


def test_warnings_reach_the_analyst_as_one_line(capsys):
    import warnings

    shown, filters = warnings.showwarning, list(warnings.filters)
    try:
        cli._plain_warnings()
        warnings.warn("字体 X 不使用", UserWarning)
    finally:
        warnings.showwarning, warnings.filters[:] = shown, filters
    err = capsys.readouterr().err
    assert err.strip() == "注意：字体 X 不使用"


# ------------------------------------------------------------------------------------------------
# Exports as another county's platform writes them (this test's own generator, not the project's):
# each variant must read as the plain export of the same records reads, or say once what is wrong.
import csv  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402

SAMPLE = ROOT / "data" / "sample"
UNITS = SAMPLE / "units.csv"


def _records() -> tuple[list[str], list[list[str]]]:
    with open(SAMPLE / "orders.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], [r for r in rows[1:] if r[1][:7] in ("2024-04", "2024-05")]


def _csv(path: Path, rows: list[list], *, encoding="utf-8", delimiter=",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def _xlsx(path: Path, rows: list[list], *, merges=(), hidden=()) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(**merge)
    for number in hidden:
        sheet.row_dimensions[number].hidden = True
    book.save(path)
    return path


def _serial(text: str) -> float:
    return (dt.datetime.fromisoformat(text) - dt.datetime(1899, 12, 30)).total_seconds() / 86400


def _variant(kind: str, tmp_path: Path) -> Path:
    header, body = _records()
    at = {h: i for i, h in enumerate(header)}
    if kind == "group_row_above":  # a title, then group titles over the columns, then the names
        groups = ["基本信息", None, None, "办理情况"] + [None] * (len(header) - 4)
        return _xlsx(tmp_path / "工单.xlsx", [["12345热线工单明细"] + [None] * (len(header) - 1), groups, header, *body],
                     merges=[dict(start_row=1, start_column=1, end_row=1, end_column=len(header)),
                             dict(start_row=2, start_column=4, end_row=2, end_column=len(header))])
    if kind == "header_over_two_rows":  # 办理情况 merged over its three columns, the others merged down
        split = ("承办单位", "办理时限", "办结时间")
        top = ["办理情况" if h == split[0] else None if h in split else h for h in header]
        sub = [h if h in split else None for h in header]
        merges = [dict(start_row=1, start_column=i + 1, end_row=2, end_column=i + 1)
                  for i, h in enumerate(header) if h not in split]
        merges.append(dict(start_row=1, start_column=at[split[0]] + 1, end_row=1, end_column=at[split[2]] + 1))
        return _xlsx(tmp_path / "工单.xlsx", [top, sub, *body], merges=merges)
    if kind == "invisible_and_full_width":
        names = [h.replace("编号", "编\u3000号").replace("时间", "时间\u200b") for h in header]
        rows = [[f"\u3000{v}\u200b" if i in (at["事件分类"], at["承办单位"], at["办理方式"]) and v else v
                 for i, v in enumerate(r)] for r in body]
        return _csv(tmp_path / "工单.csv", [names, *rows])
    if kind == "excel_serial_numbers":  # 受理时间 as numbers (a number format lost), counts as numbers
        rows = [[_serial(r[1]) if i == 1 else int(v or 0) if i == at["延期次数"] else v for i, v in enumerate(r)]
                for r in body]
        return _xlsx(tmp_path / "工单.xlsx", [header, *rows])
    if kind == "serial_numbers_as_text":
        return _csv(tmp_path / "工单.csv", [header, *[[r[0], f"{_serial(r[1]):.10f}", *r[2:]] for r in body]])
    if kind == "flags_y_n_1_0":
        flag = at["市热线办退回"]
        rows = []
        for k, r in enumerate(body):
            r = list(r)
            r[flag] = {"是": ("Y", "1", "是", "y")[k % 4], "否": ("N", "0", "否", "")[k % 4]}[r[flag] or "否"]
            rows.append(r)
        return _csv(tmp_path / "工单.csv", [header, *rows])
    if kind == "gb18030_without_bom":
        return _csv(tmp_path / "工单.csv", [header, *body], encoding="gb18030")
    if kind == "trailing_empty_columns":
        return _csv(tmp_path / "工单.csv", [header + ["", "备注", "备注", ""], *[r + ["", "", "x", ""] for r in body]])
    if kind == "trailing_empty_columns_xlsx":
        return _xlsx(tmp_path / "工单.xlsx", [header + [None, "备注", "备注"], *[r + [None, None, "x"] for r in body]])
    if kind == "totals_row_in_the_middle":
        total = ["合计", "", "", "", "", "", "", "4115", "", "", "", "", "", "", ""]
        return _csv(tmp_path / "工单.csv", [header, *body[:2000], total, *body[2000:]])
    if kind == "text_markers":  # '0012 and ="0012" (Excel-safe CSV), leading zeros in 工单编号
        rows = [[(f'="00{v}"' if k % 2 else f"'00{v}") if i == 0 else (f"'{v}" if i == at["延期次数"] and v else v)
                 for i, v in enumerate(r)] for k, r in enumerate(body)]
        return _csv(tmp_path / "工单.csv", [header, *rows])
    if kind == "long_personal_cells":
        rows = [[("很长的诉求" * 6000) if i == at["诉求内容"] and k % 50 == 0 else v for i, v in enumerate(r)]
                for k, r in enumerate(body)]
        return _csv(tmp_path / "工单.csv", [header, *rows])
    if kind == "full_width_digits":  # ２０２４-０５-０３ ０８:０５:００ and １ (an input method left in full width)
        wide = str.maketrans("0123456789", "０１２３４５６７８９")
        columns = {at[h] for h in ("受理时间", "办理时限", "办结时间", "延期次数", "回退次数", "返工次数")}
        return _csv(tmp_path / "工单.csv", [header, *[[v.translate(wide) if i in columns else v for i, v in enumerate(r)]
                                                     for r in body]])
    if kind == "signature_rows_below":  # 合计, then who made and checked the table, then a note
        width = len(header)
        return _xlsx(tmp_path / "工单.xlsx", [
            ["12345热线工单明细表"] + [None] * (width - 1), header, *body,
            ["合计", None, None, None, None, None, None, 99] + [None] * (width - 8),
            ["制表人：张三", None, None, None, "审核人：李四"] + [None] * (width - 5),
            ["注：本表数据截至2024年6月1日"] + [None] * (width - 1),
        ], merges=[dict(start_row=1, start_column=1, end_row=1, end_column=width)])
    if kind in ("cells_merged_down_by_unit", "web_table_with_rowspans"):  # grouped by unit: one name per group
        unit = at["承办单位"]
        body = sorted(body, key=lambda r: (r[unit], r[0]))
        groups, start = [], 0
        for k in range(1, len(body) + 1):
            if k == len(body) or body[k][unit] != body[start][unit]:
                if body[start][unit] and k - start > 1:
                    groups.append((start, k - 1))
                start = k
        if kind == "cells_merged_down_by_unit":
            rows = [list(r) for r in body]
            for first, last in groups:
                for r in rows[first + 1 : last + 1]:
                    r[unit] = None
            return _xlsx(tmp_path / "工单.xlsx", [header, *rows], merges=[
                dict(start_row=first + 2, start_column=unit + 1, end_row=last + 2, end_column=unit + 1)
                for first, last in groups])
        import html

        spans = {first: last - first + 1 for first, last in groups}
        inside = {k for first, last in groups for k in range(first + 1, last + 1)}
        split = ("承办单位", "办理时限", "办结时间")  # and the header over two rows, as the page draws it
        page = ['<html><head><meta charset="gb2312"></head><body><table>', "<tr>" + "".join(
            '<th colspan="3">办理情况</th>' if h == split[0] else "" if h in split else f'<th rowspan="2">{h}</th>'
            for h in header) + "</tr>", "<tr>" + "".join(f"<th>{h}</th>" for h in split) + "</tr>"]
        for k, r in enumerate(body):
            cells = [("" if k in inside else f'<td rowspan="{spans.get(k, 1)}">{html.escape(v)}</td>') if i == unit
                     else f"<td>{html.escape(v)}</td>" for i, v in enumerate(r)]
            page.append("<tr>" + "".join(cells) + "</tr>")
        path = tmp_path / "工单.xls"
        path.write_bytes("\n".join(page + ["</table></body></html>"]).encode("gb18030"))
        return path
    if kind == "pages_pasted_with_their_headers":  # each page of 1000 orders under its own header row
        rows = [header]
        for k, r in enumerate(body):
            rows += [header, r] if k and k % 1000 == 0 else [r]
        return _csv(tmp_path / "工单.csv", rows)
    if kind == "csv_named_xls":  # a platform's 导出Excel that writes GBK comma-separated text as .xls
        return _csv(tmp_path / "工单.xls", [header, *body], encoding="gb18030")
    if kind == "runs_of_spaces_in_times":  # " 2024-04-01  08:00:00 " (two spaces, or a full-width one)
        rows = [[(" " + v.replace(" ", "  " if k % 2 else "\u3000") + " ") if i in (1, at["办结时间"]) and v else v
                 for i, v in enumerate(r)] for k, r in enumerate(body)]
        return _csv(tmp_path / "工单.csv", [header, *rows])
    if kind == "dashes_and_nulls_for_no_time":  # 办结时间 "null" while open, 办理时限 "--" for 直接办结
        closed, deadline = at["办结时间"], at["办理时限"]
        rows = [[("null" if i == closed else "--" if i == deadline else v) if not v and i in (closed, deadline) else v
                 for i, v in enumerate(r)] for r in body]
        return _csv(tmp_path / "工单.csv", [header, *rows])
    raise AssertionError(kind)


VARIANTS = ["group_row_above", "header_over_two_rows", "invisible_and_full_width", "excel_serial_numbers",
            "serial_numbers_as_text", "flags_y_n_1_0", "gb18030_without_bom", "trailing_empty_columns",
            "trailing_empty_columns_xlsx", "totals_row_in_the_middle", "text_markers", "long_personal_cells",
            "full_width_digits", "signature_rows_below", "cells_merged_down_by_unit", "web_table_with_rowspans",
            "pages_pasted_with_their_headers", "csv_named_xls", "runs_of_spaces_in_times",
            "dashes_and_nulls_for_no_time"]


def _table(orders: Path, tmp_path: Path, capsys, name: str) -> tuple[list[dict], str]:
    out = tmp_path / f"{name}.json"
    status = cli.main(["evaluate", "--month", "2024-05", "--orders", str(orders), "--units", str(UNITS),
                       "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return json.loads(out.read_text(encoding="utf-8")), captured.err


@pytest.fixture(scope="module")
def plain_table(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plain")
    header, body = _records()
    out = tmp / "plain.json"
    assert cli.main(["evaluate", "--month", "2024-05", "--orders", str(_csv(tmp / "工单.csv", [header, *body])),
                     "--units", str(UNITS), "--out", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", VARIANTS)
def test_another_platforms_export_reads_as_the_plain_one(kind, plain_table, tmp_path, capsys):
    path = _variant(kind, tmp_path)
    status = cli.main(["check", "--orders", str(path), "--units", str(UNITS)])
    err = capsys.readouterr().err
    assert status == 0 and "错误" not in err and "内部错误" not in err, err
    table, _ = _table(path, tmp_path, capsys, kind)
    assert table == plain_table


def test_order_numbers_keep_their_leading_zeros_as_text(tmp_path):
    from pyhotline.io import load_orders

    orders = load_orders(_variant("text_markers", tmp_path), None)
    assert orders["order_id"].str.fullmatch(r"00\d+").all()
    header, body = _records()
    assert list(orders["order_id"][:2]) == [f"00{body[0][0]}", f"00{body[1][0]}"]
    assert (orders["extensions"] >= 0).all()


def test_hidden_rows_are_read_and_said(tmp_path):
    from pyhotline.io import load_orders

    header, body = _records()
    path = _xlsx(tmp_path / "工单.xlsx", [header, *body], hidden=(5, 9, 10))
    quality: list = []
    orders = load_orders(path, None, quality=quality)
    assert len(orders) == len(body)
    assert quality[0].warnings == ["文件 工单.xlsx，第 5 行：有 3 行在 Excel 中被隐藏，仍照常读入统计；"
                                   "应为不应统计的行请从导出文件中删除（隐藏不会把它们排除在外）"]


def test_rows_below_the_table_are_set_aside_and_counted(tmp_path):
    from pyhotline.io import load_orders

    quality: list = []
    orders = load_orders(_variant("signature_rows_below", tmp_path), None, quality=quality)
    assert len(orders) == len(_records()[1])
    assert quality[0].summary().endswith("剔除 合计行 1 行（第 4118 行）、表格下方的说明行 2 行（第 4119、4120 行），使用 4115 行") and not quality[0].warnings


def test_the_header_repeated_further_down_is_set_aside_once_counted(tmp_path):
    from pyhotline.io import load_orders

    quality: list = []
    orders = load_orders(_variant("pages_pasted_with_their_headers", tmp_path), None, quality=quality)
    assert len(orders) == len(_records()[1]) and not quality[0].warnings
    assert quality[0].summary().endswith("读入 4119 行，剔除 重复的表头行 4 行（第 1002、2003、3004 行等），使用 4115 行")


@pytest.mark.parametrize("kind", ["cells_merged_down_by_unit", "web_table_with_rowspans"])
def test_a_unit_merged_over_its_orders_fills_every_row_and_is_said_once(kind, tmp_path):
    from pyhotline.io import load_orders

    header, body = _records()
    quality: list = []
    orders = load_orders(_variant(kind, tmp_path), None, quality=quality)
    assert (orders.loc[orders["mode"] == "派单", "unit"] != "").all()
    by_order = dict(zip(orders["order_id"], orders["unit"]))
    assert all(by_order[r[0]] == r[header.index("承办单位")] for r in body if r[header.index("办理方式")] == "派单")
    (note,) = quality[0].warnings
    assert "“承办单位”列" in note and "处上下合并的单元格" in note and "已填入它覆盖的每一行" in note


def _errors(capsys, *files: str) -> tuple[int, list[str], str]:
    args = ["check", "--orders", files[0], "--units", str(UNITS)]
    status = cli.main(args)
    err = capsys.readouterr().err
    return status, [line for line in err.splitlines() if line.startswith("错误")], err


def test_an_export_with_only_a_short_totals_row_under_its_header_is_one_message(tmp_path, capsys):
    header, _ = _records()
    path = _csv(tmp_path / "工单.csv", [["12345热线工单明细"], header, ["合计", "", "", "", "", "", "", "0"]])
    status, lines, _ = _errors(capsys, str(path))
    assert status == 2 and lines == ["错误：文件 工单.csv，第 2 行：表头下面没有任何记录"]


def test_an_unreadable_close_time_is_one_message_not_also_a_visit_warning(tmp_path, capsys):
    header, body = _records()
    at = {h: i for i, h in enumerate(header)}
    rows = [list(r) for r in body]
    k = next(k for k, r in enumerate(rows) if r[at["回访结果"]] == "满意" and r[at["办结时间"]])
    rows[k][at["办结时间"]] = "2024-05-32 10:00:00"
    status, lines, err = _errors(capsys, str(_csv(tmp_path / "工单.csv", [header, *rows])))
    assert status == 2 and len(lines) == 1 and "日期时间无法识别（值为“2024-05-32 10:00:00”）" in lines[0]
    assert f"第 {k + 2} 行，“办结时间”列" in lines[0] and "尚未办结" not in err


@pytest.mark.parametrize("swap", ["letters_as_orders", "orders_as_units", "units_as_orders"])
def test_a_file_given_in_the_wrong_place_is_named_for_what_it_is(swap, tmp_path, capsys):
    header, body = _records()
    orders = _csv(tmp_path / "工单.csv", [header, *body[:50]])
    letters = SAMPLE / "letters.csv"
    args = {"letters_as_orders": ["--orders", str(letters), "--units", str(UNITS)],
            "orders_as_units": ["--orders", str(orders), "--units", str(orders)],
            "units_as_orders": ["--orders", str(UNITS), "--units", str(UNITS)]}[swap]
    status = cli.main(["check", *args])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("错误")]
    said = {"letters_as_orders": "这似乎是信件明细，不是工单明细", "orders_as_units": "这似乎是工单明细，不是承办单位名录",
            "units_as_orders": "这似乎是承办单位名录，不是工单明细"}[swap]
    option = {"letters_as_orders": "--letters", "orders_as_units": "--orders", "units_as_orders": "--units"}[swap]
    assert status == 2 and len(lines) == 1 and said in lines[0] and f"用 {option} 指定" in lines[0], lines


def test_full_width_order_numbers_are_the_same_orders_in_the_store(tmp_path, capsys):
    """ＰＪ２０２４… typed with a full-width input method is PJ2024…: the next export merges, never doubles."""
    header, body = _records()
    wide = str.maketrans("0123456789PJ", "０１２３４５６７８９ＰＪ")
    plain = _csv(tmp_path / "工单5月.csv", [header, *[[f"PJ{r[0]}", *r[1:]] for r in body]])
    widened = _csv(tmp_path / "工单5月再导出.csv", [header, *[[f" PJ{r[0]}".translate(wide) + "\u3000", *r[1:]] for r in body]])
    store = str(tmp_path / "县.duckdb")
    assert cli.main(["import", "--store", store, "--orders", str(plain), "--units", str(UNITS)]) == 0
    capsys.readouterr()
    assert cli.main(["import", "--store", store, "--orders", str(widened)]) == 0
    out = capsys.readouterr()
    assert f"{len(body)} 行，新增 0、更新 0、未变 {len(body)}" in out.out + out.err


def test_a_dash_for_no_time_is_read_as_empty_and_said_once_per_column(tmp_path):
    from pyhotline.io import load_orders

    header, body = _records()
    quality: list = []
    orders = load_orders(_variant("dashes_and_nulls_for_no_time", tmp_path), None, quality=quality)
    open_orders = sum(1 for r in body if not r[header.index("办结时间")])
    assert int(orders["closed_at"].isna().sum()) == open_orders
    deadline, closed = quality[0].warnings
    assert "“办理时限”列：有" in deadline and "写的是“--”这类表示没有的符号，按空白读入" in deadline
    assert "“办结时间”列：有" in closed and "“null”" in closed and closed.endswith("按空白读入（未办结）")


def test_a_documented_column_named_twice_is_one_message_naming_both(tmp_path, capsys):
    header, body = _records()
    path = _csv(tmp_path / "工单.csv", [header + ["承办单位"], *[r + ["x"] for r in body]])
    status = cli.main(["check", "--orders", str(path), "--units", str(UNITS)])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("错误")]
    assert status == 2 and lines == ["错误：文件 工单.csv，第 1 行，“承办单位”列：表头中有两列都叫“承办单位”"
                                     "（第 E 列和第 P 列）；应为只保留其中一列，或把另一列改名"]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_csv_with_another_separator_is_one_clear_message(delimiter, tmp_path, capsys):
    header, body = _records()
    path = _csv(tmp_path / "工单.csv", [header, *body[:50]], delimiter=delimiter)
    status = cli.main(["check", "--orders", str(path), "--units", str(UNITS)])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("错误")]
    assert status == 2 and len(lines) == 1 and "分隔符似乎不是逗号" in lines[0] and "工单.csv" in lines[0]


def test_hostile_names_stay_text_in_every_output(tmp_path, capsys):
    """Formulas and HTML markup in a unit's name and in categories: shown as written, never run."""
    import zipfile

    with open(UNITS, encoding="utf-8-sig", newline="") as fh:
        units = list(csv.reader(fh))
    evil = '=HYPERLINK("http://evil.example/","公安局")<b>县</b>'
    for row in units:
        if row[0] == "平江县公安局":
            row[0], row[2] = evil, "公安局；平江县公安局"
    registry = _csv(tmp_path / "单位.csv", units)
    header, body = _records()
    category = header.index("事件分类")
    markup = "<script>alert(1)</script><img src=x onerror=alert(2)>环保"
    swap = {"市场管理类": "=cmd|' /C calc'!A0", "环境保护类": markup, "住房与城乡建设类": "@SUM(A1:A9)+1"}
    rows = [[swap.get(v, v) if i == category else v for i, v in enumerate(r)] for r in body]
    orders = _csv(tmp_path / "工单.csv", [header, *rows])
    out = tmp_path / "通报"
    status = cli.main(["bulletin", "--month", "2024-05", "--orders", str(orders), "--units", str(registry),
                       "--out-dir", str(out)])
    assert status == 0, capsys.readouterr().err
    month = out / "2024-05"
    page = (month / "bulletin.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>县" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "=cmd|" in page  # shown, escaped
    for name in ("bulletin.docx", "evaluation.xlsx"):
        with zipfile.ZipFile(month / name) as archive:
            for part in archive.namelist():
                xml = archive.read(part).decode("utf-8", "replace")
                assert "<script" not in xml and "<b>县" not in xml
                assert "<f>" not in xml and "<f " not in xml, (name, part)  # no formula anywhere
    assert cli.main(["evaluate", "--month", "2024-05", "--orders", str(orders), "--units", str(registry),
                     "--out", str(tmp_path / "表.csv")]) == 0
    written = (tmp_path / "表.csv").read_text(encoding="utf-8")
    assert "\"'=HYPERLINK(" in written and ",=HYPERLINK" not in written
