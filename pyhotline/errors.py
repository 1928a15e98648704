"""Exceptions raised by pyhotline.

Every error an analyst can cause (a bad file, a bad month, a bad scheme) is a
:class:`PyhotlineError`. Its message is in Chinese, says *where* the problem is
(file, row, column, value) and what was expected, so the command line can
print it as is.
"""

from __future__ import annotations

import errno
from pathlib import Path

#: The system's reasons, as an analyst reads them (the system's own words are English).
_OS_REASONS = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有读写权限",
    errno.EPERM: "没有权限",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "磁盘是只读的",
    errno.EEXIST: "文件已存在",
    errno.ENAMETOOLONG: "文件名过长",
    errno.ELOOP: "符号链接循环",
}


def os_reason(exc: OSError) -> str:
    """Why a file could not be opened, in Chinese (the errno's meaning; the system's text for rare ones)."""
    return _OS_REASONS.get(exc.errno, exc.strerror or str(exc))


#: A value quoted in a message is cut after this many characters (a 50 MB cell must not flood the terminal).
MAX_SHOWN_CHARS = 100


def _clipped(text: str) -> str:
    return text if len(text) <= MAX_SHOWN_CHARS else f"{text[:MAX_SHOWN_CHARS]}……（共 {len(text)} 个字符）"


class PyhotlineError(Exception):
    """Base class of every error pyhotline raises on purpose."""


class InputError(PyhotlineError):
    """A problem in an input file: names the file, row and column."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        expected: str | None = None,
    ) -> None:
        self.path = None if path is None else Path(path)
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        self.reason = message
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = []
        if self.path is not None:
            where.append(f"文件 {self.path.name}")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column is not None:
            where.append(f"“{self.column}”列")
        text = "，".join(where)
        text = f"{text}：{self.reason}" if text else self.reason
        if self.value is not None:
            text += f"（值为“{_clipped(str(self.value))}”）"
        if self.expected:
            text += f"；应为{self.expected}"
        return text


class MissingColumnError(InputError):
    """A required column is absent from the file's header."""


class UnknownUnitError(InputError):
    """A record names a unit that the units registry does not know."""


class SchemeError(PyhotlineError):
    """The scheme file (business rules) is missing or malformed."""

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        prefix = f"考评规则文件 {self.path.name}：" if self.path is not None else "考评规则："
        super().__init__(prefix + message)


class MonthError(PyhotlineError):
    """A month parameter that is not YYYY-MM, or a month without records."""


class FontError(PyhotlineError):
    """No font able to show Chinese characters could be found."""


class BulletinError(PyhotlineError):
    """Producing a bulletin failed; says which month and which notebook cell."""

    def __init__(self, month: str, message: str, *, cell: int | None = None) -> None:
        self.month = month
        self.cell = cell
        where = f"{month} 通报" + (f"（笔记本第 {cell} 个单元格）" if cell is not None else "")
        super().__init__(f"{where}生成失败：{message}")


class NotesError(InputError):
    """A problem in the office's notes file (pyhotline.notes): names the file and the line."""
