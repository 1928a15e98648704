"""Another county: its own units registry, its own rules, a table worked out by hand.

Nothing here comes from the Pingjiang sample: it shows the command gives any county's table exactly.
"""

from __future__ import annotations

import csv
import sys
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCHEME = """
[county]
name = "青溪县"
office = "青溪县人民政府办公室"
publication = "青溪督查"

[rounding]
mode = "half_up"
rate_decimals = 2
composite_decimals = 1

[composite.weights]
"办结率" = "0.4"
"按期办结率" = "0.4"
"返工率" = "0.1"
"回访不满意率" = "0.1"

[composite]
visit_basis = "due"

[[grades]]
name = "优秀"
min = "95"

[[grades]]
name = "良好"
min = "90"
deduction = "1"

[[grades]]
name = "一般"
min = "0"
deduction = "3"

[ranking]
composite_ties = ["应办理数"]
appendix_groups = ["乡镇(街道)", "县直单位"]
narrative_groups = ["乡镇(街道)", "县直单位"]
"""

UNITS = [
    ["单位名称", "单位类型", "简称", "参与考核"],
    ["青溪县甲局", "县直单位", "甲局", "是"],
    ["青溪县乙局", "县直单位", "乙局", "是"],
    ["一镇", "乡镇（街道）", "", "是"],
    ["二乡", "乡镇(街道)", "", ""],
]

HEADER = ["工单号", "受理时间", "事件分类", "办理方式", "承办部门", "办理时限", "办结时间",
          "延期次数", "回退次数", "返工次数", "市热线办退回", "回访结果", "来电人"]


def order(n, unit, closed, *, rework=0, visit="满意", accepted="2024/5/2 9:00", due="2024-05-20 17:00:00"):
    return [str(n), accepted, "其他类", "派单", unit, due, closed, "0", "0", str(rework), "否", visit, "某先生"]


ORDERS = [
    # 甲局: 4 due, all closed, 3 on time, 1 reworked, 1 of 4 visited dissatisfied
    order(1, "甲局", "2024-05-10 10:00"), order(2, "甲局", "2024-05-11 10:00", rework=1),
    order(3, "青溪县甲局", "2024-05-20 17:00:00"), order(4, "甲局", "2024-05-21 08:00", visit="不满意"),
    # 乙局: 3 due, 2 closed on time, 1 still open past its deadline (not visited)
    order(5, "乙局", "2024-05-03 10:00"), order(6, "乙局", "2024-05-04 10:00"), order(7, "乙局", "", visit=""),
    # 一镇: 6 due, all on time, 1 reworked, 1 of 6 dissatisfied
    *[order(10 + i, "一镇", "2024-05-15 10:00", rework=int(i == 0), visit="不满意" if i == 1 else "基本满意")
      for i in range(6)],
    # 二乡: accepted in May, due in June: nothing to rate in May
    order(20, "二 乡", "", visit="", due="2024-06-05 17:00"),
    # a request closed by the hotline itself
    ["21", "2024年5月6日", "其他类", "直接办结", "", "", "2024-05-06 10:00", "", "", "", "", "满意", "某女士"],
]

# Worked by hand (rates rounded half-up to 2 places, then 0.4/0.4/0.1/0.1, rounded to 1 place); the scheme
# says nothing of trailing zeros, so they are kept (rounding.keep_trailing_zeros defaults to true: 85.0, 100.00%):
#   一镇: 100, 100, 16.67, 16.67 -> 40 + 40 + 8.333 + 8.333 = 96.666 -> 96.7 优秀
#   甲局: 100, 75, 25, 25        -> 40 + 30 + 7.5 + 7.5     = 85.0   -> 85   一般
#   乙局: 66.67, 66.67, 0, 0     -> 26.668 + 26.668 + 10 + 10 = 73.336 -> 73.3 一般
#   二乡: nothing due -> — (listed last in its group)
EXPECTED = """单位类型,部门名称,受理案件数,应办理数,办理数,办结率,按期办理数,按期办结率,返工数,返工率,回访不满意数,回访不满意率,综合指标值,等级评价
乡镇(街道),一镇,6,6,6,100.00%,6,100.00%,1,16.67%,1,16.67%,96.7,优秀
乡镇(街道),二乡,1,0,0,—,0,—,0,—,0,—,—,—
县直单位,青溪县甲局,4,4,4,100.00%,3,75.00%,1,25.00%,1,25.00%,85.0,一般
县直单位,青溪县乙局,3,3,2,66.67%,2,66.67%,0,0.00%,0,0.00%,73.3,一般
"""


def write(path: Path, rows, encoding="utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_another_county_gets_its_own_table_exactly(tmp_path):
    scheme = tmp_path / "qingxi.toml"
    scheme.write_text(SCHEME, encoding="utf-8")
    units = write(tmp_path / "单位.csv", UNITS, "gb18030")
    orders = write(tmp_path / "工单.csv", [HEADER, *ORDERS])
    out = tmp_path / "评价表.csv"
    done = subprocess.run(
        [sys.executable, "-m", "pyhotline.cli", "evaluate", "--month", "2024-05", "--orders", str(orders),
         "--units", str(units), "--scheme", str(scheme), "--out", str(out)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").replace("\r\n", "\n") == EXPECTED


def test_a_city_with_its_own_unit_types(tmp_path):
    """A city ranks 县市区 and 市直单位: the unit types come from the scheme, not from the code."""
    scheme = tmp_path / "city.toml"
    scheme.write_text(
        SCHEME.replace('appendix_groups = ["乡镇(街道)", "县直单位"]', 'appendix_groups = ["市直单位", "县市区"]')
        .replace('narrative_groups = ["乡镇(街道)", "县直单位"]', 'narrative_groups = ["县市区", "市直单位"]'),
        encoding="utf-8",
    )
    units = write(tmp_path / "单位.csv", [
        UNITS[0], ["青溪县甲局", "市直单位", "甲局", "是"], ["青溪县乙局", "市直单位", "乙局", "是"],
        ["一镇", "县市区", "", "是"], ["二乡", "县市区", "", ""],
    ])
    orders = write(tmp_path / "工单.csv", [HEADER, *ORDERS])
    out = tmp_path / "评价表.csv"
    argv = [sys.executable, "-m", "pyhotline.cli", "evaluate", "--month", "2024-05", "--orders", str(orders),
            "--units", str(units), "--out", str(out)]
    done = subprocess.run([*argv, "--scheme", str(scheme)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    got = out.read_text(encoding="utf-8").replace("\r\n", "\n").splitlines()
    assert [line.split(",")[:2] for line in got[1:]] == [
        ["市直单位", "青溪县甲局"], ["市直单位", "青溪县乙局"], ["县市区", "一镇"], ["县市区", "二乡"],
    ]
    # with Pingjiang's rules those unit types are unknown: said plainly, with the registry row
    done = subprocess.run(argv, capture_output=True, text=True)
    assert done.returncode == 2
    assert "第 2 行" in done.stderr and "“单位类型”列" in done.stderr and "市直单位" in done.stderr
