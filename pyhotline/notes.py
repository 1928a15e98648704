"""The office's notes for a month: its own words, merged into the bulletin where they belong.

A notes file is plain Markdown that the office edits (``notes/2024-05.md``; docs/layout.md
describes it). Level-2 headings (``## …``) open a part; the text before the first one is the
office's own remarks and never reaches the bulletin:

``## 工单 234376``
    The narrative of a named order (its 工单编号 as in the data). When the order is one of the
    month's named violations (problem 3, 担当精神还需提升) the note replaces the generated sentence;
    otherwise it is a paragraph at the end of 二、存在的问题. An order the month's data does not
    hold is an error naming it, the file and the line.
``## 典型案例``
    The month's typical cases: each ``### 标题`` opens one, numbered （一）（二）… in 楷体; a
    section of its own (三、典型案例) before 工作要求.
``## 基本情况`` / ``## 存在的问题`` / ``## 工作要求`` (with or without 一、二、三、)
    Extra paragraphs at the end of that section.

Paragraphs are separated by an empty line; the lines of a paragraph are joined. Everything is
taken literally (no Markdown markup, no placeholders): the notes carry only what the office
wrote, never data out of the store, and the bulletin escapes it like any other text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import NotesError

SECTIONS = {"基本情况": "basic", "存在的问题": "problems", "工作要求": "requirements"}
CASES = "典型案例"
MAX_BYTES = 1_000_000
_ORDER = re.compile(r"^工单\s*[:：]?\s*(\S+)$")
_NUMBERED = re.compile(r"^[一二三四五六七八九十]+、\s*")


@dataclass
class Case:
    title: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Notes:
    """What a notes file holds: order narratives, typical cases, extra paragraphs per section."""

    path: Path
    orders: dict[str, str] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)
    extra: dict[str, list[str]] = field(default_factory=dict)

    def order_text(self, order_id: str) -> str | None:
        return self.orders.get(str(order_id))

    def paragraphs(self, section: str) -> list[str]:
        """Extra paragraphs for ``basic``, ``problems`` or ``requirements``."""
        return self.extra.get(section, [])


def notes_file(source: str | Path | None, month: str | pd.Period) -> Path | None:
    """The notes file of ``month``: ``source`` itself, or ``<source>/<month>.md`` when it is a folder
    (a month without a file has no notes). None: no notes."""
    if source is None or not str(source).strip():
        return None
    path = Path(source)
    if path.is_dir():
        candidate = path / f"{pd.Period(month, 'M')}.md"
        return candidate if candidate.is_file() else None
    if not path.is_file():
        raise NotesError("找不到通报备注文件", path=path)
    return path


def load_notes(source: str | Path | None, orders: pd.DataFrame, month: str | pd.Period) -> Notes | None:
    """Read the month's notes (see :func:`notes_file`) and check every order they name against the
    month's orders (accepted, due or closed in the month)."""
    path = notes_file(source, month)
    if path is None:
        return None
    notes, lines = parse_notes(path)
    known = month_order_ids(orders, month)
    for order_id in notes.orders:
        if order_id not in known:
            raise NotesError(
                f"备注的工单 {order_id} 不在 {pd.Period(month, 'M')} 的工单数据中（本月受理、到期或办结的工单）；"
                "请核对工单编号",
                path=path, row=lines[order_id],
            )
    return notes


def month_order_ids(orders: pd.DataFrame, month: str | pd.Period) -> set[str]:
    month = pd.Period(month, "M")
    touched = pd.Series(False, index=orders.index)
    for column in ("accepted_at", "deadline", "closed_at"):
        if column in orders:
            touched |= orders[column].dt.to_period("M").eq(month).fillna(False)
    return set(orders.loc[touched, "order_id"].astype(str))


def parse_notes(path: str | Path) -> tuple[Notes, dict[str, int]]:
    """The notes of a file, and the line of each order heading (for messages)."""
    path = Path(path)
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise NotesError(f"通报备注文件过大（{len(raw)} 字节，最多 {MAX_BYTES} 字节）", path=path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise NotesError("不是 UTF-8 编码的文本；请以 UTF-8 保存", path=path, row=row) from None
    notes = Notes(path=path)
    lines: dict[str, int] = {}
    part: tuple[str, str | None] | None = None  # ("order", id) / ("cases", None) / ("section", key)
    paragraph: list[str] = []
    target: list[str] | None = None

    def flush() -> None:
        nonlocal paragraph
        if paragraph and target is not None:
            target.append(_join(paragraph))
        paragraph = []

    order_parts: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        _check_characters(line, path, number)
        stripped = line.strip()
        if stripped.startswith("## ") or stripped == "##":
            flush()
            heading = stripped[2:].strip()
            match = _ORDER.match(heading)
            if match:
                order_id = match.group(1).strip("[]【】")
                if order_id in lines:
                    raise NotesError(f"工单 {order_id} 已在第 {lines[order_id]} 行写过备注；每个工单只写一处",
                                     path=path, row=number)
                lines[order_id] = number
                part, target = ("order", order_id), order_parts.setdefault(order_id, [])
            elif heading == CASES:
                part, target = ("cases", None), None
            elif _NUMBERED.sub("", heading) in SECTIONS:
                key = SECTIONS[_NUMBERED.sub("", heading)]
                part, target = ("section", key), notes.extra.setdefault(key, [])
            else:
                raise NotesError(
                    f"不认识的标题“## {heading}”；可用：## 工单 编号、## {CASES}、"
                    + "、".join(f"## {s}" for s in SECTIONS),
                    path=path, row=number,
                )
        elif stripped.startswith("### "):
            flush()
            if part is None or part[0] != "cases":
                raise NotesError(f"“### 标题”只用于 ## {CASES} 之下，每个标题开始一个案例", path=path, row=number)
            notes.cases.append(Case(stripped[4:].strip()))
            target = notes.cases[-1].paragraphs
        elif stripped.startswith("#") and part is not None:
            raise NotesError("标题应写作“## …”（两个 #）或“### …”（典型案例的标题）", path=path, row=number)
        elif not stripped:
            flush()
        elif part is not None:
            if part[0] == "cases" and target is None:
                notes.cases.append(Case(""))
                target = notes.cases[-1].paragraphs
            paragraph.append(stripped)
    flush()
    for order_id, paragraphs in order_parts.items():
        if not paragraphs:
            raise NotesError(f"工单 {order_id} 的备注是空的", path=path, row=lines[order_id])
        notes.orders[order_id] = "".join(paragraphs)
    return notes, lines


def _join(lines: list[str]) -> str:
    """Lines of one paragraph as one text: Chinese joined directly, a space only between Latin words."""
    out = lines[0]
    for line in lines[1:]:
        out += (" " if out[-1].isascii() and out[-1].isalnum() and line[0].isascii() and line[0].isalnum() else "") + line
    return out


def _check_characters(line: str, path: Path, number: int) -> None:
    """Control and invisible format characters (zero-width, direction overrides) are refused: they
    would hide or reorder text in the printed bulletin."""
    for ch in line:
        if ch == "\t":
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Co", "Cs") or ch in "\u2028\u2029":
            raise NotesError(
                f"含有不可见的控制字符 U+{ord(ch):04X}（{unicodedata.name(ch, '未命名')}）；请删除后再保存",
                path=path, row=number,
            )
