"""The store remembers the scheme it was imported with (stranger finding 8): a later command without
--scheme uses the county's own rules, not the bundled ones, and says so; --scheme still wins."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from county2.generate import generate

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyhotline.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    county = generate(tmp_path_factory.mktemp("yunxi-memory"))
    store = county.folder / "yunxi.duckdb"
    done = cli("import", "--orders", county.orders_file, "--units", county.units_file, "--letters",
               county.letters_file, "--scheme", county.scheme_file, "--store", store)
    assert done.returncode == 0, done.stderr
    return county, store


def test_a_command_without_scheme_uses_the_stores(county, tmp_path):
    county, store = county
    remembered, given = tmp_path / "remembered.csv", tmp_path / "given.csv"
    without = cli("evaluate", "--month", "2024-03", "--store", store, "--out", remembered)
    assert without.returncode == 0, without.stderr
    assert f"按导入时的规则文件 {county.scheme_file.resolve()}（云溪县）计算" in without.stderr
    with_scheme = cli("evaluate", "--month", "2024-03", "--store", store, "--scheme", county.scheme_file,
                      "--out", given)
    assert with_scheme.returncode == 0 and "按导入时" not in with_scheme.stderr
    assert remembered.read_bytes() == given.read_bytes()


def test_a_later_import_without_scheme_reads_with_the_stores_aliases(county, tmp_path):
    county, _ = county
    store = tmp_path / "later.duckdb"
    first = cli("import", "--units", county.units_file, "--scheme", county.scheme_file, "--store", store)
    assert first.returncode == 0, first.stderr
    # the county's export has its platform's headers: only the scheme's aliases read them
    done = cli("import", "--orders", county.orders_file, "--store", store)
    assert done.returncode == 0, done.stderr
    assert "新增" in done.stdout and "按导入时的规则文件" in done.stderr
    bundled = cli("import", "--orders", county.orders_file, "--store", tmp_path / "none.duckdb", "--units",
                  county.units_file)
    assert bundled.returncode == 2  # without the county's scheme its headers are not read


def test_another_scheme_given_is_used_with_a_note(county, tmp_path):
    county, store = county
    done = cli("check", "--store", store, "--scheme", "pingjiang")
    assert f"中的数据是按规则文件 {county.scheme_file.resolve()}（云溪县）导入的；本次按 --scheme pingjiang 计算" in done.stderr


def test_a_remembered_file_that_is_gone_is_named(county, tmp_path):
    county, store = county
    moved = tmp_path / "yunxi.toml"
    folder = tmp_path / "s"
    folder.mkdir()
    for name in (county.scheme_file.name, "yunxi-requirements.md"):
        if (county.scheme_file.parent / name).exists():
            shutil.copy(county.scheme_file.parent / name, folder / name)
    copy = tmp_path / "gone.duckdb"
    shutil.copyfile(store, copy)
    assert cli("import", "--units", county.units_file, "--scheme", folder / county.scheme_file.name,
               "--store", copy).returncode == 0
    shutil.rmtree(folder)
    done = cli("evaluate", "--month", "2024-03", "--store", copy, "--out", tmp_path / "x.csv")
    assert done.returncode == 2 and not (tmp_path / "x.csv").exists()
    assert f"按规则文件 {(folder / county.scheme_file.name).resolve()}（云溪县）导入的，但这个文件已不在原处" in done.stderr
    assert not moved.exists()


def test_checking_a_new_export_against_the_store_uses_its_scheme(county, tmp_path):
    """Third review, finding 5: `check --store S --orders new.xlsx` (the README's "check a new export first")
    read the export with the bundled scheme: six missing-column errors for headers the county's aliases name."""
    county, store = county
    against = cli("check", "--orders", county.orders_file, "--units", county.units_file, "--store", store)
    assert against.returncode == 0, against.stderr
    assert "按导入时的规则文件" in against.stderr and "检查通过" in against.stdout
    alone = cli("check", "--orders", county.orders_file, "--units", county.units_file)  # no store named: bundled
    assert alone.returncode == 2 and "按导入时" not in alone.stderr


def test_notebooks_on_the_store_use_its_scheme(county):
    from pyhotline import load_store_scheme
    from pyhotline.explore import Explorer
    from pyhotline.store.scheme_memory import SchemeNote

    county, store = county
    with pytest.warns(SchemeNote, match="云溪县"):
        assert load_store_scheme(None, store=store).county == "云溪县"
    with pytest.warns(SchemeNote, match="云溪县"):
        explorer = Explorer(store)
    assert explorer.scheme.county == "云溪县"
    assert load_store_scheme("pingjiang", orders=county.orders_file).county != "云溪县"  # one-off: as given


def test_a_scheme_given_once_does_not_rebind_the_store(county, tmp_path):
    """Fourth review, finding 1: import --scheme pingjiang of an already imported file changed the store's
    scheme, and every later command without --scheme failed on the county's 单位类型."""
    county, store = county
    copy = tmp_path / "rebind.duckdb"
    shutil.copyfile(store, copy)
    assert cli("import", "--orders", county.orders_file, "--scheme", "pingjiang", "--store", copy).returncode == 0
    done = cli("check", "--store", copy)
    assert done.returncode == 0 and "云溪县" in done.stderr, done.stderr
