"""Edge cases of real exports: time zones, date-only deadlines, doubled headers, blank letter units."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

import pyhotline as ph
from pyhotline import metrics
from pyhotline.errors import InputError
from pyhotline.io import load_letters, load_orders, load_units, parse_datetimes

UNITS = [["单位名称", "单位类型", "简称"], ["平江县公安局", "县直单位", "公安局"], ["安定镇", "乡镇(街道)", ""]]
HEADER = ["工单编号", "受理时间", "事件分类", "办理方式", "承办单位", "办理时限", "办结时间",
          "延期次数", "回退次数", "返工次数", "市热线办退回", "回访结果"]


def write(path: Path, rows) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture
def registry(tmp_path):
    return load_units(write(tmp_path / "units.csv", UNITS))


def row(n, accepted, deadline, closed, unit="公安局"):
    return [str(n), accepted, "其他类", "派单", unit, deadline, closed, "0", "0", "0", "否", "满意"]


def test_offsets_become_local_wall_time():
    got = parse_datetimes(pd.Series(["2024-05-31T16:30:00Z", "2024-05-31 23:30:00+08:00", "2024-05-31 10:00"]),
                          column="受理时间")
    assert got.tolist() == [pd.Timestamp("2024-06-01 00:30"), pd.Timestamp("2024-05-31 23:30"),
                            pd.Timestamp("2024-05-31 10:00")]


def test_zoned_parquet_timestamps_are_counted_in_the_local_month(tmp_path, registry):
    frame = pd.DataFrame([row(1, "", "", "")], columns=HEADER).assign(
        受理时间=pd.to_datetime(["2024-05-31 20:00"]).tz_localize("UTC"),  # 04:00 on 1 June in China
        办理时限=pd.to_datetime(["2024-06-10 09:00"]).tz_localize("Asia/Shanghai"),
        办结时间=pd.to_datetime(["2024-06-05 09:00"]).tz_localize("Asia/Shanghai"),
        延期次数=0, 回退次数=0, 返工次数=0,
    )
    path = tmp_path / "orders.parquet"
    frame.to_parquet(path, index=False)
    orders = load_orders(path, registry)
    assert orders.loc[0, "accepted_at"] == pd.Timestamp("2024-06-01 04:00")
    assert metrics.totals(orders, "2024-06")["work_orders"] == 1


def test_a_date_only_deadline_means_the_end_of_that_day(tmp_path, registry):
    orders = load_orders(write(tmp_path / "o.csv", [HEADER,
        row(1, "2024-05-02 09:00", "2024-05-20", "2024-05-20 15:00"),
        row(2, "2024-05-02 09:00", "2024年5月21日", "2024-05-22 08:00"),
        row(3, "2024-05-02 09:00", "2024-05-20 00:00:00", "2024-05-20 15:00"),  # an explicit midnight stays
    ]), registry)
    assert orders["deadline"].tolist() == [pd.Timestamp("2024-05-20 23:59:59"), pd.Timestamp("2024-05-21 23:59:59"),
                                           pd.Timestamp("2024-05-20 00:00:00")]
    counts = metrics.unit_counts(orders, "2024-05", ph.load_scheme()).loc["平江县公安局"]
    assert counts[["due", "on_time"]].tolist() == [3, 1]


def test_excel_date_cells_without_time_are_date_only(tmp_path, registry):
    frame = pd.DataFrame([row(1, "", "", "2024-05-20 15:00")], columns=HEADER).assign(
        受理时间=pd.Timestamp("2024-05-02 09:00"), 办理时限=pd.Timestamp("2024-05-20"))
    path = tmp_path / "o.xlsx"
    frame.to_excel(path, index=False)
    orders = load_orders(path, registry)
    assert orders.loc[0, "deadline"] == pd.Timestamp("2024-05-20 23:59:59")


@pytest.mark.parametrize("text", ["now", "today", "1/2/2024", "2024-02-30"])
def test_words_and_month_first_dates_are_refused(text):
    with pytest.raises(InputError, match="日期时间无法识别"):
        parse_datetimes(pd.Series(["2024-05-02 09:00", text]), column="受理时间")


def test_a_documented_header_wins_over_its_variant(tmp_path, registry):
    header = [*HEADER, "受理日期"]
    orders = load_orders(write(tmp_path / "o.csv", [header, row(1, "2024-05-02 09:00", "2024-05-20", "") + ["5月2日"]]),
                         registry)
    assert orders.loc[0, "accepted_at"] == pd.Timestamp("2024-05-02 09:00")


def test_two_variants_of_one_header_are_an_error(tmp_path, registry):
    header = ["受理日期" if h == "受理时间" else h for h in HEADER] + ["登记时间"]
    path = write(tmp_path / "o.csv", [header, row(1, "2024-05-02 09:00", "2024-05-20", "") + ["2024-05-02"]])
    with pytest.raises(InputError, match="有多列都可以当作“受理时间”：受理日期、登记时间") as err:
        load_orders(path, registry)
    assert err.value.row == 1


def test_a_letter_needs_a_unit(tmp_path, registry):
    path = write(tmp_path / "l.csv", [
        ["信件编号", "来信渠道", "收信时间", "答复期限", "答复时间", "承办单位", "评价"],
        ["L1", "市长信箱", "2024-05-02 09:00", "2024-05-17", "2024-05-03", "公安局", "满意"],
        ["L2", "市长信箱", "2024-05-02 09:00", "2024-05-17", "2024-05-03", "", "非常满意"],
    ])
    with pytest.raises(InputError, match="信件缺少承办单位") as err:
        load_letters(path, registry)
    assert (err.value.row, err.value.column) == (3, "承办单位")


def test_a_parquet_date_column_as_deadline_means_the_end_of_that_day(tmp_path, registry):
    frame = pd.DataFrame([row(1, "", "", "")], columns=HEADER).assign(
        受理时间=pd.to_datetime(["2024-05-02 09:00"]), 办理时限=pd.to_datetime(["2024-05-20"]).date,
        办结时间=pd.to_datetime(["2024-05-20 15:00"]), 延期次数=0, 回退次数=0, 返工次数=0,
    )
    path = tmp_path / "orders.parquet"
    frame.to_parquet(path, index=False)
    assert load_orders(path, registry).loc[0, "deadline"] == pd.Timestamp("2024-05-20 23:59:59")
    from pyhotline.store import load_month

    # through the store, as every command reads: same answer
    data = load_month("2024-05", orders=path, units=write(tmp_path / "units.csv", UNITS))
    assert data.orders.loc[0, "deadline"] == pd.Timestamp("2024-05-20 23:59:59")


def test_open_orders_are_overdue_only_once_their_deadline_has_passed(tmp_path):
    units = write(tmp_path / "units.csv", UNITS)
    orders = write(tmp_path / "o.csv", [HEADER,
        row(1, "2024-05-02 09:00", "2024-05-10 17:00", ""),             # open, deadline passed: overdue
        row(2, "2024-05-20 09:00", "2024-05-31 17:00", ""),             # open, deadline after the cut-off
        row(3, "2024-05-21 09:00", "2024-05-25 17:00", "2024-05-21 10:00"),  # the latest time in the data
    ])
    data = ph.load_dataset(orders, units)
    assert data.as_of == pd.Timestamp("2024-05-21 10:00")
    report = ph.monthly_report("2024-05", data)
    assert report.overdue[["label", "overdue", "open"]].values.tolist() == [["公安局", 1, 1]]
    assert report.incomplete
    from pyhotline.bulletin import quality_lines

    assert any("数据截至 2024-05-21 10:00" in line and "早于" in line for line in quality_lines(report))
    assert not any("本月尚未结束" in line for line in quality_lines(report))  # the month is over; the data stop early


def test_a_csv_row_cut_short_is_an_error(tmp_path, registry):
    good = row(1, "2024-05-02 09:00", "2024-05-20", "2024-05-10 10:00")
    path = tmp_path / "o.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["平江县工单明细"])  # a title row is short on purpose: fine
        w.writerow(HEADER)
        w.writerow(good)
        w.writerow(row(2, "2024-05-02 09:00", "2024-05-20", "")[:6])  # cut off after 办理时限
    with pytest.raises(InputError, match="这一行只有 6 列，表头有 12 列") as err:
        load_orders(path, registry)
    assert err.value.row == 4


def test_letters_not_yet_due_are_pending_not_late(tmp_path):
    from pyhotline import bulletin

    units = write(tmp_path / "units.csv", UNITS)
    orders = write(tmp_path / "o.csv", [HEADER, row(1, "2024-05-02 09:00", "2024-05-20", "2024-05-10 10:00")])
    letters = write(tmp_path / "l.csv", [
        ["信件编号", "来信渠道", "收信时间", "答复期限", "答复时间", "承办单位", "评价"],
        ["L1", "市长信箱", "2024-05-02 09:00", "2024-05-17", "2024-05-03 10:00", "公安局", "满意"],
        ["L2", "市长信箱", "2024-05-03 09:00", "2024-05-10", "", "公安局", ""],           # unanswered, overdue
        ["L3", "县长信箱", "2024-05-20 09:00", "2024-06-04", "", "安定镇", ""],            # unanswered, not yet due
        ["L4", "县长信箱", "2024-05-21 08:00", "2024-06-05", "2024-05-21 09:30", "安定镇", "满意"],
    ])
    report = ph.monthly_report("2024-05", ph.load_dataset(orders, units, letters))
    box = report.mailbox.set_index("channel")
    assert box[["letters", "on_time", "pending"]].values.tolist() == [[2, 1, 0], [2, 1, 1]]
    assert "按时办结2件，超期1件，尚在办理期限内1件" in bulletin.para_letters(report)


# ---------------------------------------------------------------- the platforms' usual timestamp form
@pytest.mark.parametrize("text", ["2024-02-30 08:00:00", "2024-05-03 24:00:00", "2024-13-01 08:00:00"])
def test_impossible_times_in_the_usual_form_are_refused(text):
    """All cells in the 2024-05-03 08:05:00 form take the vectorised path; it must still refuse non-dates."""
    with pytest.raises(InputError, match="日期时间无法识别") as err:
        parse_datetimes(pd.Series(["2024-05-02 09:00:00", text]), column="受理时间")
    assert (err.value.row, err.value.value) == (3, text)


def test_a_blank_among_usual_times_is_reported_on_its_row():
    rows = pd.Series([7, 8, 9])
    with pytest.raises(InputError, match="不能为空") as err:
        parse_datetimes(pd.Series(["2024-05-02 09:00:00", "2024-05-02 10:00:00", ""]), column="受理时间", rows=rows)
    assert err.value.row == 9
    got = parse_datetimes(pd.Series(["2024-05-02 09:00:00", ""]), column="办结时间", required=False)
    assert got.isna().tolist() == [False, True]


def test_usual_form_gives_what_the_general_rules_give():
    usual = ["2024-05-02 09:00:00", "2024-05-31 23:59:59", "", "2024-06-01 00:00:00"]
    mixed = usual + ["2024/5/3 8:05"]  # one other form: the whole column takes the general rules
    fast = parse_datetimes(pd.Series(usual), column="x", required=False)
    general = parse_datetimes(pd.Series(mixed), column="x", required=False)
    pd.testing.assert_series_equal(fast, general.iloc[:4])
    assert str(fast.dtype) == "datetime64[ns]"


@pytest.mark.parametrize("text, expected", [
    ("2024-05-03  8:00:00", "2024-05-03 08:00:00"),  # a doubled space: the general rules read it as one
    ("2024-05-03 8:00:00", "2024-05-03 08:00:00"),  # single-digit fields: the general rules accept them
    ("2024-5-3 08:00:00", "2024-05-03 08:00:00"),
    ("2023-02-29 12:00:00", None),
    ("2024-05-10 08:05:61", None),
    ("2024-05-10 08:05:60", None),
    ("2024-04-31 08:00:00", None),
    ("2024-02-29 12:00:00", "2024-02-29 12:00:00"),
])
def test_only_the_exact_usual_layout_takes_the_fast_path(text, expected):
    values = pd.Series(["2024-05-02 09:00:00", text, None])
    if expected is None:
        with pytest.raises(InputError, match="日期时间无法识别") as err:
            parse_datetimes(values, column="受理时间", required=False)
        assert err.value.row == 3
    else:
        got = parse_datetimes(values, column="受理时间", required=False)
        assert got.tolist()[1:] == [pd.Timestamp(expected), pd.NaT]


# ---------------------------------------------------------------- real exports (issue 10)
ORDER_UNITS = Path(__file__).resolve().parents[1] / "data" / "sample" / "units.csv"
SAMPLE_ORDERS = Path(__file__).resolve().parents[1] / "data" / "sample" / "orders.csv"
TESTS_DATA = Path(__file__).resolve().parent / "data"


def _may(n: int = 40) -> tuple[list[str], list[list[str]]]:
    with open(SAMPLE_ORDERS, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], [r for r in rows[1:] if r[1].startswith("2024-05")][:n]


@pytest.fixture(scope="module")
def sample_registry():
    return load_units(ORDER_UNITS)


def _cli_check(*args, cwd):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8",
           "PYTHONPATH": os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)}
    return subprocess.run([sys.executable, "-m", "pyhotline.cli", "check", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_title_rows_and_the_schemes_aliases_find_the_header(tmp_path, sample_registry):
    """A platform's own headers under a title row: found through the aliases alone (no built-in name
    would make the row look like a header)."""
    header, rows = _may()
    platform = {"工单编号": "诉求编号", "受理时间": "来电时间", "事件分类": "问题类别", "办理方式": "处置方式",
                "承办单位": "主办单位", "办理时限": "要求完成时间", "办结时间": "完成时间"}
    renamed = [platform.get(h, h) for h in header]
    table = pd.DataFrame([["某县12345工单明细", *[""] * (len(header) - 1)], ["导出时间：2024-06-05", *[""] * (len(header) - 1)],
                          renamed, *rows])
    table.to_excel(tmp_path / "o.xlsx", index=False, header=False)
    aliases = {v: k for k, v in platform.items()}
    frame = load_orders(tmp_path / "o.xlsx", sample_registry, header_aliases=aliases)
    assert frame["order_id"].tolist() == [r[0] for r in rows]
    with pytest.raises(InputError) as info:
        load_orders(tmp_path / "o.xlsx", sample_registry)
    message = str(info.value)
    assert "找不到表头" in message and "[input.header_aliases]" in message
    assert "“工单编号”" in message and "“受理时间”" in message
    assert "诉求编号" in message  # the closest row is shown
    assert info.value.row == 3


def test_no_header_is_one_message_in_check(tmp_path):
    header, rows = _may()
    renamed = ["编号", "时间", "分类", "方式", "单位", "时限", "结束", *header[7:]]
    write(tmp_path / "工单.csv", [["某县工单"], renamed, *rows])
    proc = _cli_check("--orders", tmp_path / "工单.csv", "--units", ORDER_UNITS, cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("错误：")]
    assert len(errors) == 1, proc.stderr
    assert "文件 工单.csv，第 2 行" in errors[0] and "[input.header_aliases]" in errors[0]
    assert "“工单编号”" in errors[0] and "编号、时间、分类" in errors[0]


def test_biff_xls_is_read_from_the_sheet_with_the_data(tmp_path, sample_registry):
    """tests/data/orders-biff.xls: Excel 97-2003, saved by LibreOffice from a workbook whose first sheet
    ("说明") holds a note, the second ("工单明细") a title row, the header, 40 May orders of the sample
    and a 合计 row."""
    quality = []
    frame = load_orders(TESTS_DATA / "orders-biff.xls", sample_registry, quality=quality)
    header, rows = _may()
    expected = load_orders(write(tmp_path / "o.csv", [header, *rows]), sample_registry)
    pd.testing.assert_frame_equal(frame, expected)
    record = quality[0]
    assert record.set_aside == {"合计行": 1} and record.used == 40
    assert any("“说明”" in w and "“工单明细”" in w for w in record.warnings)
    with pytest.raises(InputError):  # with --strict the other sheet is an error, as every warning
        load_orders(TESTS_DATA / "orders-biff.xls", sample_registry, strict=True)


def test_workbook_without_the_columns_names_its_sheets(tmp_path, sample_registry):
    with pd.ExcelWriter(tmp_path / "o.xlsx") as writer:
        pd.DataFrame({"说明": ["无数据"]}).to_excel(writer, sheet_name="说明", index=False)
        pd.DataFrame({"单位": ["甲"], "件数": [3]}).to_excel(writer, sheet_name="统计", index=False)
    with pytest.raises(InputError) as info:
        load_orders(tmp_path / "o.xlsx", sample_registry)
    assert "“说明”" in str(info.value) and "“统计”" in str(info.value)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_html_table_saved_as_xls(tmp_path, sample_registry, encoding):
    """Web platforms' 导出Excel: an HTML page named .xls, GBK with a meta charset."""
    import html

    header, rows = _may()
    cells = lambda r, tag="td": "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in r)  # noqa: E731
    page = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={encoding}">'
        "<style>td {mso-number-format:'\\@';}</style><script>alert(1)</script></head><body>"
        f'<table border="1"><tr><td colspan="{len(header)}">平江县工单明细</td></tr>'
        f"<tr>{cells(header, 'th')}</tr>" + "".join(f"<tr>{cells(r)}</tr>" for r in rows)
        + f"<tr><td>合计</td><td colspan=\"{len(header) - 1}\">{len(rows)} 件</td></tr></table></body></html>"
    )
    (tmp_path / "o.xls").write_bytes(page.encode(encoding))
    quality = []
    frame = load_orders(tmp_path / "o.xls", sample_registry, quality=quality)
    expected = load_orders(write(tmp_path / "o.csv", [header, *rows]), sample_registry)
    pd.testing.assert_frame_equal(frame, expected)
    assert quality[0].set_aside == {"合计行": 1}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_totals_row_is_set_aside_with_a_note(tmp_path, sample_registry, fmt):
    header, rows = _may()
    totals = ["", "", "", "", "", "", "", "3", "1", "0", "", ""] + [""] * (len(header) - 12)
    totals[2] = "合  计："
    table = [header, *rows, totals]
    if fmt == "csv":
        path = write(tmp_path / "o.csv", table)
    else:
        path = tmp_path / "o.xlsx"
        pd.DataFrame(table[1:], columns=header).to_excel(path, index=False)
    quality = []
    frame = load_orders(path, sample_registry, quality=quality)
    assert len(frame) == len(rows)
    assert quality[0].set_aside == {"合计行": 1}
    assert "剔除 合计行 1 行" in quality[0].summary()


def test_totals_row_numbered_by_the_fast_reader(tmp_path, sample_registry):
    """A totals row whose word is in an unused column (序号): the plain-CSV reader leaves it to the row
    reader, which sees every cell."""
    header, rows = _may()
    table = [["序号", *header], *[[str(i), *r] for i, r in enumerate(rows, 1)], ["总计", *[""] * len(header)]]
    quality = []
    frame = load_orders(write(tmp_path / "o.csv", table), sample_registry, quality=quality)
    assert len(frame) == len(rows) and quality[0].set_aside == {"合计行": 1}


def test_dates_without_time_in_a_timed_export_are_noted(tmp_path, registry):
    quality = []
    orders = load_orders(write(tmp_path / "o.csv", [HEADER,
        row(1, "2024-05-02 09:00:00", "2024.05.20", "2024-05-20 15:00:00"),
        row(2, "2024-05-02 09:00:00", "2024-05-21 09:00:00", "2024-05-22"),
    ]), registry, quality=quality)
    assert orders["deadline"].tolist()[0] == pd.Timestamp("2024-05-20 23:59:59")
    assert orders["closed_at"].tolist()[1] == pd.Timestamp("2024-05-22 00:00:00")
    notes = " ".join(quality[0].warnings)
    assert "“办理时限”列" in notes and "第 2 行" in notes and "23:59:59" in notes
    assert "“办结时间”列" in notes and "第 3 行" in notes and "0 点" in notes


def test_a_file_of_dates_only_gets_no_note(tmp_path, registry):
    quality = []
    load_orders(write(tmp_path / "o.csv", [HEADER, row(1, "2024-05-02", "2024-05-20", "2024-05-20")]),
                registry, quality=quality)
    assert quality[0].warnings == []


@pytest.mark.parametrize("text, expected", [
    ("2024.08.03", "2024-08-03 23:59:59"),
    ("2024.8.3 8:05", "2024-08-03 08:05:00"),
    ("20240803", "2024-08-03 23:59:59"),
    ("2024年8月3日 8时5分", "2024-08-03 08:05:00"),
    ("2024年8月3日8点05分30秒", "2024-08-03 08:05:30"),
    ("45507", "2024-08-03 23:59:59"),
    ("45507.25", "2024-08-03 06:00:00"),
    ("2024/08/03T08:05", "2024-08-03 08:05:00"),
])
def test_documented_date_forms(text, expected):
    got = parse_datetimes(pd.Series([text]), column="办理时限", end_of_day=True)
    assert got.iloc[0] == pd.Timestamp(expected)
