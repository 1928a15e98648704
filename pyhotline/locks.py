"""Locks in a folder only the user can write, with a timeout that names the holder.

The lock folder is ``$PYHOTLINE_LOCK_DIR`` or ``<temp>/pyhotline-locks-<uid>``. It is
created with mode 0700; before each use it must be a real folder (not a link)
owned by this user and writable by no one else, or pyhotline refuses to run
(someone may have created it first to block or spy on the runs). A lock held
longer than ``$PYHOTLINE_LOCK_TIMEOUT`` seconds (default 300) ends the wait with
a message naming the process that holds it and how to clear it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import PyhotlineError


class LockError(PyhotlineError):
    """The lock folder is unsafe, or a lock is held too long."""


def lock_dir() -> Path:
    """The private lock folder, created or checked (owner, mode, not a link)."""
    configured = os.environ.get("PYHOTLINE_LOCK_DIR")
    folder = Path(configured) if configured else Path(tempfile.gettempdir()) / f"pyhotline-locks-{os.getuid()}"
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    check_private(folder)
    return folder


def check_private(folder: Path) -> None:
    """Refuse a folder that is a link, not a folder, another user's, or writable by group or others."""
    info = os.lstat(folder)
    how = "（请删除它，或用环境变量 PYHOTLINE_LOCK_DIR 指定一个只有您能写的文件夹）"
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise LockError(f"锁文件夹 {folder} 不是普通文件夹（可能是别人放的链接），不安全，拒绝使用{how}")
    if info.st_uid != os.getuid():
        raise LockError(f"锁文件夹 {folder} 属于另一个用户（uid {info.st_uid}），可能是别人抢先建立的，"
                        f"拒绝使用{how}")
    if info.st_mode & 0o022:
        raise LockError(f"锁文件夹 {folder} 其他用户也能写入（权限 {stat.filemode(info.st_mode)}），"
                        f"拒绝使用{how}")
    if info.st_mode & 0o077:
        os.chmod(folder, 0o700)


def _timeout() -> float:
    try:
        return float(os.environ.get("PYHOTLINE_LOCK_TIMEOUT", "300"))
    except ValueError:
        return 300.0


@contextlib.contextmanager
def locked(what: Path, *, timeout: float | None = None) -> Iterator[Path]:
    """Hold the lock for the path ``what`` (one lock file per resolved path, never deleted)."""
    timeout = _timeout() if timeout is None else timeout
    key = hashlib.sha256(str(Path(what).resolve()).encode()).hexdigest()[:16]
    lock_path = lock_dir() / f"{key}.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(fd)
                if time.monotonic() >= deadline:
                    raise LockError(
                        f"{what} 正被{holder}占用，已等待 {timeout:g} 秒仍未释放。若那次运行已卡住，"
                        f"请结束它（kill {holder_pid(fd) or '<进程号>'}）后重试；进程结束时锁自动释放"
                        f"（锁文件 {lock_path}）"
                    ) from None
                if not told:
                    print(f"注意：{what} 正被{holder}占用，等待其完成……", file=sys.stderr)
                    told = True
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {dt.datetime.now().isoformat(timespec='seconds')}\n".encode(), 0)
        yield lock_path
    finally:
        os.close(fd)  # releases the lock


def holder_pid(fd: int) -> int | None:
    try:
        return int(os.pread(fd, 100, 0).split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _holder(fd: int) -> str:
    try:
        pid, since = os.pread(fd, 100, 0).decode().split()[:2]
        return f"进程 {pid}（自 {since.replace('T', ' ')} 起）"
    except (OSError, ValueError, UnicodeDecodeError):
        return "另一个进程"
