"""Running the bulletin notebook with papermill, once per month, safely.

Each run executes ``notebooks/monthly_bulletin.ipynb`` in a staging folder,
exports HTML and PDF there, and only then swaps the folder into
``outputs/<month>/``: a failed run leaves the previous bulletin untouched, and
two runs of the same month do not mix their files. The kernel is the Python
running this code (no "kernel not found" inside a virtual environment).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .errors import BulletinError, PyhotlineError
from .metrics import parse_month, parse_month_range

KERNEL_NAME = "pyhotline-" + hashlib.sha256(sys.executable.encode()).hexdigest()[:10]  # stable per interpreter


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
    """A kernelspec that runs this very interpreter, visible to papermill through JUPYTER_PATH."""
    root = Path(tempfile.gettempdir()) / f"pyhotline-jupyter-{os.getuid()}"
    spec_dir = root / "kernels" / KERNEL_NAME
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--log-level=ERROR"],
        "display_name": "pyhotline (this environment)",
        "language": "python",
        "env": {"MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYDEVD_DISABLE_FILE_VALIDATION": "1"},
    }
    spec_dir.mkdir(parents=True, exist_ok=True)
    target = spec_dir / "kernel.json"
    text = json.dumps(spec, indent=1)
    if not target.is_file() or target.read_text() != text:
        tmp = spec_dir / f".kernel-{os.getpid()}.json"
        tmp.write_text(text)
        os.replace(tmp, target)
    paths = os.environ.get("JUPYTER_PATH", "")
    if str(root) not in paths.split(os.pathsep):
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(root), paths) if p)
    return KERNEL_NAME


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
) -> Path:
    """Produce ``out_dir/<month>/`` (bulletin.html, bulletin.pdf, bulletin.ipynb, evaluation.xlsx, charts/)."""
    import nbformat
    import papermill as pm

    from .bulletin import title_for
    from .export import umask
    from .render import embed_font, html_to_pdf, notebook_to_html
    from .scheme import load_scheme, resolve_scheme_path

    period = parse_month(month)
    month = str(period)
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{month}-", dir=out_dir))
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
        html = notebook_to_html(nb, title=title_for(period, load_scheme(scheme).county))
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
    """Replace ``final`` with the finished ``staging`` folder, under a lock, never leaving it half-made."""
    # The lock lives outside the outputs folder and is never deleted (deleting it would let two runs
    # hold "the lock" at once).
    locks = Path(tempfile.gettempdir()) / f"pyhotline-locks-{os.getuid()}"
    locks.mkdir(exist_ok=True)
    lock_path = locks / (hashlib.sha256(str(final.resolve()).encode()).hexdigest()[:16] + ".lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = final.parent / f".{final.name}-ready-{os.getpid()}"
        shutil.rmtree(ready, ignore_errors=True)
        os.rename(staging, ready)
        old = final.parent / f".{final.name}-old-{os.getpid()}"
        if final.exists():
            os.rename(final, old)
        os.rename(ready, final)
        shutil.rmtree(old, ignore_errors=True)
    staging.mkdir()  # recreated empty so the caller's cleanup has something to remove
    return final


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

    wanted = [str(m) for m in (parse_month_range(months) if months else [parse_month(month)])]
    files = {k: kwargs.pop(k, None) for k in ("orders", "units", "letters", "store")}
    with prepared_store(files["store"], files["orders"], files["units"], files["letters"],
                        scheme=kwargs.get("scheme"), strict=kwargs.get("strict", False)) as (store, imported):
        kwargs["store"] = store  # one-off files are read once, into a temporary store the notebooks share
        _check_inputs(wanted, kwargs, imported)
        return _run_all(wanted, jobs, kwargs)


def _run_all(wanted: list[str], jobs: int | None, kwargs: dict) -> int:
    from tqdm import tqdm

    results: list[MonthResult] = []
    if len(wanted) == 1:
        results.append(_run_one(wanted[0], kwargs))
    else:
        workers = max(1, min(jobs or os.cpu_count() or 1, len(wanted)))
        with ProcessPoolExecutor(max_workers=workers, initializer=skip_slow_iri_checker) as pool:
            futures = [pool.submit(_run_one, m, kwargs) for m in wanted]
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


def _check_inputs(months: list[str], kwargs: dict, imported=None) -> None:
    """Read the scheme up front and say what the store lacks for each month (an error with strict),
    before any notebook starts; files of a one-off run were read and checked by ``imported``.
    Problems of a single month are reported by that month's run."""
    from .scheme import load_scheme
    from .store import CoverageError, month_coverage

    scheme = load_scheme(kwargs.get("scheme"))
    for record in (imported.quality if imported is not None else ()):
        for warning in record.warnings:
            print(f"注意：{warning}", file=sys.stderr)
    for month in months:
        gaps = month_coverage(kwargs["store"], month, scheme)
        if gaps and kwargs.get("strict", False):
            raise CoverageError(f"{month} 的数据不全：" + "；".join(gaps) + "（去掉 --strict 则照常生成并注明）")
        for gap in gaps:
            print(f"注意：{month}：{gap}", file=sys.stderr)
