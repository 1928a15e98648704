"""Another local user, a killed run, a hung run: what the bulletin command does about them.

- The notebook kernel is started from memory (pyhotline.kernel): a ``kernel.json`` planted anywhere
  (``JUPYTER_PATH``, the old shared temp folder) and rewritten all the time is never run.
- Locks live in a folder only the user can write; a folder of someone else, writable by others or a
  link is refused with a Chinese message; a lock held too long names its holder.
- The swap into ``outputs/<month>/`` can be killed at each step: the folder holds the previous or the
  new complete bulletin, and the next run removes (or puts back) what the killed one left.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pyhotline import locks, runner

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, cwd: Path, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p), **(env or {})}
    return subprocess.run([sys.executable, "-m", "pyhotline.cli", *map(str, args)], cwd=cwd, env=environment,
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout)


PLANTER = r"""
import hashlib, json, sys, time
from pathlib import Path
marker, folders = sys.argv[1], sys.argv[2:]
spec = {"argv": [sys.executable, "-c", f"open({marker!r}, 'w').write('ran')"],
        "display_name": "planted", "language": "python"}
names = ["pyhotline", "python3", "python",  # and the name older versions wrote to the shared temp folder
         "pyhotline-" + hashlib.sha256(sys.executable.encode()).hexdigest()[:10]]
names += [p.name for f in folders for p in Path(f, "kernels").glob("*") if p.is_dir()]
while True:
    for folder in folders:
        for name in set(names):
            target = Path(folder, "kernels", name)
            target.mkdir(parents=True, exist_ok=True)
            (target / "kernel.json").write_text(json.dumps(spec))
    time.sleep(0.01)
"""


def test_a_planted_kernelspec_never_runs(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    old_place = temp / f"pyhotline-jupyter-{os.getuid()}"
    jupyter_path = tmp_path / "planted"
    marker = tmp_path / "ran.txt"
    planter = subprocess.Popen([sys.executable, "-c", PLANTER, str(marker), str(old_place), str(jupyter_path)])
    try:
        time.sleep(0.5)
        env = {"TMPDIR": str(temp), "JUPYTER_PATH": str(jupyter_path), "JUPYTER_DATA_DIR": str(jupyter_path)}
        proc = cli("bulletin", "--month", "2024-05", "--out-dir", tmp_path / "out", cwd=tmp_path, env=env)
    finally:
        planter.kill()
        planter.wait()
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()
    assert (tmp_path / "out" / "2024-05" / "bulletin.pdf").is_file()
    assert "KeyboardInterrupt" not in proc.stderr and "IPKernelApp" not in proc.stderr


def test_no_kernelspec_file_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    from pyhotline.kernel import OwnKernelManager, kernel_spec

    name = runner.ensure_kernel()
    assert list(tmp_path.iterdir()) == []
    assert kernel_spec().argv[:3] == [sys.executable, "-m", "ipykernel_launcher"]
    assert OwnKernelManager(kernel_name=name).kernel_spec.argv[0] == sys.executable


def test_injected_parameters_read_as_chinese():
    from papermill.translators import papermill_translators

    runner.ensure_kernel()
    translator = papermill_translators.find_translator("pyhotline", "python")
    values = {"notes": "/tmp/平江\"通报\n'x'\\", "issue": 3, "odd": "\ud800\u2028\x7f"}
    code = translator.codify(values)
    assert 'notes = "/tmp/平江' in code
    scope: dict = {}
    exec(code, scope)  # literals that read back exactly
    assert {k: scope[k] for k in values} == values
    code.encode("utf-8")


# ---- locks ---------------------------------------------------------------------------------------

def test_lock_folder_writable_by_others_is_refused(tmp_path):
    folder = tmp_path / "locks"
    folder.mkdir()
    folder.chmod(0o777)
    proc = cli("bulletin", "--month", "2024-05", "--out-dir", tmp_path / "out", cwd=tmp_path,
               env={"PYHOTLINE_LOCK_DIR": str(folder)})
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "其他用户也能写入" in proc.stderr and "PYHOTLINE_LOCK_DIR" in proc.stderr
    assert not (tmp_path / "out" / "2024-05").exists()


@pytest.mark.skipif(os.getuid() != 0, reason="giving a folder to another user needs root")
def test_lock_folder_of_another_user_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "locks"
    folder.mkdir(mode=0o700)
    os.chown(folder, 12345, 12345)
    monkeypatch.setenv("PYHOTLINE_LOCK_DIR", str(folder))
    with pytest.raises(locks.LockError, match="属于另一个用户"):
        locks.lock_dir()


def test_lock_folder_that_is_a_link_is_refused(tmp_path, monkeypatch):
    (tmp_path / "real").mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    monkeypatch.setenv("PYHOTLINE_LOCK_DIR", str(tmp_path / "link"))
    with pytest.raises(locks.LockError, match="不是普通文件夹"):
        locks.lock_dir()


def test_lock_folder_is_private(tmp_path, monkeypatch):
    monkeypatch.setenv("PYHOTLINE_LOCK_DIR", str(tmp_path / "locks"))
    folder = locks.lock_dir()
    assert (folder.stat().st_mode & 0o777) == 0o700


HOLDER = r"""
import sys, time
from pathlib import Path
from pyhotline.locks import locked
with locked(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_lock_held_too_long_names_its_holder(tmp_path, monkeypatch):
    monkeypatch.setenv("PYHOTLINE_LOCK_DIR", str(tmp_path / "locks"))
    target = tmp_path / "out" / "2024-05"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(target)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(locks.LockError) as info:
            with locks.locked(target, timeout=0.5):
                pass
        assert f"进程 {holder.pid}" in str(info.value) and f"kill {holder.pid}" in str(info.value)
    finally:
        holder.kill()
        holder.wait()
    with locks.locked(target, timeout=0.5):  # released when its process ended
        pass


# ---- the swap ------------------------------------------------------------------------------------

def _bulletin(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True)
    for name in ("bulletin.html", "bulletin.pdf", "evaluation.xlsx"):
        (folder / name).write_text(text)
    return folder


def _holds_a_complete_bulletin(final: Path) -> str:
    texts = {(final / n).read_text() for n in ("bulletin.html", "bulletin.pdf", "evaluation.xlsx")}
    assert len(texts) == 1, texts
    return texts.pop()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


class Killed(BaseException):
    """The run dies here: nothing after it (no cleanup of ours) happens."""


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
@pytest.mark.parametrize("step", [0, 1, 2, 3])
def test_swap_killed_at_each_step_keeps_a_bulletin(tmp_path, monkeypatch, step, exchange):
    monkeypatch.setenv("PYHOTLINE_LOCK_DIR", str(tmp_path / "locks"))
    out = tmp_path / "out"
    final = _bulletin(out / "2024-05", "previous")
    dead = _dead_pid()
    staging = _bulletin(out / f".2024-05-staging-{dead}-abc", "new")
    calls = {"n": 0}
    real_rename, real_rmtree, real_exchange = os.rename, runner.shutil.rmtree, runner._exchange

    def count():
        if calls["n"] == step:
            raise Killed
        calls["n"] += 1

    def rename(a, b):
        count()
        real_rename(a, b)

    def rmtree(path, ignore_errors=False):
        count()
        real_rmtree(path, ignore_errors=ignore_errors)

    def swap(a, b):
        count()
        return real_exchange(a, b) if exchange else False

    monkeypatch.setattr(runner.os, "getpid", lambda: dead)
    monkeypatch.setattr(runner.os, "rename", rename)
    monkeypatch.setattr(runner.shutil, "rmtree", rmtree)
    monkeypatch.setattr(runner, "_exchange", swap)
    try:
        runner._swap_into_place(staging, final)
        finished = True
    except Killed:
        finished = False
    monkeypatch.undo()
    monkeypatch.setenv("PYHOTLINE_LOCK_DIR", str(tmp_path / "locks"))
    if finished or exchange:  # with an atomic exchange the folder is whole at every instant
        assert _holds_a_complete_bulletin(final) in ("previous", "new")
    runner.repair(final)  # the next run
    assert _holds_a_complete_bulletin(final) in ("previous", "new")
    assert [p.name for p in out.iterdir()] == ["2024-05"]


def test_swap_replaces_the_previous_bulletin(tmp_path, monkeypatch):
    monkeypatch.setenv("PYHOTLINE_LOCK_DIR", str(tmp_path / "locks"))
    out = tmp_path / "out"
    final = _bulletin(out / "2024-05", "previous")
    staging = _bulletin(out / f".2024-05-staging-{os.getpid()}-abc", "new")
    runner._swap_into_place(staging, final)
    assert _holds_a_complete_bulletin(final) == "new"
    assert sorted(p.name for p in out.iterdir()) == [".2024-05-staging-%d-abc" % os.getpid(), "2024-05"]


def test_repair_leaves_live_runs_alone(tmp_path):
    out = tmp_path / "out"
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        _bulletin(out / "2024-05", "previous")
        mine = _bulletin(out / f".2024-05-staging-{live.pid}-x", "new")
        other_month = _bulletin(out / f".2024-06-staging-{_dead_pid()}-x", "new")
        runner.repair(out / "2024-05")
        assert mine.exists() and other_month.exists()
    finally:
        live.kill()
        live.wait()


def test_months_number_the_issues(monkeypatch):
    assert [runner._numbered({"issue": 7}, i)["issue"] for i in range(3)] == [7, 8, 9]
    assert runner._numbered({"issue": None}, 2)["issue"] is None


def test_executed_notebook_shows_chinese_parameters(tmp_path):
    out = tmp_path / "通报"
    proc = cli("bulletin", "--months", "2024-04:2024-05", "--issue", "7", "--out-dir", out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "KeyboardInterrupt" not in proc.stderr and "IPKernelApp" not in proc.stderr
    for month, issue in (("2024-04", 7), ("2024-05", 8)):
        nb = json.loads((out / month / "bulletin.ipynb").read_text(encoding="utf-8"))
        injected = next(c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
        source = "".join(injected["source"])
        assert "通报" in source and "\\u" not in source
        assert f"issue = {issue}" in source


# ---- every command with garbage --------------------------------------------------------------------

GARBAGE = [
    ["evaluate", "--month", "2024-05", "--out", "x.csv", "--encoding", "rot13"],
    ["evaluate", "--month", "2024-05", "--out", "x.csv", "--encoding", "no-such-codec"],
    ["evaluate", "--month", "2024-13", "--out", "x.xlsx"],
    ["evaluate", "--month", "2024-05", "--out", "folder"],
    ["evaluate", "--month", "2024-05", "--out", "x.doc"],
    ["evaluate", "--month", "2024-05", "--out", "junk.bin/x.xlsx"],
    ["evaluate", "--month", "2024-05", "--out", "x.csv", "--orders", "junk.xlsx", "--units", "junk.csv"],
    ["evaluate", "--month", "2024-05", "--out", "x.csv", "--store", "junk.bin"],
    ["import", "--orders", "junk.xlsx"],
    ["import", "--orders", "folder"],
    ["import", "--orders", "/dev/null"],
    ["import", "--orders", "nope.csv"],
    ["import", "--as-of", "garbage", "--orders", "empty.csv"],
    ["import"],
    ["check", "--orders", "junk.xlsx", "--units", "junk.csv"],
    ["check", "--scheme", "bad.toml"],
    ["check", "--store", "junk.bin"],
    ["check", "--letters", "/dev/null"],
    ["bulletin", "--month", "2024-13"],
    ["bulletin", "--months", "2024-06:2024-03"],
    ["bulletin", "--months", "x:y"],
    ["bulletin", "--month", "2024-05", "--issue", "0"],
    ["bulletin", "--month", "2024-05", "--date", "2024-02-30"],
    ["bulletin", "--month", "2024-05", "--jobs", "0"],
    ["bulletin", "--month", "2024-05", "--out-dir", "junk.bin"],
    ["bulletin", "--month", "2024-05", "--scheme", "bad.toml"],
    ["bulletin", "--month", "2024-05", "--orders", "junk.csv", "--units", "junk.csv"],
    ["frobnicate"],
    [],
]


def test_every_command_with_garbage_gives_a_chinese_message(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    (tmp_path / "junk.bin").write_bytes(bytes(range(256)) * 12)
    (tmp_path / "junk.xlsx").write_bytes(bytes(range(256)) * 12)
    (tmp_path / "junk.csv").write_bytes(bytes(range(256)) * 12)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "bad.toml").write_text("not = [toml\n")
    (tmp_path / "folder").mkdir()
    with ThreadPoolExecutor(2) as pool:
        env = {"PYHOTLINE_STORE": str(tmp_path / "store.duckdb")}  # never the shared no-store path of conftest
        results = list(pool.map(lambda argv: (argv, cli(*argv, cwd=tmp_path, env=env, timeout=120)), GARBAGE))
    for argv, proc in results:
        assert proc.returncode in (1, 2), (argv, proc.returncode, proc.stderr)
        assert "Traceback" not in proc.stderr and "内部错误" not in proc.stderr, (argv, proc.stderr)
        assert "错误：" in proc.stderr, (argv, proc.stderr)
    assert not (tmp_path / "outputs").exists() and not (tmp_path / "x.csv").exists()
