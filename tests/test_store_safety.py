"""Issue 11 item 10: the store is never half-written, never corrupt, never holds personal data.

- a failed first import leaves no store (nor its .wal, nor a folder it made); a failed import into an
  existing store leaves the file byte for byte as it was;
- an import killed (SIGKILL) while it writes, or after it committed, leaves the store as before or
  complete; a killed first import leaves no store;
- a second process (import, or a bulletin's read) finding the store in use waits, or stops with a clear
  Chinese message and changes nothing. Processes are held at a known point (a hook waiting on stdin),
  never timed;
- personal columns (来电人, 联系电话, 诉求内容, 来信人, 来信内容, 身份证号, 地址) are found nowhere in the
  database: no table, no column, no value, not in the file's bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import pyhotline as ph
from pyhotline.store import StoreError, connect, import_files, month_dataset
from test_store import MAY, ROOT, SAMPLE, WINDOWS, _raw, _store_rows, export

UNITS = SAMPLE / "units.csv"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
APPENDIX = (ROOT / "data" / "reference" / "pingjiang-2024-05-appendix.csv").read_bytes()

# A pyhotline command whose import stops at a point: after the first rows and their import record were
# written inside the transaction ("record"), or just after the commit, before the file is closed
# ("commit"). There it is killed (SIGKILL) or says "holding" and waits for a line on stdin.
HOOKED = r"""
import os, signal, sys
from pyhotline.store import imports

point, action = sys.argv[1], sys.argv[2]

def stop():
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    print("holding", flush=True)
    sys.stdin.readline()

if point == "record":
    original = imports._record
    def hooked(*args, **kwargs):
        original(*args, **kwargs)
        stop()
    imports._record = hooked
else:
    real = imports.connect
    class Held:
        def __init__(self, con):
            self._con = con
        def __getattr__(self, name):
            return getattr(self._con, name)
        def commit(self):
            self._con.commit()
            stop()
    from contextlib import contextmanager
    @contextmanager
    def connect(*args, **kwargs):
        with real(*args, **kwargs) as con:
            yield Held(con)
    imports.connect = connect

from pyhotline.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _hooked(point: str, action: str, *args, wait: str = "60") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", HOOKED, point, action, *map(str, args)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**ENV, "PYHOTLINE_STORE_WAIT": wait})


def _held(process: subprocess.Popen) -> None:
    """Wait until ``process`` is held at its hook (it prints "holding")."""
    for line in process.stdout:
        if line.strip() == "holding":
            return
    pytest.fail(f"never held: {process.wait()} {process.stderr.read()}")


def _release(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate("\n", timeout=300)
    return process.returncode, out, err


def _cli(*args, wait: str = "60") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pyhotline.cli", *map(str, args)], capture_output=True, text=True,
                          env={**ENV, "PYHOTLINE_STORE_WAIT": wait}, timeout=300)


@pytest.fixture(scope="module")
def raw():
    return {"orders": _raw("orders.csv", "utf-8-sig"), "letters": _raw("letters.csv", "gb18030")}


@pytest.fixture(scope="module")
def exports(raw, tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    return [export(raw, folder, first, last) for first, last in WINDOWS]


@pytest.fixture()
def bad_orders(tmp_path, exports) -> Path:
    """An orders export without its 办理时限 column."""
    frame = pd.read_csv(exports[2][0], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    path = tmp_path / "缺列工单.csv"
    frame.drop(columns=["办理时限"]).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- a failed import leaves nothing half-written
def test_a_failed_first_import_leaves_no_store(tmp_path, exports, bad_orders):
    store = tmp_path / "新库" / "县" / "s.duckdb"
    with pytest.raises(ph.InputError, match="办理时限"):  # the registry was fine: it is not kept either
        import_files(store, units=[UNITS], orders=[exports[1][0], bad_orders], letters=[exports[1][1]])
    assert not (tmp_path / "新库").exists()  # no store, no .wal, no hidden file, not the folders it made
    folder = tmp_path / "cli"
    folder.mkdir()
    before = _listing(tmp_path)
    done = _cli("import", "--store", folder / "s.duckdb", "--units", UNITS, "--orders", bad_orders)
    assert done.returncode == 2 and "“办理时限”" in done.stderr and "Traceback" not in done.stderr
    assert _listing(tmp_path) == before and not list(folder.iterdir())
    import_files(folder / "s.duckdb", units=[UNITS], orders=[exports[1][0]])  # and a first import then works
    assert _listing(folder) == ["s.duckdb"]


def test_a_store_with_a_long_name_is_created_and_a_failed_one_leaves_nothing(tmp_path, exports, bad_orders):
    """A name near the file system's 255 bytes: the hidden file it is built under is named by a digest."""
    store = tmp_path / ("县" * 80 + ".duckdb")
    assert len(store.name.encode()) == 247
    with pytest.raises(ph.InputError, match="办理时限"):
        import_files(store, units=[UNITS], orders=[bad_orders])
    assert _listing(tmp_path) == [bad_orders.name]
    import_files(store, units=[UNITS], orders=[exports[1][0]])
    assert _listing(tmp_path) == sorted([bad_orders.name, store.name])
    assert month_dataset(store, "2024-04").orders.shape[0] > 0


def test_a_failed_import_leaves_an_existing_store_byte_for_byte(tmp_path, exports, bad_orders):
    store = tmp_path / "s.duckdb"
    import_files(store, units=[UNITS], orders=[exports[1][0]], letters=[exports[1][1]], as_of=exports[1][2])
    before, listing = _digest(store), _listing(tmp_path)
    assert listing == sorted(["s.duckdb", bad_orders.name])
    with pytest.raises(ph.InputError, match="办理时限"):
        import_files(store, units=[UNITS], orders=[exports[2][0], bad_orders], letters=[exports[2][1]])
    done = _cli("import", "--store", store, "--orders", exports[3][0], bad_orders)
    assert done.returncode == 2 and "“办理时限”" in done.stderr
    assert _digest(store) == before and _listing(tmp_path) == listing  # no .wal either


# ---------------------------------------------------------------- killed imports
@pytest.mark.parametrize("point", ["record", "commit"])
def test_an_import_killed_while_writing_or_after_committing(tmp_path, exports, point):
    """Killed inside the transaction: the store as before; killed after the commit (the file not closed,
    the rows only in the .wal): complete. Either way it opens and the next import works."""
    store = tmp_path / "s.duckdb"
    import_files(store, units=[UNITS])
    import_files(store, orders=[exports[0][0]], letters=[exports[0][1]], as_of=exports[0][2])
    before = _store_rows(store)
    complete = tmp_path / "complete.duckdb"
    import_files(complete, units=[UNITS])
    for i in (0, 1):
        import_files(complete, orders=[exports[i][0]], letters=[exports[i][1]], as_of=exports[i][2])
    child = _hooked(point, "kill", "import", "--store", store, "--orders", exports[1][0], "--letters", exports[1][1],
                    "--as-of", exports[1][2])
    assert _release(child)[0] == -9
    assert _store_rows(store) == (before if point == "record" else _store_rows(complete))
    summary = import_files(store, orders=[exports[1][0]], letters=[exports[1][1]], as_of=exports[1][2])
    assert all(f.already for f in summary.files) == (point == "commit")
    assert _store_rows(store) == _store_rows(complete)


def test_a_killed_first_import_leaves_no_store(tmp_path, exports):
    folder = tmp_path / "库"
    folder.mkdir()
    store = folder / "s.duckdb"
    child = _hooked("record", "kill", "import", "--store", store, "--units", UNITS, "--orders", exports[1][0])
    assert _release(child)[0] == -9
    assert not store.exists() and not store.with_name("s.duckdb.wal").exists()
    with pytest.raises(StoreError, match="不存在"):
        month_dataset(store, MAY)
    import_files(store, units=[UNITS], orders=[exports[1][0]])  # the next import clears what the killed one left
    assert _listing(folder) == ["s.duckdb"]


# ---------------------------------------------------------------- a second process while an import writes
def test_a_second_import_during_an_import_waits_or_says_why(tmp_path, exports):
    store = tmp_path / "s.duckdb"
    import_files(store, units=[UNITS])
    first = _hooked("record", "hold", "import", "--store", store, "--orders", exports[1][0], "--as-of", exports[1][2])
    try:
        _held(first)
        refused = _cli("import", "--store", store, "--orders", exports[2][0], "--as-of", exports[2][2], wait="1")
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        assert f"正被另一个 pyhotline 进程（进程 {first.pid}）使用" in refused.stderr
        second = subprocess.Popen(
            [sys.executable, "-m", "pyhotline.cli", "import", "--store", str(store), "--orders", str(exports[2][0]),
             "--as-of", exports[2][2]], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**ENV, "PYHOTLINE_STORE_WAIT": "300"})
    finally:
        code, _, err = _release(first)
    assert code == 0, err
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err  # it waited, then merged
    sequential = tmp_path / "seq.duckdb"
    import_files(sequential, units=[UNITS])
    for i in (1, 2):
        import_files(sequential, orders=[exports[i][0]], as_of=exports[i][2])
    assert _store_rows(store) == _store_rows(sequential)


def test_two_first_imports_at_once_take_turns(tmp_path, exports):
    """Both create the same new store: the second waits for the first to put its store in place, then
    merges into it (or, with a short wait, says so and writes nothing)."""
    store = tmp_path / "s.duckdb"
    first = _hooked("record", "hold", "import", "--store", store, "--units", UNITS, "--orders", exports[1][0],
                    "--as-of", exports[1][2])
    try:
        _held(first)
        refused = _cli("import", "--store", store, "--units", UNITS, "--orders", exports[2][0], wait="1")
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        assert f"正被另一个 pyhotline 进程（进程 {first.pid}）创建" in refused.stderr
        assert not store.exists()
        second = subprocess.Popen(
            [sys.executable, "-m", "pyhotline.cli", "import", "--store", str(store), "--units", str(UNITS),
             "--orders", str(exports[2][0]), "--as-of", exports[2][2]], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env={**ENV, "PYHOTLINE_STORE_WAIT": "300"})
    finally:
        code, _, err = _release(first)
    assert code == 0, err
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    sequential = tmp_path / "seq.duckdb"
    for i in (1, 2):
        import_files(sequential, units=[UNITS], orders=[exports[i][0]], as_of=exports[i][2])
    assert _store_rows(store) == _store_rows(sequential)
    assert _listing(tmp_path) == ["s.duckdb", "seq.duckdb"]


def test_a_bulletin_read_during_an_import_waits_or_says_why(tmp_path, exports):
    store = tmp_path / "s.duckdb"
    import_files(store, units=[UNITS])
    for i in (0, 1, 2):
        import_files(store, orders=[exports[i][0]], letters=[exports[i][1]], as_of=exports[i][2])
    importing = _hooked("record", "hold", "import", "--store", store, "--orders", exports[3][0],
                        "--letters", exports[3][1], "--as-of", exports[3][2])
    try:
        _held(importing)
        refused = _cli("evaluate", "--month", MAY, "--store", store, "--out", tmp_path / "x.csv", wait="1")
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        assert f"正被另一个 pyhotline 进程（进程 {importing.pid}）使用" in refused.stderr
        assert not (tmp_path / "x.csv").exists()
        reading = subprocess.Popen(
            [sys.executable, "-m", "pyhotline.cli", "evaluate", "--month", MAY, "--store", str(store), "--out",
             str(tmp_path / "y.csv")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**ENV, "PYHOTLINE_STORE_WAIT": "300"})
    finally:
        code, _, err = _release(importing)
    assert code == 0, err
    _, err = reading.communicate(timeout=300)
    assert reading.returncode == 0, err
    assert (tmp_path / "y.csv").read_bytes() == APPENDIX  # read after the import: May is still the reference


def test_an_import_during_a_read_waits_or_says_why(tmp_path, exports):
    """A reader holding the store (a bulletin, the Explorer): an import waits for it, or says so."""
    store = tmp_path / "s.duckdb"
    import_files(store, units=[UNITS], orders=[exports[0][0]], as_of=exports[0][2])
    before = _store_rows(store)
    reader = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pyhotline.store import connect\n"
         "with connect(sys.argv[1]) as con:\n    print('holding', flush=True); sys.stdin.readline()", str(store)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=ENV)
    try:
        _held(reader)
        refused = _cli("import", "--store", store, "--orders", exports[1][0], wait="1")
        assert refused.returncode == 2 and "正被另一个 pyhotline 进程" in refused.stderr
        assert "Traceback" not in refused.stderr
        waiting = subprocess.Popen(
            [sys.executable, "-m", "pyhotline.cli", "import", "--store", str(store), "--orders", str(exports[1][0]),
             "--as-of", exports[1][2]], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**ENV, "PYHOTLINE_STORE_WAIT": "300"})
    finally:
        reader.communicate("\n", timeout=60)
    _, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert _store_rows(store) != before


def test_a_quarter_is_read_from_one_state_of_the_store(tmp_path, exports):
    """A quarter's coverage and rows come from one opening of the store: an import cannot land between
    them (it waits, or says why), so the 数据说明 always describes the rows counted."""
    store = tmp_path / "s.duckdb"
    import_files(store, units=[UNITS])
    for i in (0, 1):
        import_files(store, orders=[exports[i][0]], letters=[exports[i][1]], as_of=exports[i][2])
    code = (
        "import sys\n"
        "import pyhotline.store as store\n"
        "from pyhotline.period import parse_period\n"
        "from pyhotline.period_load import period_dataset\n"
        "from pyhotline.scheme import load_scheme\n"
        "original = store.month_dataset\n"
        "def held(*args, **kwargs):\n"
        "    print('holding', flush=True); sys.stdin.readline()\n"
        "    return original(*args, **kwargs)\n"
        "store.month_dataset = held\n"
        "data = period_dataset(sys.argv[1], parse_period('2024Q2'), load_scheme())\n"
        "print(len(data.orders), '|'.join(sorted(w for q in data.quality for w in q.warnings)), flush=True)\n"
    )
    reader = subprocess.Popen([sys.executable, "-c", code, str(store)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        _held(reader)
        refused = _cli("import", "--store", store, "--orders", exports[2][0], "--as-of", exports[2][2], wait="1")
        assert refused.returncode == 2 and "正被另一个 pyhotline 进程" in refused.stderr
    finally:
        out, err = reader.communicate("\n", timeout=120)
    assert reader.returncode == 0, err
    from pyhotline.period import parse_period
    from pyhotline.period_load import period_dataset
    from pyhotline.scheme import load_scheme

    alone = period_dataset(store, parse_period("2024Q2"), load_scheme())
    assert out.strip() == f"{len(alone.orders)} " + "|".join(sorted(w for q in alone.quality for w in q.warnings))
    assert "2024-05、2024-06 没有任何工单记录" in out


# ---------------------------------------------------------------- personal data
def test_personal_columns_are_found_nowhere_in_the_database(tmp_path, raw, exports):
    """Exports keeping every personal column the readers know (CSV, and typed Parquet read by DuckDB's
    check path), with 身份证号 and 地址 added: none of those values in any table or column, nor in the bytes
    of the database file."""
    orders = pd.read_csv(exports[2][0], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    orders["身份证号"] = [f"43062619{800101 + i:06d}{i % 10}X"[:18] for i in range(len(orders))]
    orders["地址"] = [f"平江县私人住址路{i}号" for i in range(len(orders))]
    csv_path = tmp_path / "工单含个人信息.csv"
    orders.to_csv(csv_path, index=False, encoding="utf-8-sig")
    typed = orders.assign(
        **{c: pd.to_datetime(orders[c].replace("", None)) for c in ("受理时间", "办理时限", "办结时间")},
        **{c: pd.to_numeric(orders[c].replace("", "0")).astype("int64") for c in ("延期次数", "回退次数", "返工次数")},
    )
    later = pd.read_csv(exports[3][0], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    typed_later = later.assign(
        **{c: pd.to_datetime(later[c].replace("", None)) for c in ("受理时间", "办理时限", "办结时间")},
        **{c: pd.to_numeric(later[c].replace("", "0")).astype("int64") for c in ("延期次数", "回退次数", "返工次数")},
    )
    parquet_path = tmp_path / "工单含个人信息.parquet"
    typed_later.to_parquet(parquet_path, index=False)
    store = tmp_path / "s.duckdb"
    summary = import_files(store, units=[UNITS], orders=[csv_path], letters=[exports[2][1]], as_of=exports[2][2])
    assert summary.files[1].new == len(orders)
    import_files(store, orders=[parquet_path], letters=[exports[3][1]], as_of=exports[3][2])
    letters = pd.concat([pd.read_csv(exports[i][1], dtype=str, keep_default_na=False, encoding="utf-8-sig")
                         for i in (2, 3)])
    values = ({v for c in ("来电人", "联系电话", "诉求内容", "身份证号", "地址") for v in orders[c] if v}
              | {v for c in ("来电人", "联系电话", "诉求内容") for v in later[c] if v}
              | {v for c in ("来信人", "联系电话", "来信内容") for v in letters[c] if v})
    assert len(values) > 3000
    personal = pd.DataFrame({"v": sorted(values)})
    markers = ["女士", "先生", "反映", "私人住址", "430626"]  # every name, request text, address, ID number has one
    assert all(any(m in v for m in markers) or re.fullmatch(r"1[3-9]\d{9}", v) for v in values)
    with connect(store) as con:
        con.register("personal", personal)
        columns = con.sql("SELECT table_name, column_name FROM information_schema.columns "
                          "WHERE table_name <> 'personal' ORDER BY 1, 2").fetchall()
        tables = {t for t, _ in columns}
        assert tables == {"meta", "imports", "orders", "letters", "units"}
        assert not {c for _, c in columns} & {"来电人", "联系电话", "诉求内容", "来信人", "来信内容", "身份证号", "地址"}
        assert con.sql("SELECT count(*) FROM orders").fetchall()[0][0] > len(orders)
        for table, column in columns:
            cell = f'CAST("{column}" AS VARCHAR)'
            found = con.sql(f"SELECT count(*) FROM {table} JOIN personal ON {cell} = personal.v").fetchall()
            assert found == [(0,)], (table, column)
            found = con.sql(f"SELECT count(*) FROM {table} WHERE regexp_matches({cell}, '1[3-9][0-9]{{9}}') OR "
                            + " OR ".join(f"contains({cell}, '{m}')" for m in markers)).fetchall()
            assert found == [(0,)], (table, column)
    assert not store.with_name("s.duckdb.wal").exists()
    content = store.read_bytes()
    for marker in markers:
        assert marker.encode() not in content and marker.encode("gb18030") not in content
    phones = {v for v in values if re.fullmatch(r"1[3-9]\d{9}", v)}
    assert not {m.decode() for m in re.findall(rb"1[3-9]\d{9}", content)} & phones
