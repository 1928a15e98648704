"""``pyhotline check``: every problem in the input files, without producing anything.

Reads the files as a bulletin run would, but instead of stopping at the first
problem it gathers all of them (up to a limit per kind), so an analyst can fix
the file in one go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, PyhotlineError
from .io import FileQuality, collecting, load_letters, load_orders, load_units
from .report import check_groups
from .sample import resolve_inputs
from .scheme import Scheme, load_scheme, validate_scheme


@dataclass
class CheckResult:
    problems: list[PyhotlineError] = field(default_factory=list)
    quality: list[FileQuality] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_files(
    orders: str | Path | None = None,
    units: str | Path | None = None,
    letters: str | Path | None = None,
    *,
    scheme: Scheme | str | Path | None = None,
    strict: bool = False,
) -> CheckResult:
    """Check the files (the bundled sample when none is given, as the other commands do)."""
    result = CheckResult()
    try:
        scheme = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
    except PyhotlineError as exc:  # the files are read as the scheme says (its header aliases): not without it
        result.problems.append(exc)
        return result
    result.problems.extend(validate_scheme(scheme))  # the files it names exist and read
    aliases = scheme.header_aliases
    try:
        orders, units, letters = resolve_inputs(orders, units, letters)
    except InputError as exc:
        result.problems.append(exc)
        return result

    with collecting() as problems:
        registry = None
        try:
            registry = load_units(units, header_aliases=aliases, quality=result.quality)
            if scheme is not None:
                check_groups(registry, scheme)
        except InputError as exc:
            problems.append(exc)
        for loader, path in ((load_orders, orders), (load_letters, letters)):
            if path is None:
                continue
            try:
                loader(path, registry, header_aliases=aliases, strict=strict, quality=result.quality)
            except InputError as exc:  # a problem with the whole file: nothing more to read in it
                problems.append(exc)
        result.problems.extend(problems)
    return result


def check_store(store, scheme: Scheme | str | Path | None = None, *, files: bool = False) -> list[PyhotlineError]:
    """What stops every report from the store under ``scheme``: its latest units registry's 单位类型
    not among the scheme's (the message names the store and the file the registry was imported from;
    ``files``: the store is a one-off run's, so the message names the file as read)."""
    import dataclasses

    from .store import connect
    from .store.registry import stored_registry

    scheme = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
    problems: list[PyhotlineError] = []
    with connect(store) as con:
        registry = stored_registry(con)
    if registry is not None and files:
        registry = dataclasses.replace(registry, store=None)
    try:
        if registry is not None:
            check_groups(registry, scheme)
    except InputError as exc:
        problems.append(exc)
    return problems
