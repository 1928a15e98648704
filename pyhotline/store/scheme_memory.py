"""The scheme a store's records were imported with, so a later command without ``--scheme`` uses it.

An office imports with its own scheme (``import --scheme qingshi.toml``: its header aliases read the
platform's columns). A later ``bulletin``/``evaluate``/``check``/``import`` on that store without
``--scheme`` used to fall back to the bundled scheme: another county's grades and words, or the readers'
messages about columns the aliases would have read. The store now records, in its ``meta`` table, the
scheme of its last import that named one (its file's absolute path, or a bundled name, and the county);
:func:`scheme_for` gives a command the scheme to use and a note saying which (docs/store.md, 规则文件).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import SchemeError
from .db import connect

_KEYS = ("scheme", "scheme_county")


@dataclass(frozen=True)
class Remembered:
    spec: str  # a file's absolute path, or a bundled scheme's name
    county: str


def _spec(scheme) -> str:
    from ..scheme import resolve_scheme_path

    given = Path(str(scheme))
    if given.suffix.lower() == ".toml" or given.exists():
        return str(resolve_scheme_path(scheme).resolve())
    resolve_scheme_path(scheme)  # a bundled name that does not exist is the scheme's own error
    return str(scheme)


def remember(store, scheme) -> None:
    """Record ``scheme`` (as given to ``import --scheme``) as the store's."""
    from ..scheme import load_scheme

    county = load_scheme(scheme).county
    with connect(store, read_only=False) as con:
        for key, value in zip(_KEYS, (_spec(scheme), county)):
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value]).fetchall()


def remembered(store) -> Remembered | None:
    """The scheme the store was last imported with, or None (never named one, or no store)."""
    if store is None or not Path(store).is_file():
        return None
    with connect(store) as con:
        rows = dict(con.execute("SELECT key, value FROM meta WHERE key IN (?, ?)", list(_KEYS)).fetchall())
    return Remembered(rows["scheme"], rows.get("scheme_county", "")) if "scheme" in rows else None


def scheme_for(store, given) -> tuple[object, str | None]:
    """(the scheme a command on ``store`` uses, a note for the analyst or None).

    ``given`` (``--scheme``) wins; a note says so when it differs from the store's. Without it, the
    store's scheme is used, with a note naming it; a recorded file that is gone is an error that says
    which file and what to do."""
    from ..scheme import DEFAULT_SCHEME

    memory = remembered(store)
    if memory is None:
        return given, None
    if given is not None:
        if _spec(given) != memory.spec:
            return given, (f"数据库 {store} 中的数据是按规则文件 {memory.spec}（{memory.county}）导入的；"
                           f"本次按 --scheme {given} 计算")
        return given, None
    if Path(memory.spec).suffix.lower() == ".toml" and not Path(memory.spec).is_file():
        raise SchemeError(f"数据库 {store} 中的数据是按规则文件 {memory.spec}（{memory.county}）导入的，"
                          "但这个文件已不在原处；请用 --scheme 指定规则文件")
    if memory.spec == DEFAULT_SCHEME:
        return memory.spec, None
    return memory.spec, f"按导入时的规则文件 {memory.spec}（{memory.county}）计算；要换用别的规则请加 --scheme（笔记本中为 scheme 参数）"


class SchemeNote(UserWarning):
    """Which scheme a notebook or library call on a store uses, when it is not the one given."""


def load_store_scheme(scheme=None, *, store=None, orders=None, units=None, letters=None):
    """The :class:`~pyhotline.scheme.Scheme` for a run on ``store`` (the default store when None): ``scheme``
    when given, else the one the store was imported with (a :class:`SchemeNote` names it), else the bundled
    one. A one-off run on files (``orders``/``units``/``letters``) uses ``scheme`` or the bundled one."""
    import warnings

    from ..scheme import Scheme, load_scheme

    if isinstance(scheme, Scheme):
        return scheme
    chosen, note = scheme_choice(scheme, store, files=any(f is not None for f in (orders, units, letters)))
    if note:
        warnings.warn(note, SchemeNote, stacklevel=2)
    return load_scheme(chosen)


def scheme_choice(given, store=None, *, files: bool = False) -> tuple[object, str | None]:
    """:func:`scheme_for` as every command and notebook chooses: on ``store`` (None: the default store); a
    one-off run on ``files`` uses the store's scheme only when a store is named (``store`` or
    ``PYHOTLINE_STORE``: checking a new export against the store's rules), else ``given`` or the bundled one."""
    import os

    from . import resolve_store

    if files:
        store = store or os.environ.get("PYHOTLINE_STORE") or None
        if store is None:
            return given, None
    return scheme_for(resolve_store(store), given)
