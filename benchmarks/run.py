#!/usr/bin/env python3
"""Scale and speed: how long one month's evaluation takes on 10k to 10M orders, and a bulletin's cost.

    .venv/bin/python benchmarks/run.py --sizes 10k,100k,1M,10M     # everything (generates the data first)
    .venv/bin/python benchmarks/run.py --quick                     # 10k and 100k, a fast check

For each size, each row of the table is one fresh subprocess (so "peak" is the
peak resident memory of that run alone, its own ru_maxrss). A run times our
``evaluate`` path for one month:

* ``pandas``  — ``load_orders`` on the Parquet file (read) + ``metrics.evaluation`` (metric);
* ``csv``     — the same from the CSV file (up to ``--csv-max`` rows: the CSV reader is not the fast path);
* ``duckdb``  — ``pyhotline.fast.evaluation`` (the optional DuckDB engine; read and metric are one step);

and then, in the same process, the anchor: the same appendix table computed by
a plain DuckDB SQL query on the same Parquet file (``benchmarks/anchor.py``).
Both ours and the anchor are the best of two runs. "same" says whether both
tables are equal cell by cell as the bulletin prints them. The bulletin part times the sample month's full bulletin
(papermill + HTML + PDF) against a trivial notebook pushed through the same
steps, and a four-month range against four single runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
MONTH = "2024-05"


# ---------------------------------------------------------------- one run (child process)
def child(engine: str, label: str) -> dict:
    import duckdb
    import pyarrow  # noqa: F401  (imported before timing, as a long-lived process would have)

    from anchor import anchor_appendix
    from pyhotline import fast, metrics
    from pyhotline.io import load_orders, load_units
    from pyhotline.report import appendix_table
    from pyhotline.scheme import load_scheme

    data = HERE / "data"
    parquet = data / f"orders-{label}.parquet"
    source = data / f"orders-{label}.csv" if engine == "csv" else parquet
    registry = load_units(data / "units.csv")
    scheme = load_scheme("pingjiang")
    month = metrics.parse_month(MONTH)
    out: dict = {"engine": engine, "size": label}

    runs = []
    for _ in range(2):  # best of two, as for the anchor
        t0 = time.perf_counter()
        if engine == "duckdb":
            table = fast.evaluation(source, registry, month, scheme)
            t1 = t2 = time.perf_counter()
        else:
            orders = load_orders(source, registry)
            t1 = time.perf_counter()
            table = metrics.evaluation(orders, registry, month, scheme)
            t2 = time.perf_counter()
            del orders
        runs.append(dict(read=t1 - t0, metric=t2 - t1, total=t2 - t0))
    out.update(min(runs, key=lambda r: r["total"]))
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the anchor runs
    ours = appendix_table(table)

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    best = None
    for _ in range(2):
        a0 = time.perf_counter()
        anchor = anchor_appendix(con, parquet, registry, month, scheme)
        best = min(best or 1e9, time.perf_counter() - a0)
    con.close()
    out["anchor"] = best
    out["rows"] = len(ours)
    out["same"] = bool(ours.shape == anchor.shape and (ours.to_numpy() == anchor.to_numpy()).all())
    return out


def run_child(engine: str, label: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", engine, label], capture_output=True, text=True, cwd=ROOT
    )
    if result.returncode:
        raise SystemExit(f"benchmark run {engine} {label} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- bulletins
TRIVIAL = {
    "cells": [
        {"id": "parameters", "cell_type": "code", "metadata": {"tags": ["parameters"]}, "execution_count": None, "outputs": [],
         "source": "month = None\noutput_dir = None"},
        {"id": "text", "cell_type": "markdown", "metadata": {}, "source": "# 空白笔记本\n\n只有一段文字。"},
        {"id": "code", "cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": "print(month)"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def trivial_bulletin(folder: Path) -> float:
    """A trivial notebook through the same steps as run_month: papermill, notebook_to_html, html_to_pdf."""
    import nbformat
    import papermill as pm

    from pyhotline.render import html_to_pdf, notebook_to_html
    from pyhotline.runner import ensure_kernel

    source = folder / "trivial.ipynb"
    source.write_text(json.dumps(TRIVIAL, ensure_ascii=False), encoding="utf-8")
    t0 = time.perf_counter()
    executed = folder / "trivial-out.ipynb"
    pm.execute_notebook(str(source), str(executed), parameters={"month": MONTH, "output_dir": str(folder)},
                        kernel_name=ensure_kernel(), progress_bar=False, log_output=False, cwd=str(folder))
    nb = nbformat.read(str(executed), as_version=4)
    html = notebook_to_html(nb, title="空白笔记本")
    html_to_pdf(html, folder / "trivial.pdf", base_url=folder)
    return time.perf_counter() - t0


def bulletins() -> list[tuple[str, float, float, float, str]]:
    from pyhotline.runner import run_bulletins, run_month

    rows = []
    with tempfile.TemporaryDirectory(prefix="pyhotline-bench-") as tmp:
        tmp = Path(tmp)
        run_month(MONTH, out_dir=tmp / "warm")  # first run pays imports and font caches
        trivial_bulletin(tmp)
        t0 = time.perf_counter()
        run_month(MONTH, out_dir=tmp / "single")
        single = time.perf_counter() - t0
        trivial = trivial_bulletin(tmp)
        rows.append(("bulletin 2024-05 vs trivial notebook", single, trivial, single / trivial, "≤ 1.5x"))
        months = ["2024-03", "2024-04", "2024-05", "2024-06"]
        t0 = time.perf_counter()
        for m in months:
            run_month(m, out_dir=tmp / "singles")
        four = time.perf_counter() - t0
        t0 = time.perf_counter()
        with open(os.devnull, "w") as devnull:
            saved, sys.stdout, sys.stderr = (sys.stdout, sys.stderr), devnull, devnull
            try:
                status = run_bulletins(months="2024-03:2024-06", out_dir=tmp / "range")
            finally:
                sys.stdout, sys.stderr = saved
        ranged = time.perf_counter() - t0
        if status:
            raise SystemExit("run_bulletins failed")
        rows.append(("range 2024-03:2024-06 vs 4 single runs", ranged, four, ranged / four, "≤ 0.65x"))
        # What the analyst waits for: the whole command in a fresh process (best of two).
        command = [sys.executable, "-m", "pyhotline.cli", "bulletin", "--month", MONTH, "--out-dir", str(tmp / "cli")]
        best = None
        for _ in range(2):
            t0 = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
            best = min(best or 1e9, time.perf_counter() - t0)
        rows.append(("bulletin command 2024-05, fresh process", best, None, None, "≤ 6 s (proposed)"))
    return rows


# ---------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="pyhotline scale and speed benchmark")
    parser.add_argument("--sizes", default="10k,100k,1M,10M", help="comma-separated sizes (default %(default)s)")
    parser.add_argument("--quick", action="store_true", help="only 10k and 100k")
    parser.add_argument("--engines", default="pandas,duckdb,csv", help="which runs (default %(default)s)")
    parser.add_argument("--csv-max", default="1M", help="largest size also read from CSV (default %(default)s)")
    parser.add_argument("--no-bulletin", action="store_true", help="skip the bulletin timings")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0

    import generate

    sizes = ["10k", "100k"] if args.quick else args.sizes.split(",")
    engines = args.engines.split(",")
    csv_max = generate.parse_size(args.csv_max)
    try:
        import duckdb  # noqa: F401
    except ImportError:
        raise SystemExit("the benchmark needs duckdb: .venv/bin/pip install -e '.[fast]'") from None
    print(f"pyhotline benchmark — month {MONTH}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    header = f"{'size':>5} {'engine':<7} {'read s':>7} {'metric s':>8} {'total s':>8} {'peak MiB':>9} {'DuckDB SQL s':>12} {'vs SQL':>7} {'same':>5}"
    for label in sizes:
        n = generate.parse_size(label)
        label = generate.size_label(n)
        generate.generate(n)
    print(header)
    print("-" * len(header))
    failed = False
    for label in sizes:
        label = generate.size_label(generate.parse_size(label))
        for engine in engines:
            if engine == "csv" and generate.parse_size(label) > csv_max:
                continue
            r = run_child(engine, label)
            read, metric = (f"{r['read']:.2f}", f"{r['metric']:.2f}") if engine != "duckdb" else ("—", "—")
            print(
                f"{label:>5} {engine:<7} {read:>7} {metric:>8} {r['total']:>8.2f} {r['peak_mib']:>9.0f} "
                f"{r['anchor']:>12.2f} {r['total'] / r['anchor']:>6.1f}x {'yes' if r['same'] else 'NO':>5}",
                flush=True,
            )
            failed |= not r["same"]
    if not args.no_bulletin:
        print()
        print(f"{'bulletin':<42} {'time s':>7} {'vs s':>7} {'ratio':>6} target")
        for name, a, b, ratio, target in bulletins():
            if b is None:
                print(f"{name:<42} {a:>7.2f} {'—':>7} {'—':>6} {target}", flush=True)
            else:
                print(f"{name:<42} {a:>7.2f} {b:>7.2f} {ratio:>5.2f}x {target}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
