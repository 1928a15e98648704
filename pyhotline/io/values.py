"""Converting a column's cells to typed values by the column's kind, reporting each bad cell."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from .columns import _NO, _SPACES, _YES, Column, _cell_text, normalize_text
from .problems import _positions, _report_rows
from .times import _typed_datetimes, _usual_result, parse_datetimes


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows with every cell blank (null or the empty string); stops looking once no row can be."""
    blank = np.full(len(frame), bool(len(frame.columns)), dtype=bool)
    for name in frame.columns:
        if not blank.any():
            break
        blank &= _blank_cells(frame[name])
    return blank


def _blank_cells(values: pd.Series) -> np.ndarray:
    """Null cells, and text cells holding the empty string."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        blank_category = np.asarray(values.cat.categories == "", dtype=bool)
        codes = values.cat.codes.to_numpy()
        return (codes < 0) | np.append(blank_category, False)[codes]
    blank = np.array(values.isna(), dtype=bool)
    if pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
        blank |= (values == "").fillna(False).to_numpy(dtype=bool)
    return blank


def _default(col: Column, n: int) -> pd.Series:
    if col.kind == "flag":
        return pd.Series([True] * n if col.name == "assessed" else [False] * n, dtype=bool)
    if col.kind == "datetime":
        return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    if col.kind == "count":
        return pd.Series(0, index=range(n), dtype="int64")
    if col.kind == "aliases":
        return pd.Series([()] * n, dtype=object)
    return pd.Series([""] * n, dtype=str)


# Columns are converted through their distinct values: a column of ten million
# cells holding fifty unit names is normalised fifty times, not ten million.
def _factorize(values: pd.Series) -> tuple[np.ndarray, list]:
    """``values`` as (codes, uniques): cell i holds ``uniques[codes[i]]``; missing values are a unique too."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.intp)
        uniques = list(values.cat.categories)
        if (codes < 0).any():
            codes = np.where(codes < 0, len(uniques), codes)
            uniques.append(np.nan)
        return codes, uniques
    array = values.array
    if isinstance(array, pd.arrays.ArrowStringArray):
        import pyarrow as pa
        import pyarrow.compute as pc

        chunked = pa.chunked_array(array._pa_array) if not hasattr(array._pa_array, "chunks") else array._pa_array
        encoded = pc.dictionary_encode(chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0), null_encoding="encode")
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
        uniques = [np.nan if u is None else u for u in encoded.dictionary.to_pylist()]
        return codes, uniques
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes.astype(np.intp), list(uniques)


def _text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, texts): each cell's text, stripped, is ``texts[codes[i]]`` (a missing value reads as "")."""
    codes, uniques = _factorize(values)
    if isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(values.dtype):
        texts = pd.Series(["" if _missing(u) else str(u) for u in uniques], dtype=str)
    else:
        texts = pd.Series([_cell_text(u) for u in uniques], dtype=str)
    return codes, texts.str.strip().to_numpy(dtype=object)


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def _as_text(values: pd.Series) -> pd.Series:
    """Every cell as stripped text (typed Parquet columns written as a spreadsheet shows them)."""
    if pd.api.types.is_string_dtype(values.dtype) and not isinstance(values.dtype, pd.CategoricalDtype):
        return values.fillna("").astype(str).str.strip() if values.hasnans else values.astype(str).str.strip()
    if pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(str)
    codes, texts = _text_codes(values)
    return _take(texts, codes, values.index)


def _half_width(values: pd.Series) -> pd.Series:
    """Text cells with their full-width letters, digits and spaces as ordinary ones (NFKC), stripped again;
    a column of plain ASCII, the usual case, is returned as it is after one Arrow pass."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = values.array
    texts = array.__arrow_array__() if hasattr(array, "__arrow_array__") else pa.array(
        values.to_numpy(dtype=object), pa.string(), from_pandas=True)
    if pc.all(pc.fill_null(pc.string_is_ascii(texts), True)).as_py():
        return values
    return pd.Series(pd.array(pc.utf8_trim_whitespace(pc.utf8_normalize(texts, "NFKC")), dtype="str"), index=values.index)


def _take(uniques, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """A text column from its distinct values and codes (Arrow-backed, no Python string per cell)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    dictionary = pa.array(list(uniques), type=pa.large_string())
    return pd.Series(pd.array(pc.take(dictionary, pa.array(codes)), dtype="str"), index=index)


def _bad_positions(bad_unique: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Positions of the cells whose distinct value is flagged."""
    if not bad_unique.any():
        return np.array([], dtype=np.intp)
    return np.flatnonzero(bad_unique[codes])


def _convert(values: pd.Series, col: Column, path: Path, rows: pd.Series, usual: pd.Series | None = None) -> pd.Series:
    if col.kind == "datetime" and usual is not None:  # parsed already (_usual_times_side_by_side)
        return _usual_result(values, usual, col.header, path, rows, required=not col.nullable)
    if col.kind == "datetime" and pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _typed_datetimes(values, col, path, rows)
    if col.kind == "count" and _is_number(values.dtype):
        return _typed_counts(values, col, path, rows)
    if col.kind in ("id", "datetime", "label"):
        values = _as_text(values)
        if col.kind == "datetime":
            return parse_datetimes(
                values, column=col.header, path=path, rows=rows, required=not col.nullable, end_of_day=col.end_of_day
            )
        if col.kind == "label":  # printed as written (full-width brackets, inner spaces stay); runs of
            values = values.str.replace(_SPACES, " ", regex=True).str.strip()  # whitespace -> one space
        if col.kind == "id":  # ＰＪ２０２４… is PJ2024…: one order whatever the input method (the store merges by it)
            values = _half_width(values)
        blank = values == ""
        if col.required and blank.any():
            _report_rows(_positions(blank), lambda p: InputError("不能为空", path=path, row=int(rows.iloc[p]), column=col.header))
        return values
    codes, texts = _text_codes(values)
    if col.kind == "text":
        if col.required:
            _report_rows(
                _bad_positions(texts == "", codes),
                lambda p: InputError("不能为空", path=path, row=int(rows.iloc[p]), column=col.header),
            )
        return _take([normalize_text(t) for t in texts], codes, values.index)
    if col.kind == "unit":
        return _take([normalize_text(t) for t in texts], codes, values.index)
    if col.kind == "aliases":
        split = [tuple(a for a in (normalize_text(x) for x in re.split(r"[；;、,，]", v)) if a) for v in texts]
        out = np.empty(len(split), dtype=object)
        out[:] = split
        return pd.Series(out[codes], index=values.index, dtype=object)
    if col.kind == "enum":
        cleaned = np.array([normalize_text(t) for t in texts], dtype=object)
        allowed = "、".join(v for v in col.values if v) + ("或留空" if "" in col.values else "")

        def unknown(p: int) -> InputError:
            text = texts[codes[p]]
            if text == "":
                return InputError("不能为空", path=path, row=int(rows.iloc[p]), column=col.header, expected=allowed)
            return InputError("取值无法识别", path=path, row=int(rows.iloc[p]), column=col.header, value=text, expected=allowed)

        _report_rows(_bad_positions(~pd.Series(cleaned, dtype=object).isin(col.values).to_numpy(), codes), unknown)
        return _take(cleaned, codes, values.index)
    if col.kind == "flag":
        lowered = pd.Series([normalize_text(t) for t in texts], dtype=str).str.lower()
        _report_rows(
            _bad_positions(~lowered.isin(_YES | _NO).to_numpy(), codes),
            lambda p: InputError(
                "取值无法识别", path=path, row=int(rows.iloc[p]), column=col.header, value=texts[codes[p]], expected="“是”或“否”"
            ),
        )
        yes = lowered.isin(_YES)
        if col.name == "assessed":
            yes = yes | (lowered == "")
        return pd.Series(yes.to_numpy(dtype=bool)[codes], index=values.index, dtype=bool)
    if col.kind == "count":
        blank = texts == ""
        digits = [unicodedata.normalize("NFKC", t).strip() for t in texts]  # full-width １ is 1
        numbers = pd.to_numeric(pd.Series(np.where(blank, "0", digits), dtype=str), errors="coerce")
        bad = (numbers.isna() | (numbers < 0) | (numbers % 1 != 0)).to_numpy()
        _report_rows(
            _bad_positions(bad, codes),
            lambda p: InputError(
                "次数应为非负整数", path=path, row=int(rows.iloc[p]), column=col.header, value=texts[codes[p]],
                expected="0、1、2 这样的整数",
            ),
        )
        numbers = numbers.where(~bad, 0)
        return pd.Series(numbers.astype("int64").to_numpy()[codes], index=values.index)
    raise AssertionError(col.kind)  # pragma: no cover


def _is_number(dtype) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _typed_counts(values: pd.Series, col: Column, path: Path, rows: pd.Series) -> pd.Series:
    """A numeric column of a Parquet file: missing is 0, otherwise a non-negative whole number."""
    numbers = values.fillna(0) if values.hasnans else values
    bad = (numbers < 0) | (numbers % 1 != 0)
    if bad.any():
        _report_rows(
            _positions(bad),
            lambda p: InputError(
                "次数应为非负整数", path=path, row=int(rows.iloc[p]), column=col.header,
                value=_cell_text(values.iloc[p]), expected="0、1、2 这样的整数",
            ),
        )
        numbers = numbers.where(~bad, 0)
    return numbers.astype("int64")
