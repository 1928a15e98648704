"""Running the bulletin notebook with papermill, once per month, safely.

Each run executes ``notebooks/monthly_bulletin.ipynb`` in a staging folder,
exports HTML and PDF there, and only then swaps the folder into
``outputs/<month>/``: a failed run leaves the previous bulletin untouched, and
two runs of the same month do not mix their files. The kernel is the Python
running this code (no "kernel not found" inside a virtual environment).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .errors import BulletinError, PyhotlineError
from .locks import lock_dir, locked
from .metrics import parse_month_range
from .period import parse_period



def skip_slow_iri_checker() -> None:
    """Spare the command about 0.8 s of start-up: papermill imports nbformat, whose jsonschema imports
    ``rfc3987_syntax`` if installed, and that package compiles some 35 Lark grammars at import time
    (python-jsonschema/jsonschema#1428) for the "iri" string format, which no notebook schema uses.

    Marks the module as unavailable, so jsonschema simply leaves that one format check out. Called by
    the ``pyhotline`` command (and its worker processes) before anything imports jsonschema; a
    process that already has jsonschema loaded is left as it is.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)


def notebook_path(name: str = "monthly_bulletin.ipynb") -> Path:
    """The bulletin notebook: ``$PYHOTLINE_NOTEBOOKS`` or ``notebooks/`` beside the package."""
    folder = Path(os.environ.get("PYHOTLINE_NOTEBOOKS") or Path(__file__).resolve().parents[1] / "notebooks")
    path = folder / name
    if not path.is_file():
        raise PyhotlineError(f"找不到通报笔记本 {path}；请设置环境变量 PYHOTLINE_NOTEBOOKS 指向 notebooks 文件夹")
    return path


def ensure_kernel() -> str:
    """The kernel running this very interpreter, started from memory (:mod:`pyhotline.kernel`):
    no kernelspec file is written or read, so no file anyone else can write chooses what runs."""
    from .kernel import install

    return install()


@dataclass(frozen=True)
class MonthResult:
    month: str
    folder: Path | None
    error: str | None = None


def run_month(
    month: str,
    *,
    orders: str | Path | None = None,
    units: str | Path | None = None,
    letters: str | Path | None = None,
    store: str | Path | None = None,
    scheme: str | Path | None = None,
    strict: bool = False,
    out_dir: str | Path = "outputs",
    issue: int | None = None,
    date: str | None = None,
    notes: str | Path | None = None,
    shared_trends: str | Path | None = None,
) -> Path:
    """Produce ``out_dir/<month>/`` (bulletin.html, bulletin.pdf, bulletin.ipynb, evaluation.xlsx, charts/).
    ``shared_trends``: the trend tables a range counted once for all its months (:func:`_shared_trends`)."""
    import nbformat
    import papermill as pm

    from .bulletin import title_for
    from .export import umask
    from .render import embed_font, html_to_pdf, notebook_to_html
    from .scheme import load_scheme, resolve_scheme_path

    period = parse_period(month)  # a month, or a quarter / year (pyhotline.period)
    month = str(period)
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    with locked(out_dir / month):
        repair(out_dir / month)
    staging = Path(tempfile.mkdtemp(prefix=f".{month}-staging-{os.getpid()}-", dir=out_dir))
    staging.chmod(0o777 & ~umask())  # mkdtemp makes it private; the bulletin is for sharing
    try:
        executed = staging / "bulletin.ipynb"
        parameters = {
            "month": month,
            "orders": _abs(orders),
            "units": _abs(units),
            "letters": _abs(letters),
            "store": _abs(store),
            "scheme": str(resolve_scheme_path(scheme).resolve()),
            "strict": strict,
            "issue": issue,
            "date": date,
            "notes": _abs(notes),
            "output_dir": str(staging),
            "shared_trends": _abs(shared_trends),
        }
        # While the kernel works, this process is idle: load what the HTML and PDF steps need meanwhile.
        warm = threading.Thread(target=_prepare_export, name="pyhotline-prepare-export", daemon=True)
        warm.start()
        try:
            pm.execute_notebook(
                str(notebook_path()),
                str(executed),
                parameters=parameters,
                kernel_name=ensure_kernel(),
                progress_bar=False,
                log_output=False,
                cwd=str(staging),
            )
        except pm.PapermillExecutionError as exc:
            raise BulletinError(month, _explain(exc), cell=exc.exec_count) from None
        warm.join()
        nb = nbformat.read(str(executed), as_version=4)
        rules = load_scheme(scheme)
        html = notebook_to_html(nb, title=title_for(period, rules.county, rules.wording.get("title")))
        html_to_pdf(html, staging / "bulletin.pdf", base_url=staging)
        (staging / "bulletin.html").write_text(embed_font(html), encoding="utf-8")
        return _swap_into_place(staging, out_dir / month)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _prepare_export() -> None:
    """Import nbconvert, WeasyPrint and fontTools and find the CJK fonts (all cached for the export)."""
    try:
        import fontTools.subset  # noqa: F401
        import nbconvert  # noqa: F401
        import weasyprint  # noqa: F401

        from .fonts import find_cjk_face

        find_cjk_face("serif")
        find_cjk_face("sans")
    except Exception:  # the export itself will meet and report any problem
        pass


def _abs(path: str | Path | None) -> str | None:
    return None if path is None else str(Path(path).resolve())


def _explain(exc) -> str:
    """The error as the analyst should read it: our own messages as they are, others with their type."""
    ename, evalue = exc.ename, exc.evalue
    from . import errors

    if hasattr(errors, ename):
        return evalue
    return f"{ename}: {evalue}"


def _swap_into_place(staging: Path, final: Path) -> Path:
    """Replace ``final`` with the finished ``staging`` folder, under a lock, never leaving it half-made.

    Where the system can (Linux ``renameat2``), the two folders are exchanged in one atomic step, so
    ``final`` holds the previous or the new complete bulletin at every instant. Elsewhere the previous
    folder is moved aside first; a run killed between the two renames leaves it aside, and the next
    run puts it back (:func:`repair`).
    """
    with locked(final):
        repair(final)
        ready = final.parent / f".{final.name}-ready-{os.getpid()}"
        shutil.rmtree(ready, ignore_errors=True)
        os.rename(staging, ready)
        if not final.exists():
            os.rename(ready, final)
        elif _exchange(ready, final):
            shutil.rmtree(ready, ignore_errors=True)  # now the previous bulletin
        else:
            old = final.parent / f".{final.name}-old-{os.getpid()}"
            os.rename(final, old)
            os.rename(ready, final)
            shutil.rmtree(old, ignore_errors=True)
    staging.mkdir()  # recreated empty so the caller's cleanup has something to remove
    return final


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where not supported."""
    import ctypes
    import errno

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), str(b))


_LEFTOVER = re.compile(r"\.(?P<month>.+)-(?P<kind>staging|ready|old)-(?P<pid>\d+)(-.*)?")


def repair(final: Path) -> list[str]:
    """Clean up after runs of ``final`` that were killed (their process is gone): a missing ``final``
    gets back the newest complete folder (``ready``, else ``old``); staging and other leftovers are
    removed. Leftovers of live processes are left alone. Call under the folder's lock."""
    found: dict[str, list[Path]] = {"staging": [], "ready": [], "old": []}
    if not final.parent.is_dir():
        return []
    for entry in final.parent.iterdir():
        match = _LEFTOVER.fullmatch(entry.name)
        if match and match["month"] == final.name and not _alive(int(match["pid"])):
            found[match["kind"]].append(entry)
    done = []
    if not final.exists():
        for kind in ("ready", "old"):
            if found[kind]:
                keep = max(found[kind], key=lambda p: p.stat().st_mtime)
                os.rename(keep, final)
                found[kind].remove(keep)
                done.append(f"{final.name}：恢复了上次中断时的完整通报")
                break
    for entry in (p for paths in found.values() for p in paths):
        shutil.rmtree(entry, ignore_errors=True)
        done.append(f"删除了中断运行留下的 {entry.name}")
    return done


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # this run's own staging folder
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _run_one(month: str, kwargs: dict) -> MonthResult:
    try:
        return MonthResult(month, run_month(month, **kwargs))
    except PyhotlineError as exc:
        return MonthResult(month, None, str(exc))
    except Exception as exc:  # report every failure with its month, never lose the others
        return MonthResult(month, None, f"{month} 通报生成失败：{type(exc).__name__}: {exc}")


def run_bulletins(
    *,
    month: str | None = None,
    months: str | None = None,
    jobs: int | None = None,
    **kwargs,
) -> int:
    """Run one month or a range (in parallel, with a progress bar). Returns the exit status."""
    from .store import prepared_store

    wanted = [str(m) for m in (parse_month_range(months) if months else [parse_period(month)])]
    lock_dir()  # an unsafe lock folder stops the command before any work
    out_dir = Path(kwargs.get("out_dir", "outputs"))
    if out_dir.exists() and not out_dir.is_dir():
        raise PyhotlineError(f"输出文件夹 {out_dir} 已存在，但不是文件夹；请用 --out-dir 给出一个文件夹")
    files = {k: kwargs.pop(k, None) for k in ("orders", "units", "letters", "store")}
    with prepared_store(files["store"], files["orders"], files["units"], files["letters"],
                        scheme=kwargs.get("scheme"), strict=kwargs.get("strict", False)) as (store, imported):
        kwargs["store"] = store  # one-off files are read once, into a temporary store the notebooks share
        _check_inputs(wanted, kwargs, imported, any(files[k] is not None for k in ("orders", "units", "letters")))
        if len(wanted) == 1:
            return _run_all(wanted, jobs, kwargs)
        with tempfile.TemporaryDirectory(prefix="pyhotline-range-") as shared:  # private to this user (0700)
            kwargs["shared_trends"] = _shared_trends(wanted, kwargs, Path(shared) / "trends.json")
            return _run_all(wanted, jobs, kwargs)


def _shared_trends(months: list[str], kwargs: dict, path: Path) -> Path | None:
    """The trend table of every month of a range, counted once on the store (each month's notebook would
    otherwise read the store and count the same months again: ~2.5 s a month at 10M orders), written to
    ``path`` for the notebooks (:func:`pyhotline.trends.trend_for` ``shared``). None when that fails: each
    month then counts its own, and reports its own error."""
    from .scheme import resolve_scheme_path
    from .store.scheme_memory import load_store_scheme
    from .trends import range_trends, write_shared_trends

    try:  # the scheme as the notebook chooses it, from the same arguments
        rules = load_store_scheme(str(resolve_scheme_path(kwargs.get("scheme")).resolve()), store=kwargs["store"])
        write_shared_trends(path, range_trends(kwargs["store"], months, rules))
    except Exception:  # noqa: BLE001 (the month's own run gives the message)
        return None
    return path


def _run_all(wanted: list[str], jobs: int | None, kwargs: dict) -> int:
    from tqdm import tqdm

    results: list[MonthResult] = []
    if len(wanted) == 1:
        results.append(_run_one(wanted[0], kwargs))
    else:
        workers = max(1, min(jobs or os.cpu_count() or 1, len(wanted)))
        with ProcessPoolExecutor(max_workers=workers, initializer=skip_slow_iri_checker) as pool:
            futures = [pool.submit(_run_one, m, _numbered(kwargs, i)) for i, m in enumerate(wanted)]
            with tqdm(total=len(futures), desc="生成通报", unit="月", file=sys.stderr) as bar:
                for future in as_completed(futures):
                    results.append(future.result())
                    bar.update()
    failed = 0
    for result in sorted(results, key=lambda r: r.month):
        if result.error:
            failed += 1
            print(f"错误：{result.error}", file=sys.stderr)
        else:
            print(f"{result.month} 通报已生成：{result.folder / 'bulletin.pdf'}")
    return 1 if failed else 0


def _numbered(kwargs: dict, index: int) -> dict:
    """The i-th month of a range is issue N+i when ``--issue N`` is given."""
    if kwargs.get("issue") is None:
        return kwargs
    return {**kwargs, "issue": kwargs["issue"] + index}


def _check_inputs(months: list[str], kwargs: dict, imported=None, files_given: bool = False) -> None:
    """Read the scheme up front and say what the store lacks for each month (an error with strict),
    before any notebook starts; files of a one-off run were read and checked by ``imported``.
    Problems of a single month are reported by that month's run."""
    from .scheme import load_scheme, validate_scheme
    from .period_load import periods_coverage
    from .store import CoverageError

    _refuse_months_without_data(months, kwargs["store"], imported, files_given)
    scheme = load_scheme(kwargs.get("scheme"))
    for problem in validate_scheme(scheme):  # e.g. a 工作要求 file left behind when the scheme was copied
        raise problem
    from .check import check_store

    for problem in check_store(kwargs["store"], scheme, files=imported is not None):  # 单位类型 the scheme does not rank
        raise problem
    for record in (imported.quality if imported is not None else ()):
        for warning in record.warnings:
            print(f"注意：{warning}", file=sys.stderr)
    for month, gaps in zip(months, periods_coverage(kwargs["store"], months, scheme)):
        if gaps and kwargs.get("strict", False):
            raise CoverageError(f"{month} 的数据不全：" + "；".join(gaps) + "（去掉 --strict 则照常生成并注明）")
        for gap in gaps:
            print(f"注意：{month}：{gap}", file=sys.stderr)


def _spans(months) -> str:
    """Months as runs: ``2024-01、2024-07 至 2099-12``."""
    runs: list[list] = []
    for month in sorted(months):
        if runs and runs[-1][1] + 1 == month:
            runs[-1][1] = month
        else:
            runs.append([month, month])
    return "、".join(str(a) if a == b else f"{a} 至 {b}" for a, b in runs)


def _has_orders(con, months) -> bool:
    """Some order of the store was accepted in one of ``months`` (consecutive)."""
    start, end = months[0].start_time.to_pydatetime(), (months[-1] + 1).start_time.to_pydatetime()
    return con.execute("SELECT 1 FROM orders WHERE accepted_at >= ? AND accepted_at < ? LIMIT 1",
                       [start, end]).fetchone() is not None


def _refuse_months_without_data(wanted: list[str], store, imported, files_given: bool) -> None:
    """Refuse, before any notebook starts, months (or quarters and years) in which the store holds no
    accepted order at all, naming them and what the store does cover. Months partly covered go on,
    with the coverage warnings."""
    from .errors import MonthError
    from .period import months_of
    from .store import connect, store_months

    with connect(store) as con:
        empty = [p for p in wanted if not _has_orders(con, months_of(parse_period(p)))]
        if not empty:
            return
        present = set(store_months(con))  # for the message (every month's orders counted: 0.8 s at 10M)
    where = f"数据库 {store} " if imported is None else ("所给文件" if files_given else "内置示例数据")
    covers = (f"{where}中工单的受理月份为 {_spans(present)}" if present
              else f"{where}中没有任何工单（请先用 pyhotline import 导入工单明细）")
    if len(wanted) == 1:
        raise MonthError(f"{wanted[0]} 没有任何工单记录，未生成通报；{covers}")
    raise MonthError(f"{_spans(parse_period(p) for p in empty)} 没有任何工单记录，未生成任何通报；{covers}。"
                     "请把 --months 限定在有数据的月份（只有部分数据的月份可以照常生成，并注明缺少的数据）")
