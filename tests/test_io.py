"""Readers: formats, encodings, header variants, value checks and error locations."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import (
    LETTER_HEADER,
    ORDER_HEADER,
    PERSONAL_ORDER_HEADER,
    letter,
    order,
    write_csv,
    write_letters,
    write_orders,
    write_units,
)
from pyhotline.errors import InputError, MissingColumnError, UnknownUnitError
from pyhotline.io import load_letters, load_orders, load_units, normalize_text, parse_datetimes

NS = "datetime64[ns]"  # the readers' documented resolution
ORDER_NAMES = [
    "order_id", "accepted_at", "category", "mode", "unit", "deadline", "closed_at",
    "extensions", "send_backs", "reworks", "city_returned", "visit",
]




def base_rows() -> list[dict]:
    return [
        order("1001", "平江县公安局", "2024-05-03 08:05:00", "2024-05-10 08:05:00", "2024-05-09 17:30:00",
              send_backs=1, visit="满意"),
        order("1002", "", "2024-05-04 09:00:00", "", "2024-05-04 09:10:00", mode="直接办结", category="市场管理类"),
        order("1003", "安定镇", "2024-05-05 10:00:00", "2024-05-15 10:00:00", "", extensions=1, reworks=2,
              returned="是", visit="未回访", category="环境保护类"),
    ]


def expected_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "order_id": ["1001", "1002", "1003"],
        "accepted_at": pd.to_datetime(["2024-05-03 08:05:00", "2024-05-04 09:00:00", "2024-05-05 10:00:00"]).astype(NS),
        "category": ["城乡建设类", "市场管理类", "环境保护类"],
        "mode": ["派单", "直接办结", "派单"],
        "unit": ["平江县公安局", "", "安定镇"],
        "deadline": pd.to_datetime(["2024-05-10 08:05:00", None, "2024-05-15 10:00:00"]).astype(NS),
        "closed_at": pd.to_datetime(["2024-05-09 17:30:00", "2024-05-04 09:10:00", None]).astype(NS),
        "extensions": pd.Series([0, 0, 1], dtype="int64"),
        "send_backs": pd.Series([1, 0, 0], dtype="int64"),
        "reworks": pd.Series([0, 0, 2], dtype="int64"),
        "city_returned": [False, False, True],
        "visit": ["满意", "", "未回访"],
    })


def write_xlsx(path, header, rows, title=None):
    """An XLSX written by pandas/openpyxl with typed cells, optionally under a title row."""
    frame = pd.DataFrame(rows, columns=header)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, startrow=1 if title else 0, sheet_name="工单")
        if title:
            writer.sheets["工单"].cell(row=1, column=1, value=title)
    return path


def typed_rows() -> list[list[object]]:
    """base_rows() as Excel would hold them: numbers, datetimes and empty cells."""
    header = [*ORDER_HEADER, *PERSONAL_ORDER_HEADER]
    out = []
    for r in base_rows():
        row = []
        for h in header:
            v = r[h]
            if h in ("受理时间", "办理时限", "办结时间"):
                v = pd.Timestamp(v) if v else None
            elif h in ("工单编号",):
                v = int(v)
            elif v == "":
                v = None
            row.append(v)
        out.append(row)
    return out


def load_bad(tmp_path, registry, rows, header=None) -> InputError:
    path = write_orders(tmp_path / "orders.csv", rows, header=header)
    with pytest.raises(InputError) as info:
        load_orders(path, registry)
    return info.value


# ====================================================================== formats
class TestFormats:
    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
    def test_csv_encodings(self, tmp_path, registry, encoding):
        path = write_orders(tmp_path / "orders.csv", base_rows(), encoding=encoding)
        if encoding == "utf-8-sig":
            assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        if encoding == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                path.read_bytes().decode("utf-8")
        frame = load_orders(path, registry)
        pd.testing.assert_frame_equal(frame, expected_frame())

    def test_xlsx_with_title_row(self, tmp_path, registry):
        path = write_xlsx(
            tmp_path / "orders.xlsx", [*ORDER_HEADER, *PERSONAL_ORDER_HEADER], typed_rows(),
            title="平江县12345热线工单明细（2024年5月）",
        )
        frame = load_orders(path, registry)
        pd.testing.assert_frame_equal(frame, expected_frame())

    def test_xlsx_text_cells_and_csv_are_identical(self, tmp_path, registry):
        header = [*ORDER_HEADER, *PERSONAL_ORDER_HEADER]
        rows = [[r[h] for h in header] for r in base_rows()]
        xlsx = load_orders(write_xlsx(tmp_path / "orders.xlsx", header, rows), registry)
        csv = load_orders(write_orders(tmp_path / "orders.csv", base_rows()), registry)
        pd.testing.assert_frame_equal(xlsx, csv)

    def test_xlsx_title_row_keeps_spreadsheet_row_numbers(self, tmp_path, registry):
        rows = typed_rows()
        rows[1][ORDER_HEADER.index("办理方式")] = "转办"
        path = write_xlsx(tmp_path / "orders.xlsx", [*ORDER_HEADER, *PERSONAL_ORDER_HEADER], rows, title="标题")
        with pytest.raises(InputError) as info:
            load_orders(path, registry)
        # title row 1, header row 2, data rows 3, 4, 5
        assert info.value.row == 4
        assert info.value.column == "办理方式"

    def test_csv_title_row_padded_with_commas(self, tmp_path, registry):
        path = tmp_path / "orders.csv"
        write_orders(path, base_rows())
        n = len(ORDER_HEADER) + len(PERSONAL_ORDER_HEADER)
        path.write_text("平江县工单明细" + "," * (n - 1) + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
        pd.testing.assert_frame_equal(load_orders(path, registry), expected_frame())

    def test_csv_title_row_single_cell(self, tmp_path, registry):
        path = tmp_path / "orders.csv"
        write_orders(path, base_rows())
        path.write_text("平江县工单明细\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
        pd.testing.assert_frame_equal(load_orders(path, registry), expected_frame())

    def test_personal_columns_dropped(self, tmp_path, registry):
        frame = load_orders(write_orders(tmp_path / "orders.csv", base_rows()), registry)
        assert list(frame.columns) == ORDER_NAMES
        for personal in ("来电人", "联系电话", "诉求内容", "caller", "phone"):
            assert personal not in frame.columns
        assert "13800000000" not in frame.astype(str).to_numpy().ravel().tolist()

    def test_blank_rows_are_skipped(self, tmp_path, registry):
        path = tmp_path / "orders.csv"
        header = [*ORDER_HEADER, *PERSONAL_ORDER_HEADER]
        rows = [[r[h] for h in header] for r in base_rows()]
        write_csv(path, header, [rows[0], [""] * len(header), rows[1], rows[2]])
        pd.testing.assert_frame_equal(load_orders(path, registry), expected_frame())

    def test_row_numbers_after_an_empty_line(self, tmp_path, registry):
        path = tmp_path / "orders.csv"
        rows = base_rows()
        rows[2]["办理方式"] = "转办"
        write_orders(path, rows)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join([*lines[:3], "\n", *lines[3:]]), encoding="utf-8")  # empty line 4
        with pytest.raises(InputError) as info:
            load_orders(path, registry)
        assert info.value.row == 5  # the bad record is on line 5 of the file

    def test_unsupported_and_missing_files(self, tmp_path, registry):
        odd = tmp_path / "orders.json"
        odd.write_text("{}", encoding="utf-8")
        with pytest.raises(InputError, match="不支持的文件类型"):
            load_orders(odd, registry)
        with pytest.raises(InputError, match="文件不存在"):
            load_orders(tmp_path / "nope.csv", registry)
        empty = tmp_path / "empty.csv"
        empty.write_bytes(b"")
        with pytest.raises(InputError, match="empty.csv"):
            load_orders(empty, registry)

    def test_header_variants(self, tmp_path, registry):
        header = [*ORDER_HEADER, *PERSONAL_ORDER_HEADER]
        variant = ["工单号", " 受理时间 ", "诉求分类", "处理方式", "责任单位", "办理期限", "办结日期",
                   "延期数", "退单次数", "退回重办次数", "市热线办退回", "回访情况", *PERSONAL_ORDER_HEADER]
        rows = [[r[h] for h in header] for r in base_rows()]
        frame = load_orders(write_csv(tmp_path / "orders.csv", variant, rows), registry)
        pd.testing.assert_frame_equal(frame, expected_frame())

    def test_header_aliases_argument(self, tmp_path, registry):
        header = [*ORDER_HEADER, *PERSONAL_ORDER_HEADER]
        variant = ["编号", *header[1:]]
        rows = [[r[h] for h in header] for r in base_rows()]
        path = write_csv(tmp_path / "orders.csv", variant, rows)
        with pytest.raises(MissingColumnError):
            load_orders(path, registry)
        frame = load_orders(path, registry, header_aliases={"编号": "工单编号"})
        assert frame["order_id"].tolist() == ["1001", "1002", "1003"]


# ====================================================================== dates
class TestDates:
    def test_date_forms_in_a_file(self, tmp_path, registry):
        forms = ["2024-05-03 08:05:00", "2024/5/3 8:05", "2024年5月3日", "45415.5"]
        rows = [order(str(i), "公安局", f, "2024-05-20 00:00:00") for i, f in enumerate(forms)]
        frame = load_orders(write_orders(tmp_path / "orders.csv", rows), registry)
        assert frame["accepted_at"].tolist() == [
            pd.Timestamp("2024-05-03 08:05:00"), pd.Timestamp("2024-05-03 08:05:00"),
            pd.Timestamp("2024-05-03 00:00:00"), pd.Timestamp("2024-05-03 12:00:00"),
        ]
        assert str(frame["accepted_at"].dtype) == "datetime64[ns]"

    def test_excel_serial_in_a_numeric_xlsx_cell(self, tmp_path, registry):
        rows = typed_rows()
        rows[0][ORDER_HEADER.index("受理时间")] = 45415.5
        frame = load_orders(write_xlsx(tmp_path / "o.xlsx", [*ORDER_HEADER, *PERSONAL_ORDER_HEADER], rows), registry)
        assert frame.loc[0, "accepted_at"] == pd.Timestamp("2024-05-03 12:00:00")

    @pytest.mark.parametrize(
        "text, stamp",
        [
            ("2024-05-03 08:05:00", "2024-05-03 08:05:00"),
            ("2024-05-03T08:05:00", "2024-05-03 08:05:00"),
            ("2024/5/3 8:05", "2024-05-03 08:05:00"),
            ("2024/05/03", "2024-05-03 00:00:00"),
            ("2024年5月3日", "2024-05-03 00:00:00"),
            ("2024年5月3日 8:05", "2024-05-03 08:05:00"),
            ("2024.5.3", "2024-05-03 00:00:00"),
            ("45415.5", "2024-05-03 12:00:00"),
            ("45415", "2024-05-03 00:00:00"),
            (" 2024-05-31 23:59:59 ", "2024-05-31 23:59:59"),
        ],
    )
    def test_parse_forms(self, text, stamp):
        got = parse_datetimes(pd.Series([text]), column="受理时间")
        assert got.tolist() == [pd.Timestamp(stamp)]

    def test_parse_datetimes_bad_value(self):
        with pytest.raises(InputError) as info:
            parse_datetimes(pd.Series(["2024-05-03 08:00:00", "2024-05-32 08:00"]), column="受理时间")
        assert (info.value.row, info.value.column, info.value.value) == (3, "受理时间", "2024-05-32 08:00")

    def test_mixed_and_blank(self):
        got = parse_datetimes(pd.Series(["", "2024/5/3 8:05", "2024-05-04 00:00:00"]), column="x", required=False)
        assert got.isna().tolist() == [True, False, False]
        assert got.iloc[1] == pd.Timestamp("2024-05-03 08:05:00")
        with pytest.raises(InputError) as info:
            parse_datetimes(pd.Series(["2024-05-04", ""]), column="答复期限")
        assert info.value.row == 3 and info.value.column == "答复期限"
        assert "不能为空" in str(info.value)

    def test_bad_date_names_row_and_column(self, tmp_path, registry):
        rows = base_rows()
        rows[1]["受理时间"] = "2024-05-32 08:00"
        err = load_bad(tmp_path, registry, rows)
        assert (err.row, err.column, err.value) == (3, "受理时间", "2024-05-32 08:00")
        assert "orders.csv" in str(err) and "第 3 行" in str(err) and "“受理时间”列" in str(err)
        assert "日期时间无法识别" in str(err)

    @pytest.mark.parametrize("bad", ["明天", "12345", "2024-13-01"])
    def test_other_bad_dates(self, tmp_path, registry, bad):
        rows = base_rows()
        rows[2]["办结时间"] = bad
        err = load_bad(tmp_path, registry, rows)
        assert (err.row, err.column) == (4, "办结时间")

    def test_required_date_blank(self, tmp_path, registry):
        rows = base_rows()
        rows[0]["受理时间"] = ""
        err = load_bad(tmp_path, registry, rows)
        assert (err.row, err.column) == (2, "受理时间")
        assert "不能为空" in str(err)


# ====================================================================== value checks
class TestOrderChecks:
    def test_duplicate_order_id(self, tmp_path, registry):
        rows = base_rows()
        rows[2]["工单编号"] = "1001"
        err = load_bad(tmp_path, registry, rows)
        assert (err.row, err.column, err.value) == (4, "工单编号", "1001")
        assert "工单编号重复" in str(err)

    @pytest.mark.parametrize("value", ["-1", "1.5", "两次"])
    def test_bad_count(self, tmp_path, registry, value):
        rows = base_rows()
        rows[1]["延期次数"] = value
        err = load_bad(tmp_path, registry, rows)
        assert (err.row, err.column, err.value) == (3, "延期次数", value)
        assert "第 3 行" in str(err) and "非负整数" in str(err)

    def test_blank_count_is_zero(self, tmp_path, registry):
        rows = base_rows()
        rows[0]["返工次数"] = ""
        frame = load_orders(write_orders(tmp_path / "orders.csv", rows), registry)
        assert frame["reworks"].tolist() == [0, 0, 2]

    def test_unknown_mode(self, tmp_path, registry):
        rows = base_rows()
        rows[2]["办理方式"] = "转办"
        err = load_bad(tmp_path, registry, rows)
        assert (err.row, err.column, err.value) == (4, "办理方式", "转办")
        assert "派单、直接办结" in str(err)

    def test_unknown_visit_result(self, tmp_path, registry):
        rows = base_rows()
        rows[0]["回访结果"] = "很满意"
        err = load_bad(tmp_path, registry, rows)
        assert (err.row, err.column) == (2, "回访结果")

    def test_enum_values_are_normalised(self, tmp_path, registry):
        rows = base_rows()
        rows[0]["办理方式"] = " 派 单 "
        frame = load_orders(write_orders(tmp_path / "orders.csv", rows), registry)
        assert frame["mode"].tolist() == ["派单", "直接办结", "派单"]

    def test_bad_flag(self, tmp_path, registry):
        rows = base_rows()
        rows[1]["市热线办退回"] = "可能"
        err = load_bad(tmp_path, registry, rows)
        assert (err.row, err.column) == (3, "市热线办退回")

    def test_missing_required_column(self, tmp_path, registry):
        header = [h for h in [*ORDER_HEADER, *PERSONAL_ORDER_HEADER] if h != "回访结果"]
        err = load_bad(tmp_path, registry, base_rows(), header=header)
        assert isinstance(err, MissingColumnError)
        assert err.row == 1
        assert "缺少必需的列“回访结果”" in str(err)
        assert "orders.csv" in str(err)

    def test_closed_before_accepted(self, tmp_path, registry):
        rows = base_rows()
        rows[1]["办结时间"] = "2024-05-04 08:59:59"
        err = load_bad(tmp_path, registry, rows)
        assert (err.row, err.column) == (3, "办结时间")
        assert "办结时间早于受理时间" in str(err)

    def test_dispatched_order_needs_unit_and_deadline(self, tmp_path, registry):
        rows = base_rows()
        rows[2]["承办单位"] = ""
        err = load_bad(tmp_path, registry, rows)
        assert (err.row, err.column) == (4, "承办单位")
        rows = base_rows()
        rows[0]["办理时限"] = ""
        err = load_bad(tmp_path, registry, rows)
        assert (err.row, err.column) == (2, "办理时限")

    def test_blank_required_text(self, tmp_path, registry):
        rows = base_rows()
        rows[1]["事件分类"] = " "
        err = load_bad(tmp_path, registry, rows)
        assert (err.row, err.column) == (3, "事件分类")


# ====================================================================== units and names
class TestUnits:
    def test_registry(self, registry):
        # names are printed as the registry writes them (full-width brackets kept); only matching is normalised
        units = registry.units
        assert units["name"].tolist() == [
            "平江县公安局", "平江县民政局", "平江县教育局", "平江县人民医院（总院）", "安定镇", "三市镇",
            "平江县邮政公司", "平江县电信公司",
        ]
        assert units["group"].tolist() == ["县直单位"] * 4 + ["乡镇(街道)"] * 2 + ["县直单位"] * 2
        assert units["short"].tolist() == ["公安局", "民政局", "教育局", "人民医院", "安定镇", "三市镇", "邮政公司", "电信公司"]
        assert units["aliases"].tolist()[2] == ("教育局", "教育")
        assert units["aliases"].tolist()[4] == ()
        assert units["assessed"].tolist() == [True] * 6 + [False] * 2
        assert units["position"].tolist() == list(range(8))

    def test_assessed_defaults_to_yes(self, tmp_path):
        reg = load_units(write_units(tmp_path / "u.csv", [("甲局", "县直单位"), ("乙镇", "乡镇(街道)")],
                                     header=["单位名称", "单位类型"]))
        assert reg.units["assessed"].tolist() == [True, True]
        assert reg.units["short"].tolist() == ["甲局", "乙镇"]

    def test_blank_assessed_cell_is_yes(self, tmp_path):
        reg = load_units(write_units(tmp_path / "u.csv", [("甲局", "县直单位", "", ""), ("乙局", "县直单位", "", "否")]))
        assert reg.units["assessed"].tolist() == [True, False]

    def test_names_are_normalised(self, tmp_path):
        reg = load_units(write_units(tmp_path / "u.csv", [("平江县 民政局", "县直单位", " 民政 ", "是")]))
        assert reg.units["name"].tolist() == ["平江县 民政局"]  # shown as written; matched without spaces
        assert reg.units["aliases"].tolist() == [("民政",)]

    def test_duplicate_unit(self, tmp_path):
        path = write_units(tmp_path / "u.csv", [("甲局", "县直单位", "", "是"), ("乙局", "县直单位", "", "是"),
                                                ("甲 局", "县直单位", "", "是")])
        with pytest.raises(InputError) as info:
            load_units(path)
        assert (info.value.row, info.value.column) == (4, "单位名称")

    def test_alias_conflict(self, tmp_path):
        path = write_units(tmp_path / "u.csv", [("甲局", "县直单位", "甲", "是"), ("甲镇", "乡镇(街道)", "甲", "是")])
        with pytest.raises(InputError) as info:
            load_units(path)
        assert (info.value.row, info.value.column) == (3, "简称")
        path = write_units(tmp_path / "u2.csv", [("甲局", "县直单位", "", "是"), ("乙局", "县直单位", "甲局", "是")])
        with pytest.raises(InputError):
            load_units(path)

    def test_bad_group(self, tmp_path):
        # unit types are the scheme's (ranking.appendix_groups): checked when a report is made
        from pyhotline.report import check_groups
        from pyhotline.scheme import load_scheme

        path = write_units(tmp_path / "u.csv", [("甲局", "县直单位", "", "是"), ("乙局", "县级单位", "", "是")])
        registry = load_units(path)
        with pytest.raises(InputError) as info:
            check_groups(registry, load_scheme("pingjiang"))
        assert (info.value.row, info.value.column, info.value.value) == (3, "单位类型", "县级单位")
        assert "县直单位、乡镇(街道)" in str(info.value)

    def test_units_header_variants(self, tmp_path):
        reg = load_units(write_csv(tmp_path / "u.csv", ["单位", "类型", "别名", "是否参与考核"],
                                   [["甲局", "县直单位", "甲", "否"]]))
        assert reg.units[["name", "group", "short", "assessed"]].values.tolist() == [["甲局", "县直单位", "甲", False]]

    def test_resolve_aliases_and_variants(self, tmp_path, registry):
        names = ["公安局", "教育", "教育局", "平江县 民政局", "平江县民政局", "安定镇 ", "平江县人民医院（总院）",
                 "平江县人民医院 (总院)", "人民医院", "邮政公司"]
        rows = [order(str(i), n, "2024-05-03 08:00:00", "2024-05-10 08:00:00") for i, n in enumerate(names)]
        frame = load_orders(write_orders(tmp_path / "orders.csv", rows), registry)
        assert frame["unit"].tolist() == [
            "平江县公安局", "平江县教育局", "平江县教育局", "平江县民政局", "平江县民政局", "安定镇",
            "平江县人民医院（总院）", "平江县人民医院（总院）", "平江县人民医院（总院）", "平江县邮政公司",
        ]
        assert set(frame["unit"]) <= set(registry.units["name"])

    def test_normalize_text(self):
        assert normalize_text("乡镇（街道）") == "乡镇(街道)"
        assert normalize_text(" 平江县 民政局\u3000") == "平江县民政局"

    def test_unknown_unit(self, tmp_path, registry):
        rows = base_rows()
        rows[1] = order("1002", "平江县公按局", "2024-05-04 09:00:00", "2024-05-10 09:00:00")
        err = load_bad(tmp_path, registry, rows)
        assert isinstance(err, UnknownUnitError)
        assert (err.row, err.column, err.value) == (3, "承办单位", "平江县公按局")
        text = str(err)
        assert "文件 orders.csv" in text and "第 3 行" in text and "“承办单位”列" in text
        assert "最接近的有：平江县公安局" in text

    def test_unknown_units_are_counted(self, tmp_path, registry):
        rows = base_rows()
        rows[0]["承办单位"] = "平江县林业局"
        rows[2]["承办单位"] = "平江县水务局"
        err = load_bad(tmp_path, registry, rows)
        assert isinstance(err, UnknownUnitError)
        assert err.row == 2
        assert "共 2 个不在名录中的单位名称" in str(err)


# ====================================================================== letters
class TestLetters:
    ROWS = [
        letter("XJ1", "县长信箱", "2024-05-02 09:00:00", "2024/5/17 9:00", "2024-05-10 09:00:00", "公安局", "满意"),
        letter("XJ2", "市长信箱", "2024-05-03 09:00:00", "2024-05-18 09:00:00", "", "安定镇", ""),
    ]

    @pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
    def test_load(self, tmp_path, registry, encoding):
        frame = load_letters(write_letters(tmp_path / "letters.csv", self.ROWS, encoding=encoding), registry)
        assert list(frame.columns) == ["letter_id", "channel", "received_at", "reply_due", "replied_at", "unit", "rating"]
        assert frame["unit"].tolist() == ["平江县公安局", "安定镇"]
        assert frame["reply_due"].tolist() == [pd.Timestamp("2024-05-17 09:00:00"), pd.Timestamp("2024-05-18 09:00:00")]
        assert frame["replied_at"].isna().tolist() == [False, True]
        assert frame["rating"].tolist() == ["满意", ""]

    def test_errors(self, tmp_path, registry):
        rows = [dict(r) for r in self.ROWS]
        rows[1]["评价"] = "一般"
        with pytest.raises(InputError) as info:
            load_letters(write_letters(tmp_path / "l1.csv", rows), registry)
        assert (info.value.row, info.value.column) == (3, "评价")
        rows = [dict(r) for r in self.ROWS]
        rows[1]["信件编号"] = "XJ1"
        with pytest.raises(InputError) as info:
            load_letters(write_letters(tmp_path / "l2.csv", rows), registry)
        assert (info.value.row, info.value.column) == (3, "信件编号")
        rows = [dict(r) for r in self.ROWS]
        rows[0]["承办单位"] = "平江县林业局"
        with pytest.raises(UnknownUnitError) as info:
            load_letters(write_letters(tmp_path / "l3.csv", rows), registry)
        assert "l3.csv" in str(info.value) and info.value.row == 2
        with pytest.raises(MissingColumnError):
            load_letters(write_csv(tmp_path / "l4.csv", LETTER_HEADER[:-1], [["XJ1", "县长信箱", "2024-05-02", "2024-05-17", "", "公安局"]]), registry)
