"""The units registry kept in the store: the latest one applies, earlier names still resolve."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..io import Registry, normalize_text

REGISTRY_COLUMNS = ["name", "group", "aliases", "assessed", "short", "position", "row"]


def _frame(rows: pd.DataFrame) -> pd.DataFrame:
    aliases = rows["aliases"].map(lambda a: tuple(a) if a is not None else ())
    frame = pd.DataFrame({
        "name": rows["name"].astype("str"),
        "group": rows["group"].astype("str"),
        "aliases": aliases.astype(object),
        "assessed": rows["assessed"].astype(bool),
    })
    short = frame["aliases"].map(lambda a: a[0] if a else "").where(frame["aliases"].map(bool), frame["name"])
    return frame.assign(
        short=short.astype("str"),
        position=rows["position"].astype("int64").to_numpy(),
        row=rows["row"].astype("int64").to_numpy(),
    )[REGISTRY_COLUMNS].reset_index(drop=True)


def registry_imports(con) -> list[tuple[int, str]]:
    """(import_id, file name) of every units registry imported, oldest first."""
    return con.execute("SELECT import_id, file FROM imports WHERE kind = 'units' ORDER BY import_id").fetchall()


def stored_registry(con, import_id: int | None = None) -> Registry | None:
    """The registry of one import (the latest when ``import_id`` is None); None when none was imported."""
    known = registry_imports(con)
    if not known:
        return None
    import_id, file = known[-1] if import_id is None else next(k for k in known if k[0] == import_id)
    rows = con.execute(
        'SELECT name, "group", aliases, assessed, "row", position FROM units WHERE import_id = ? ORDER BY position',
        [import_id],
    ).df()
    return Registry(units=_frame(rows), path=Path(file), store=_store_file(con))


def _store_file(con) -> Path | None:
    """The store's file (None for an in-memory store: a one-off run's files, read as files)."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return Path(row[0]) if row and row[0] else None


def effective_registry(con, unit_names) -> tuple[Registry | None, dict[str, str]]:
    """The latest registry, and how each stored unit name maps onto it.

    Orders keep the unit name resolved when they were imported. The latest registry's names and
    简称 resolve them first; a name it no longer knows is looked up through the aliases the
    earlier registries gave that unit; a unit found nowhere keeps its name and is added (with its
    last known 单位类型) after the latest registry's units.
    """
    latest = stored_registry(con)
    if latest is None:
        return None, {}
    table = latest.lookup
    mapping: dict[str, str] = {}
    missing = []
    for name in unit_names:
        if name == "" or name is None:
            continue
        found = table.get(normalize_text(name))
        if found is None:
            missing.append(name)
        else:
            mapping[name] = found
    if not missing:
        return latest, mapping
    extra = []
    for import_id, _ in reversed(registry_imports(con)[:-1]):
        older = stored_registry(con, import_id)
        info = older.units.set_index("name")
        for name in list(missing):
            if name not in info.index:
                continue
            candidates = (normalize_text(name), *info.at[name, "aliases"])
            found = next((table[c] for c in candidates if c in table), None)
            if found is None:
                extra.append(info.loc[[name]].reset_index())
                found = name
            mapping[name] = found
            missing.remove(name)
    for name in missing:  # imported under a registry no longer stored: keep as it is
        mapping[name] = name
    if not extra:
        return latest, mapping
    added = pd.concat(extra, ignore_index=True)
    added = added.assign(position=range(len(latest.units), len(latest.units) + len(added)))
    units = pd.concat([latest.units, added[REGISTRY_COLUMNS]], ignore_index=True)
    return Registry(units=_frame(units), path=latest.path, store=latest.store), mapping
