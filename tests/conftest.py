"""Shared helpers for the hand-made-input unit tests (test_metrics, test_io, test_scheme).

Inputs are written as small CSV files with the documented Chinese headers and
read back through the real readers (load_units / load_orders / load_letters),
so the tests exercise the same path as an analyst's files.
"""

from __future__ import annotations

import atexit
import csv
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from pyhotline.io import load_letters, load_orders, load_units
from pyhotline.scheme import load_scheme

# Commands without files read the default store when it exists: tests never see a developer's store.
# The path is in a private folder of this test run, and a test that creates the file (an import without
# --store) has it removed afterwards, so that later tests still see "no store" (the bundled sample).
_NO_STORE = Path(tempfile.mkdtemp(prefix="pyhotline-tests-")) / "no-store.duckdb"
os.environ["PYHOTLINE_STORE"] = str(_NO_STORE)
atexit.register(shutil.rmtree, _NO_STORE.parent, True)


@pytest.fixture(autouse=True)
def _keep_no_store_absent():
    yield
    for leftover in (_NO_STORE, _NO_STORE.with_name(_NO_STORE.name + ".wal")):
        if leftover.exists():
            leftover.unlink()

UNIT_HEADER = ["单位名称", "单位类型", "简称", "参与考核"]
ORDER_HEADER = [
    "工单编号", "受理时间", "事件分类", "办理方式", "承办单位", "办理时限", "办结时间",
    "延期次数", "回退次数", "返工次数", "市热线办退回", "回访结果",
]
PERSONAL_ORDER_HEADER = ["来电人", "联系电话", "诉求内容"]
LETTER_HEADER = ["信件编号", "来信渠道", "收信时间", "答复期限", "答复时间", "承办单位", "评价"]

#: The default registry. Names/types deliberately carry the variants the readers
#: must normalise: a full-width 乡镇（街道）, a name with full-width parentheses,
#: two aliases separated by 、, and two units outside the assessment.
DEFAULT_UNITS = [
    ("平江县公安局", "县直单位", "公安局", "是"),  # position 0
    ("平江县民政局", "县直单位", "民政局", "是"),  # 1
    ("平江县教育局", "县直单位", "教育局、教育", "是"),  # 2
    ("平江县人民医院（总院）", "县直单位", "人民医院", "是"),  # 3
    ("安定镇", "乡镇（街道）", "", "是"),  # 4
    ("三市镇", "乡镇(街道)", "", "是"),  # 5
    ("平江县邮政公司", "县直单位", "邮政公司", "否"),  # 6
    ("平江县电信公司", "县直单位", "电信公司", "否"),  # 7
]


def write_csv(path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


def order(
    order_id: str,
    unit: str,
    accepted: str,
    deadline: str = "",
    closed: str = "",
    *,
    mode: str = "派单",
    category: str = "城乡建设类",
    extensions: int | str = 0,
    send_backs: int | str = 0,
    reworks: int | str = 0,
    returned: str = "否",
    visit: str = "",
) -> dict[str, object]:
    """One work-order row keyed by the documented headers (plus personal columns)."""
    return {
        "工单编号": order_id, "受理时间": accepted, "事件分类": category, "办理方式": mode,
        "承办单位": unit, "办理时限": deadline, "办结时间": closed, "延期次数": extensions,
        "回退次数": send_backs, "返工次数": reworks, "市热线办退回": returned, "回访结果": visit,
        "来电人": "张先生", "联系电话": "13800000000", "诉求内容": "来电人反映路灯不亮。",
    }


def letter(letter_id, channel, received, due, replied, unit, rating) -> dict[str, object]:
    return {
        "信件编号": letter_id, "来信渠道": channel, "收信时间": received, "答复期限": due,
        "答复时间": replied, "承办单位": unit, "评价": rating, "来信人": "李女士", "来信内容": "略",
    }


def write_orders(path: Path, rows: list[dict[str, object]], header: list[str] | None = None, encoding: str = "utf-8") -> Path:
    header = header or [*ORDER_HEADER, *PERSONAL_ORDER_HEADER]
    return write_csv(path, header, [[r.get(h, "") for h in header] for r in rows], encoding)


def write_letters(path: Path, rows: list[dict[str, object]], encoding: str = "utf-8") -> Path:
    header = [*LETTER_HEADER, "来信人", "来信内容"]
    return write_csv(path, header, [[r.get(h, "") for h in header] for r in rows], encoding)


def write_units(path: Path, units=DEFAULT_UNITS, header: list[str] | None = None) -> Path:
    return write_csv(path, header or UNIT_HEADER, [list(u) for u in units])


@pytest.fixture(scope="session")
def pj_scheme():
    """The bundled 平江县 scheme."""
    return load_scheme("pingjiang")


@pytest.fixture
def units_file(tmp_path) -> Path:
    return write_units(tmp_path / "units.csv")


@pytest.fixture
def registry(units_file):
    return load_units(units_file)


@pytest.fixture
def make_orders(tmp_path, registry):
    """make_orders(rows, registry=None) -> orders frame, written as CSV and read by load_orders."""
    counter = iter(range(10_000))

    def _make(rows, reg=None):
        path = write_orders(tmp_path / f"orders{next(counter)}.csv", rows)
        return load_orders(path, reg or registry)

    return _make


@pytest.fixture
def make_letters(tmp_path, registry):
    counter = iter(range(10_000))

    def _make(rows, reg=None):
        path = write_letters(tmp_path / f"letters{next(counter)}.csv", rows)
        return load_letters(path, reg or registry)

    return _make


def scheme_variant(tmp_path: Path, *replacements: tuple[str, str], name: str = "variant.toml") -> Path:
    """A copy of the bundled scheme with exact text replacements (each must match once)."""
    text = load_scheme("pingjiang").path.read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) == 1, f"replacement target not unique in pingjiang.toml: {old!r}"
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
