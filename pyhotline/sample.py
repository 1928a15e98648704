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
