"""Excel workbooks (.xlsx), every cell as text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError
from .columns import _cell_text


#: pandas engines tried in turn for .xlsx (tests narrow it to compare them).
XLSX_ENGINES = ("calamine", "openpyxl")


def _read_xlsx(path: Path) -> pd.DataFrame:
    import zipfile

    if not zipfile.is_zipfile(path):
        with open(path, "rb") as fh:
            old_xls = fh.read(4) == b"\xd0\xcf\x11\xe0"
        raise InputError(
            "不是有效的 Excel .xlsx 文件" + ("（这是旧版 .xls）" if old_xls else "（可能是改了扩展名的 CSV 或旧版 .xls）"),
            path=path, expected="在 Excel 中另存为 .xlsx 或 CSV",
        )
    # calamine (Rust) reads a sheet about ten times faster than openpyxl and gives the same cell values
    # (tests compare them); a workbook it cannot read goes to openpyxl, whose failures are reported.
    failure: Exception | None = None
    for engine in XLSX_ENGINES:
        try:
            grid = pd.read_excel(path, header=None, dtype=object, engine=engine)
        except ImportError:
            continue
        except Exception as exc:  # the readers raise many kinds; the last one's is reported
            failure = exc
            continue
        return grid.apply(lambda col: col.map(_cell_text))
    kind = type(failure).__name__ if failure else "没有可用的 Excel 读取库"
    raise InputError(f"无法读取 Excel 文件（{kind}）", path=path, expected="在 Excel 中另存为 .xlsx 后重试")
