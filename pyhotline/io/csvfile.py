"""CSV files: encodings detected, every cell as text; the Arrow reader for well-formed big files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError
from .columns import Column, normalize_text
from .headers import find_header
from .values import _blank_cells, _blank_rows


#: Share of the non-ASCII characters that may be undecodable for a file still to be taken as UTF-8
#: with a few damaged bytes (a GBK file read as UTF-8 has nearly every Chinese character undecodable).
DAMAGED_SHARE = 0.05


def decode(raw: bytes, *, final: bool = True) -> tuple[str, str, bool]:
    """(text, encoding, damaged): UTF-8 (with or without BOM) or GB18030/GBK, told apart by what decodes.

    A few bytes that decode in neither (a damaged file) become U+FFFD in the text, so that only the
    cells holding them are refused (with their row), and only if a reader uses those columns.
    """
    import codecs

    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(raw, final=final), "utf-8-sig", False
    except UnicodeDecodeError:
        pass
    loose = codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode(raw, final=final)
    bad = loose.count("\ufffd")
    others = len(loose) - len(loose.encode("ascii", "ignore")) - bad
    if bad <= DAMAGED_SHARE * max(others, 1):
        return loose, "utf-8-sig", True
    try:
        return codecs.getincrementaldecoder("gb18030")().decode(raw, final=final), "gb18030", False
    except UnicodeDecodeError:
        wide = codecs.getincrementaldecoder("gb18030")(errors="replace").decode(raw, final=final)
        if wide.count("\ufffd") <= bad:
            return wide, "gb18030", True
        return loose, "utf-8-sig", True


def _read_csv(path: Path) -> pd.DataFrame:
    """All cells as text, rows padded to the widest (a one-cell title row above the header is fine).

    Blank lines are kept here, so row numbers match what a spreadsheet shows;
    :func:`read_table` drops empty rows after numbering.
    """
    import csv
    from io import StringIO

    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise InputError("这是一个 Excel 文件而不是 CSV", path=path, expected="把文件扩展名改为 .xlsx")
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError("这是一个旧版 Excel（.xls）文件而不是 CSV", path=path, expected="把文件扩展名改为 .xls")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            "这是 UTF-16 编码的“Unicode 文本”文件", path=path,
            expected="在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx",
        )
    text = decode(raw)[0]
    try:
        head = list(csv.reader(StringIO(text[:65536], newline="")))[:30]
    except csv.Error as exc:
        raise InputError(f"CSV 格式错误：{exc}", path=path) from None
    if not head:
        raise InputError("文件是空的", path=path)
    first = next((r for r in head if any(c.strip() for c in r)), [])
    if len(first) == 1 and any(sep in first[0] for sep in (";", "\t", "；")):
        raise InputError(
            f"表头只有一列（“{first[0][:40]}”），分隔符似乎不是逗号", path=path, row=head.index(first) + 1,
            expected="逗号分隔的 CSV（在 Excel 中另存为“CSV UTF-8（逗号分隔）”）",
        )
    width = max(len(r) for r in head)
    # A row with fewer fields than the header (a cut-off line) must not pass as empty cells. Lines
    # without quotes can be counted cheaply; only when one is short (a title row, or a cut-off line)
    # is the file read row by row, keeping each row's field count for read_table to check.
    short = any(
        line.count(",") < width - 1 for line in text.splitlines() if line.strip() and '"' not in line
    )
    if not short:
        try:  # the C parser, told the width, keeps blank lines as empty rows
            return pd.read_csv(
                StringIO(text), header=None, names=range(width), dtype=str, keep_default_na=False,
                skip_blank_lines=False, engine="c",
            )
        except (pd.errors.ParserError, ValueError):
            pass
    try:
        rows = list(csv.reader(StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(f"CSV 格式错误：{exc}", path=path) from None
    width = max(len(r) for r in rows)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)
    grid.attrs["fields"] = [len(r) for r in rows]
    return grid


#: Use the Arrow CSV reader when it can (tests switch it off to compare with the csv module).
ARROW_CSV = True


#: Columns with few distinct values, which the Arrow CSV reader keeps dictionary-encoded (others as text).
_ARROW_DICTIONARY_KINDS = {"count", "text", "unit", "enum", "flag"}


def _read_csv_arrow(
    path: Path, columns: tuple[Column, ...], aliases: dict[str, str]
) -> tuple[pd.DataFrame, list[str], int] | None:
    """The wanted columns of a well-formed CSV file, read by Arrow in C: (frame, all headers, header row).

    Only the columns the readers use leave the file (personal columns are
    never read, nor checked: a damaged byte in 诉求内容 does not stop the
    month), as text (few distinct values: dictionary-encoded) that the
    readers convert by their own rules. Returns None whenever the file is
    anything but plain (not UTF-8/GB18030 text, blank lines, rows blank in
    every column used, doubled headers, a row of the wrong width, ...):
    :func:`read_table` then reads it cell by cell and reports any problem
    with its row and column, exactly as before.
    """
    import csv
    from io import StringIO

    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not ARROW_CSV:
        return None
    with open(path, "rb") as fh:
        start = fh.read(65536)
        if not start or start.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xff\xfe", b"\xfe\xff")):
            return None
    text, encoding, damaged = decode(start, final=len(start) < 65536)
    if damaged:
        return None  # damaged bytes: read row by row, so that only cells holding them are refused
    try:
        head = list(csv.reader(StringIO(text, newline="")))[:30]
    except csv.Error:
        return None
    if not head or any(not r for r in head):
        return None
    header_at = find_header(pd.DataFrame([r + [""] * (30 - len(r)) for r in head]), columns, aliases)
    if header_at is None:
        return None  # read_table says what is wrong
    names = head[header_at]
    headers = [normalize_text(n) for n in names]
    if len(head) <= header_at + 1 or len(set(names)) != len(names) or len(names) < 2 or names[0].startswith("\ufeff"):
        return None
    kinds = {c.header: c.kind for c in columns}
    targets = [aliases.get(h, h) for h in headers]
    used = [(n, h, t) for n, h, t in zip(names, headers, targets) if t in kinds]
    if len({t for _, _, t in used}) != len(used):
        return None  # two columns for one header: read_table's rules apply
    # Everything as text, converted by the readers' own rules (Arrow's integer parser would take 0x1F).
    dictionary = pa.dictionary(pa.int32(), pa.string())
    types = {name: dictionary if kinds[target] in _ARROW_DICTIONARY_KINDS else pa.string() for name, _, target in used}
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=header_at, encoding="utf8" if encoding == "utf-8-sig" else encoding),
            # A blank line is a row of one field here, so the read fails and read_table keeps row numbers right.
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=types, include_columns=list(types), null_values=[""], strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, UnicodeDecodeError, ValueError, OSError):
        return None
    if table.column_names != list(types):
        return None
    frame = table.to_pandas(split_blocks=True, self_destruct=True)
    del table
    frame.columns = [h for _, h, _ in used]
    if _blank_rows(frame).any():
        return None  # a row blank in every column used: only the whole row tells if it is empty
    ids = [h for _, h, t in used if kinds[t] == "id"]
    if ids and _blank_cells(frame[ids[0]]).any():
        return None  # a row without its number (a totals row, a note): only the whole row tells
    frame.attrs["blank_rows"] = 0
    from .stated import stated_in_rows

    frame.attrs["stated"] = stated_in_rows(head[:header_at])  # 导出时间：… above the header
    return frame, headers, header_at + 1
