"""Where the bundled sample data lives (``data/sample/`` of the project)."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError

SAMPLE_FILES = {"units": "units.csv", "orders": "orders.csv", "letters": "letters.csv"}


def sample_dir() -> Path:
    """The sample folder: ``$PYHOTLINE_SAMPLE_DIR``, else ``data/sample`` beside the package."""
    configured = os.environ.get("PYHOTLINE_SAMPLE_DIR")
    folder = Path(configured) if configured else Path(__file__).resolve().parents[1] / "data" / "sample"
    if not (folder / SAMPLE_FILES["orders"]).is_file():
        raise InputError(
            "找不到内置示例数据；请用 --orders/--units/--letters 指定数据文件，"
            "或设置环境变量 PYHOTLINE_SAMPLE_DIR 指向示例数据文件夹",
            path=folder,
        )
    return folder


def sample_paths() -> dict[str, Path]:
    """Paths of the bundled units, orders and letters files."""
    folder = sample_dir()
    return {kind: folder / name for kind, name in SAMPLE_FILES.items()}


def resolve_inputs(orders=None, units=None, letters=None) -> tuple[Path, Path, Path | None]:
    """The files to read: all three from the sample when none is given; otherwise orders and units
    must both be given (letters are optional). Never mixes an analyst's file with sample data."""
    if orders is None and units is None and letters is None:
        paths = sample_paths()
        return paths["orders"], paths["units"], paths["letters"]
    if orders is None:
        raise InputError("给出了单位名录或信件明细，却没有给出工单明细；请用 --orders 指定工单明细文件")
    if units is None:
        raise InputError("给出了工单明细，却没有给出单位名录；请用 --units 指定承办单位名录文件")
    return Path(orders), Path(units), None if letters is None else Path(letters)
