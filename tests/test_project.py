"""Project-level promises: same environment for pip and conda, the explore notebook runs, the kernel."""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

import nbformat
import papermill as pm

import pyhotline as ph
from pyhotline import explore
from pyhotline.runner import ensure_kernel

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_pip_and_conda_describe_the_same_environment():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pip_names = {_name(r) for r in project["dependencies"]}
    for extra in project.get("optional-dependencies", {}).values():
        pip_names |= {_name(r) for r in extra}
    conda_names = set()
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    for line in text[text.index("dependencies:"):].splitlines():
        item = line.strip()
        if not item.startswith("- ") or item.endswith(":"):
            continue
        name = _name(item[2:])
        if name not in ("python", "pip", "-e"):
            conda_names.add(name)
    assert pip_names == conda_names


def test_papermill_kernel_is_this_interpreter():
    name = ensure_kernel()
    from pyhotline.kernel import OwnKernelManager

    assert OwnKernelManager(kernel_name=name).kernel_spec.argv[0] == sys.executable


def test_explore_notebook_runs_and_filters(tmp_path):
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "explore.ipynb"), str(out),
        parameters={"month": "2024-05", "unit": "住建局"},
        kernel_name=ensure_kernel(), progress_bar=False, cwd=str(tmp_path),
    )
    nb = nbformat.read(str(out), as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
    assert "筛选出" in text and "平江县住建局" in text
    assert "来电人" not in text and "联系电话" not in text


def test_explore_filters():
    data = ph.load_dataset()
    by_alias = explore.filter_orders(data, month="2024-05", unit="住建局")
    by_name = explore.filter_orders(data, month="2024-05", unit="平江县住建局")
    assert len(by_alias) == len(by_name) > 0 and set(by_alias["unit"]) == {"平江县住建局"}
    assert set(explore.filter_orders(data, month="2024-05", category="市场")["category"]) == {"市场管理类"}
    assert len(explore.filter_orders(data, month="2024-05")) == 2040
    table = explore.order_table(by_alias)
    assert list(table.columns[:3]) == ["工单编号", "受理时间", "事件分类"]
    assert table["受理时间"].is_monotonic_decreasing


def test_explore_notebook_runs_for_all_months(tmp_path):
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "explore.ipynb"), str(out), parameters={"month": None},
        kernel_name=ensure_kernel(), progress_bar=False, cwd=str(tmp_path),
    )
    text = json.dumps([c.get("outputs", []) for c in nbformat.read(str(out), as_version=4).cells], ensure_ascii=False)
    assert "筛选出 8406 件工单" in text


def test_command_skips_the_slow_iri_checker_and_notebooks_still_validate():
    """The command's processes never load rfc3987_syntax (0.8 s of grammars); nbformat still validates."""
    import subprocess

    code = (
        "import sys\n"
        "from pyhotline.runner import skip_slow_iri_checker\n"
        "skip_slow_iri_checker()\n"
        "import papermill, nbformat\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1 + 1')])\n"
        "nbformat.validate(nb)\n"
        "print(sys.modules.get('rfc3987_syntax', 'absent'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() in ("None", "absent")
