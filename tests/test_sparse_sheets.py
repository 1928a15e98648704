"""A tiny .xlsx with one stray cell far from its data (XFD2, A1048576) is refused before a reader builds its
grid: calamine allocates the whole rectangle up to the farthest cell (512 GB for XFD1048576: an abort with a
Rust backtrace; 20 GB for DKJ200000), third stranger review, finding 1."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from pyhotline.errors import InputError
from pyhotline.io import load_units
from pyhotline.io.excel import sheets

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["工单编号", "受理时间", "事件分类", "办理方式", "承办单位", "办理时限", "办结时间"]


def _sparse(path: Path, *cells: str) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["2024050300123", "2024-05-03 09:00:00", "城乡建设类", "派单", "住建局", "2024-05-10 09:00:00", ""])
    for cell in cells:
        sheet[cell] = "x"
    book.save(path)
    return path


@pytest.mark.parametrize("cells, needle", [
    (("XFD2",), "在 XFD2 有内容，超过 1000 列，未读取"),
    (("XFD1048576",), "超过 1000 列"),
    (("DKJ200000",), "在 DKJ200000 有内容，超过 1000 列"),
    (("A1048576",), "只有 2 行内容，却有单元格远在 A1048576（离其余数据太远），未读取"),
    (("B150000",), "远在 B150000（离其余数据太远）"),
    (("AB20000",), "远在 AB20000（离其余数据太远）"),
])
def test_a_stray_far_cell_is_refused_before_the_grid_is_built(tmp_path, cells, needle):
    path = _sparse(tmp_path / "sparse.xlsx", *cells)
    with pytest.raises(InputError) as exc:
        list(sheets(path))
    assert needle in str(exc.value) and "sparse.xlsx" in str(exc.value)


def test_the_command_answers_in_bounded_memory(tmp_path):
    path = _sparse(tmp_path / "wide.xlsx", "XFD1048576")
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31)); "
            "from pyhotline.cli import main; sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", code, "check", "--orders", str(path), "--units",
                           str(ROOT / "data" / "sample" / "units.csv")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "在 XFD1048576 有内容，超过 1000 列" in done.stderr and "Traceback" not in done.stderr


def test_cells_near_the_data_are_read(tmp_path):
    path = _sparse(tmp_path / "near.xlsx", "J40", "AB30")  # a note typed a little below or to the right
    (_, grid), = list(sheets(path))
    assert grid.shape == (40, 28)
