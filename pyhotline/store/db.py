"""The store's database file: where it is, opening it safely, and its tables.

One DuckDB file holds everything imported (docs/store.md). DuckDB lets one
process write a file, or several read it, at a time; a second process that
finds the file in use waits a bounded time (``PYHOTLINE_STORE_WAIT`` seconds,
default 60) and then gets a clear message naming the process that holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import PyhotlineError, os_reason

#: Environment variable naming the default store file.
STORE_VARIABLE = "PYHOTLINE_STORE"
WAIT_VARIABLE = "PYHOTLINE_STORE_WAIT"
DEFAULT_WAIT = 60.0
SCHEMA_VERSION = 1


class StoreError(PyhotlineError):
    """The store cannot be opened or used (missing, in use, not a pyhotline store ...)."""


class CoverageError(StoreError):
    """With ``strict``: the store does not hold everything a month's figures need."""


def default_store_path() -> Path:
    """``$PYHOTLINE_STORE``, else ``data/store/pyhotline.duckdb`` under the project folder."""
    configured = os.environ.get(STORE_VARIABLE)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "data" / "store" / "pyhotline.duckdb"


# One definition of each table. Order and letter rows carry the cut-off of the
# export they came from (the merge rule compares it), the import and the row's
# position in its file (so one file read back keeps the file's order).
ORDER_FIELDS = (
    ("order_id", "VARCHAR"), ("accepted_at", "TIMESTAMP_NS"), ("category", "VARCHAR"), ("mode", "VARCHAR"),
    ("unit", "VARCHAR"), ("deadline", "TIMESTAMP_NS"), ("closed_at", "TIMESTAMP_NS"), ("extensions", "BIGINT"),
    ("send_backs", "BIGINT"), ("reworks", "BIGINT"), ("city_returned", "BOOLEAN"), ("visit", "VARCHAR"),
)
LETTER_FIELDS = (
    ("letter_id", "VARCHAR"), ("channel", "VARCHAR"), ("received_at", "TIMESTAMP_NS"), ("reply_due", "TIMESTAMP_NS"),
    ("replied_at", "TIMESTAMP_NS"), ("unit", "VARCHAR"), ("rating", "VARCHAR"),
)
UNIT_FIELDS = (
    ("name", "VARCHAR"), ("group", "VARCHAR"), ("aliases", "VARCHAR[]"), ("assessed", "BOOLEAN"), ("row", "BIGINT"),
)
SOURCE_FIELDS = (("cutoff", "TIMESTAMP_NS"), ("import_id", "INTEGER"), ("seq", "BIGINT"))


def _columns(fields) -> str:
    return ", ".join(f'"{name}" {kind}' for name, kind in fields)


SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS imports (
    import_id INTEGER PRIMARY KEY, kind VARCHAR, file VARCHAR, sha256 VARCHAR, rows BIGINT, blank BIGINT,
    set_aside VARCHAR, warnings VARCHAR, cutoff TIMESTAMP_NS, as_of_given BOOLEAN,
    span_start TIMESTAMP_NS, span_end TIMESTAMP_NS, imported_at TIMESTAMP,
    new BIGINT, updated BIGINT, unchanged BIGINT, kept BIGINT
);
CREATE TABLE IF NOT EXISTS orders ({_columns(ORDER_FIELDS + SOURCE_FIELDS)});
CREATE TABLE IF NOT EXISTS letters ({_columns(LETTER_FIELDS + SOURCE_FIELDS)});
CREATE TABLE IF NOT EXISTS units ({_columns(UNIT_FIELDS)}, import_id INTEGER, position BIGINT);
"""


TABLES = ("meta", "imports", "orders", "letters", "units")


def _wait_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get(WAIT_VARIABLE, DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


MEMORY_VARIABLE = "PYHOTLINE_STORE_MEMORY"


def _memory_limit() -> str:
    """DuckDB's memory limit for the store (``PYHOTLINE_STORE_MEMORY``, default 1GB): beyond it DuckDB
    works on disk, so an import of millions of rows stays within a bounded amount of memory."""
    value = os.environ.get(MEMORY_VARIABLE, "1GB").strip()
    return value if re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]?i?B", value, flags=re.I) else "1GB"


def _open_failure(path: Path, text: str) -> str:
    """DuckDB's (English) reason for not opening ``path``, in words an analyst reads."""
    lowered = text.lower()
    if "not a valid duckdb database" in lowered or "unable to open database" in lowered and "valid" in lowered:
        return (f"{path} 不是 pyhotline 数据库（是别的文件，或已损坏）：--store 应给出 pyhotline import 建的数据库文件，"
                "如 data/store/pyhotline.duckdb")
    if "permission denied" in lowered:
        return f"无法打开数据库 {path}：没有读写这个文件的权限"
    if "version" in lowered:
        return f"无法打开数据库 {path}：它由另一个版本的 DuckDB 写成，请用建它的那个版本的 pyhotline 打开"
    return f"无法打开数据库 {path}（{text.splitlines()[0][:200]}）"


def _holder(message: str) -> str:
    found = re.search(r"PID (\d+)", message)
    return f"（进程 {found.group(1)}）" if found else ""


@contextmanager
def connect(path: str | Path, *, read_only: bool = True, create: bool = False) -> Iterator:
    """A DuckDB connection to the store at ``path``, closed on leaving.

    Read-only unless ``read_only=False``; ``create`` makes the file (and its folder) when missing.
    A store in use by another process is waited for, then a :class:`StoreError` says who holds it.
    """
    import duckdb

    if isinstance(path, duckdb.DuckDBPyConnection):  # an open store (in memory, or read by the caller): as it is
        tables = {row[0] for row in path.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if not set(TABLES) <= tables:
            path.execute(SCHEMA).fetchall()
        yield path
        return
    path = Path(path)
    if not path.exists() and create:
        with _new_store(path) as con:  # None: another process created it meanwhile, opened below
            if con is not None:
                yield con
                return
    if not path.exists():
        raise StoreError(f"数据库 {path} 不存在：请先用 pyhotline import 导入数据，或用 --store 指定数据库文件")
    if not path.is_file():
        raise StoreError(f"数据库 {path} 不是文件")
    deadline = time.monotonic() + _wait_seconds()
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only and not create)
            break
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" not in text.lower():
                raise StoreError(_open_failure(path, text)) from None
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"数据库 {path} 正被另一个 pyhotline 进程{_holder(text)}使用（例如正在导入），"
                    f"等待 {_wait_seconds():.0f} 秒后仍未释放；请等它结束后再试"
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
        except duckdb.Error as exc:
            raise StoreError(f"{path} 不是可用的 pyhotline 数据库（{type(exc).__name__}）") from None
    try:
        con.execute(f"SET memory_limit = '{_memory_limit()}'").fetchall()
        if not read_only or create:
            _create_schema(con)
        else:
            _check_schema(con, path)
        yield con
    finally:
        con.close()


def _create_schema(con) -> None:
    con.execute(SCHEMA).fetchall()
    con.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING", [str(SCHEMA_VERSION)]).fetchall()


def _building(path: Path) -> str:
    """The hidden name a new store for ``path`` is built under (without ``-PID``): ``.NAME.new``, or for a
    name too long to take the additions, a digest of it."""
    name = path.name if len(path.name.encode()) <= 200 else hashlib.sha256(path.name.encode()).hexdigest()[:16]
    return f".{name}.new"


def _pending(path: Path) -> list[Path]:
    """What a store being created at ``path`` leaves next to it (docs/store.md "Safety")."""
    return sorted(path.parent.glob(f"{glob.escape(_building(path))}-*"))


def _remove(paths) -> None:
    for item in paths:
        if item.is_dir() and not item.is_symlink():
            shutil.rmtree(item, ignore_errors=True)
        else:
            item.unlink(missing_ok=True)


def _made_folders(folder: Path) -> list[Path]:
    """Make ``folder`` and its missing parents; the ones made, innermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for item in reversed(missing):
        item.mkdir(exist_ok=True)
    return missing


@contextmanager
def _new_store(path: Path) -> Iterator:
    """A new store for ``path``, written as a hidden file next to it and put in place (a hard link: never
    over another file) only when the block succeeds. A failed or killed first import leaves no store,
    and a half-made one is never seen under ``path``. Creators of stores in one folder take turns (a lock
    on the folder): a second one waits, then opens the store the first made (None is yielded)."""
    import duckdb

    try:
        made = _made_folders(path.parent)
        handle = os.open(path.parent, os.O_RDONLY)
    except OSError as exc:
        raise StoreError(f"无法在文件夹 {path.parent} 中创建数据库：{os_reason(exc)}") from None
    try:
        deadline, delay = time.monotonic() + _wait_seconds(), 0.05
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    found = [re.search(r"\.new-(\d+)", p.name) for p in _pending(path)]
                    holder = next((f"（进程 {f.group(1)}）" for f in found if f), "")
                    raise StoreError(f"数据库 {path} 正被另一个 pyhotline 进程{holder}创建（例如正在导入），"
                                     f"等待 {_wait_seconds():.0f} 秒后仍未完成；请等它结束后再试") from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        if path.exists():
            yield None
            return
        _remove(_pending(path))  # what a killed creation left (its creator held this lock)
        temp = path.with_name(f"{_building(path)}-{os.getpid()}")
        done = False
        try:
            try:
                con = duckdb.connect(str(temp))
            except duckdb.Error as exc:
                raise StoreError(f"无法创建数据库 {path}：{exc}") from None
            try:
                con.execute(f"SET memory_limit = '{_memory_limit()}'").fetchall()
                _create_schema(con)
                yield con
                con.execute("CHECKPOINT").fetchall()
            finally:
                con.close()
            try:
                os.link(temp, path)
            except FileExistsError:
                raise StoreError(f"数据库 {path} 在导入期间已由其他程序创建，本次导入没有写入：请重新运行") from None
            except OSError:  # a file system without hard links: this folder's creators take turns (the lock)
                os.rename(temp, path)
            done = True
        finally:
            _remove(_pending(path))
            if not done:
                for folder in made:
                    with contextlib.suppress(OSError):
                        folder.rmdir()  # only when empty
    finally:
        os.close(handle)


def _check_schema(con, path: Path) -> None:
    tables = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    if not set(TABLES) <= tables:
        raise StoreError(f"{path} 不是 pyhotline 数据库（缺少数据表）")


@contextmanager
def memory_store() -> Iterator:
    """A store in memory, for a one-off run inside one process (nothing written to disk)."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.execute(f"SET memory_limit = '{_memory_limit()}'").fetchall()
        yield con
    finally:
        con.close()


@contextmanager
def temporary_store() -> Iterator[Path]:
    """A store file in a new private folder (mode 0700), removed on leaving: for one-off runs on files."""
    folder = Path(tempfile.mkdtemp(prefix="pyhotline-store-"))
    try:
        yield folder / "oneoff.duckdb"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
