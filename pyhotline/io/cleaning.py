"""Characters nobody can see: removed from every cell once, at reading, or the row refused.

The policy (docs/input-errors.md): invisible format characters (zero-width
space, zero-width joiners, byte-order marks inside text, soft hyphens, bidi
controls, variation selectors, Unicode category Cf) and NUL are removed from
the cell, and the file's data-quality note says how many cells were cleaned
in which column (a warning; an error with ``--strict``); so 市场管理类 followed by
a zero-width space is 市场管理类. Other control characters (U+0001-U+001F except
tab, line feed and carriage return, U+007F-U+009F) are refused with the row and
column: they are signs of a damaged file, and Excel cannot hold them. Every
reader (CSV, Excel, Parquet, HTML) and ``pyhotline check`` go through here.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .problems import _report_rows

# Unicode category Cf (Unicode 14), plus the invisible characters of other categories: the combining
# grapheme joiner, Hangul fillers, variation selectors. NUL is removed the same way.
_INVISIBLE_RANGES = (
    "\x00\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\u034f\u115f\u1160\u3164\uffa0\ufe00-\ufe0f\u180b-\u180d\u180f\U000e0100-\U000e01ef"
)
INVISIBLE = re.compile(f"[{_INVISIBLE_RANGES}]")
#: Control characters refused (tab, line feed and carriage return are ordinary white space), and U+FFFD,
#: which stands for a byte that decoded in no encoding (a damaged file).
CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


def _re2(chars: str) -> str:
    """A Python character class as RE2 syntax (Arrow's regular expressions)."""
    return "".join(f"\\x{{{ord(c):x}}}" if (ord(c) < 0x20 or ord(c) > 0x7e) else c for c in chars)


_INVISIBLE_RE2 = f"[{_re2(_INVISIBLE_RANGES)}]"
_CONTROL_RE2 = f"[{_re2(CONTROL.pattern[1:-1])}]"


def remove_invisible(text: str) -> str:
    """``text`` without the invisible characters (used for headers and names compared)."""
    return INVISIBLE.sub("", text)


def shown(text: str) -> str:
    """``text`` with every invisible or control character written out as <U+200B>, for messages."""
    return CONTROL.sub(_code, INVISIBLE.sub(_code, text))


def _code(match: re.Match) -> str:
    return f"<U+{ord(match.group()):04X}>"


def clean_cells(values: pd.Series, header: str, path: Path, rows: pd.Series, notes: list[InputError]) -> pd.Series:
    """``values`` with invisible characters removed (a note for the data-quality summary, appended to
    ``notes``); a cell holding another control character is reported on its row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = values.cat.categories
        if not (pd.api.types.is_string_dtype(categories.dtype) or categories.dtype == object):
            return values
        texts = pa.array(np.asarray(categories, dtype=object), pa.string(), from_pandas=True)
        codes = values.cat.codes.to_numpy()
    elif pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
        array = values.array
        try:
            texts = array.__arrow_array__() if hasattr(array, "__arrow_array__") else pa.array(
                values.to_numpy(dtype=object), pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            return values  # not text cells (a typed column): nothing to clean
        if isinstance(texts, pa.ChunkedArray):
            texts = texts.combine_chunks()
        codes = None
    else:
        return values
    # Nearly always every character is printable: one fast pass says so and nothing else is done.
    if pc.all(pc.fill_null(pc.utf8_is_printable(texts), True)).as_py() is not False and not pc.any(
            pc.fill_null(pc.match_substring(texts, "\ufffd"), False)).as_py():
        return values
    control = np.asarray(pc.fill_null(pc.match_substring_regex(texts, _CONTROL_RE2), False), dtype=bool)
    invisible = np.asarray(pc.fill_null(pc.match_substring_regex(texts, _INVISIBLE_RE2), False), dtype=bool)
    if not control.any() and not invisible.any():
        return values
    cell_control = control if codes is None else np.append(control, False)[codes]
    cell_invisible = invisible if codes is None else np.append(invisible, False)[codes]

    def text_at(p: int) -> str:
        return str(values.iloc[p])

    def refused(p: int) -> InputError:
        text = text_at(p)
        reason = (
            "含有无法识别的字符（文件中这里的字节已损坏，或编码不对）" if "\ufffd" in text
            else "含有控制字符（Excel 无法保存这类字符，可能是文件损坏或编码不对）"
        )
        return InputError(reason, path=path, row=int(rows.iloc[p]), column=header, value=shown(text),
                          expected="改正这些字符后重新导出")

    _report_rows(np.flatnonzero(cell_control), refused)
    if cell_invisible.any():
        first = int(np.flatnonzero(cell_invisible)[0])
        where = dict(path=path, row=int(rows.iloc[first]), column=header, value=shown(text_at(first)))
        count = int(cell_invisible.sum())
        note = InputError(f"有 {count} 个单元格含有看不见的字符（零宽空格、NUL 等），已删除这些字符", **where)
        # with --strict nothing is read, so nothing was deleted: the error says what to do instead
        note.as_error = InputError(f"有 {count} 个单元格含有看不见的字符（零宽空格、NUL 等）", **where,
                                   expected="删除这些字符后重新导出（不加 --strict 时会自动删除并在数据说明中注明）")
        notes.append(note)
    # Refused cells lose their control characters too: gathered by ``check``, they cause no second message.
    cleaned = pc.replace_substring_regex(texts, _INVISIBLE_RE2[:-1] + _CONTROL_RE2[1:], "")
    if codes is None:
        return pd.Series(pd.array(cleaned, dtype="str"), index=values.index)
    mapped = np.append(np.asarray(cleaned.to_pylist(), dtype=object), np.nan)[codes]
    return pd.Series(pd.array(mapped, dtype="str"), index=values.index)


#: Text markers exports put around a value so that Excel keeps it as written (leading zeros, long
#: numbers): a leading apostrophe (``'0012``) and the formula literal ``="0012"``.
_WRAPPED = r'^="((?:[^"]|"")*)"$'


def unwrap_text_markers(values: pd.Series) -> pd.Series:
    """``values`` with the text markers removed: ``'0012`` and ``="0012"`` are ``0012`` (``""`` inside the
    literal is one quote). Anything else starting with ``=`` is left as written (it is text, never run)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(values.dtype, pd.CategoricalDtype):  # the fast CSV reader's few-valued columns
        categories = values.cat.categories
        if not (pd.api.types.is_string_dtype(categories.dtype) or categories.dtype == object):
            return values
        texts = pd.Series(np.asarray(categories, dtype=object), dtype="str")
        unwrapped = unwrap_text_markers(texts)
        if unwrapped is texts:
            return values
        mapped = np.append(unwrapped.to_numpy(dtype=object), np.nan)[values.cat.codes.to_numpy()]
        return pd.Series(pd.array(mapped, dtype="str"), index=values.index)
    if not pd.api.types.is_string_dtype(values.dtype):
        return values
    array = values.array
    texts = array.__arrow_array__() if hasattr(array, "__arrow_array__") else pa.array(
        values.to_numpy(dtype=object), pa.string(), from_pandas=True)
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    marked = pc.or_(pc.starts_with(texts, "'"), pc.starts_with(texts, '="'))
    if not pc.any(pc.fill_null(marked, False)).as_py():
        return values
    wrapped = pc.fill_null(pc.match_substring_regex(texts, _WRAPPED), False)
    unwrapped = pc.replace_substring(pc.replace_substring_regex(texts, _WRAPPED, r"\1"), '""', '"')
    texts = pc.if_else(wrapped, unwrapped, texts)
    texts = pc.if_else(pc.fill_null(pc.starts_with(texts, "'"), False), pc.utf8_slice_codeunits(texts, 1), texts)
    return pd.Series(pd.array(texts, dtype="str"), index=values.index)
