"""The units registry (承办单位名录) and resolving the names written in exports to it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UnknownUnitError
from .columns import normalize_text
from .problems import _report
from .values import _factorize, _take


@dataclass(frozen=True)
class Registry:
    """The units registry (承办单位名录): canonical names, groups, aliases, assessment."""

    units: pd.DataFrame  # name, group, aliases, assessed, short, position
    path: Path | None = None
    store: Path | None = None  # the store it was read from (then ``path`` is the file it was imported from)

    @cached_property
    def lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for name, aliases in zip(self.units["name"], self.units["aliases"]):
            table[normalize_text(name)] = name
            for alias in aliases:
                table.setdefault(alias, name)
        return table

    def resolve(self, names: pd.Series, *, path: Path | None = None, column: str = "承办单位", rows: pd.Series | None = None) -> pd.Series:
        """Map names or aliases to registry names (empty stays empty)."""
        table = self.lookup
        codes, uniques = _factorize(names)  # each distinct name is looked up once
        keys = [normalize_text(u) for u in uniques]
        resolved = [table.get(k) for k in keys]
        unknown = np.array([k != "" and r is None for k, r in zip(keys, resolved)], dtype=bool)
        if unknown.any():
            n_unknown = int(unknown.sum())
            bad_cells = unknown[codes]
            first_of = {}
            for pos in np.flatnonzero(bad_cells):
                first_of.setdefault(int(codes[pos]), int(pos))
            registry_name = f"（单位名录 {self.path.name}）" if self.path is not None else ""
            for code, pos in sorted(first_of.items(), key=lambda kv: kv[1]):
                close = difflib.get_close_matches(keys[code], list(table), n=3, cutoff=0.5)
                hint = "；最接近的有：" + "、".join(dict.fromkeys(table[c] for c in close)) if close else ""
                count = int((codes == code).sum())
                rows_note = f"，共 {count} 行" if count > 1 else ""
                more = f"（共 {n_unknown} 个不在名录中的单位名称）" if n_unknown > 1 else ""
                _report(UnknownUnitError(
                    f"承办单位不在单位名录中{registry_name}{rows_note}{more}{hint}",
                    path=path,
                    row=None if rows is None else int(rows.iloc[pos]),
                    column=column,
                    value=names.iloc[pos],
                    expected="单位名录中的单位名称或简称",
                ))
        return _take(["" if r is None else r for r in resolved], codes, names.index)

    def info(self) -> pd.DataFrame:
        """name -> group, assessed, short, position (one row per unit)."""
        return self._info

    @cached_property
    def _info(self) -> pd.DataFrame:
        return self.units.set_index("name")[["group", "assessed", "short", "position"]]
