#!/usr/bin/env python3
"""Scale and speed of the store: every target of issue 11 printed as a ratio measured in the same run.

    .venv/bin/python benchmarks/run.py --sizes 1M                 # generates benchmarks/data/ first
    .venv/bin/python benchmarks/run.py --sizes 10M --ids numeric,text
    .venv/bin/python benchmarks/run.py --quick                    # 100k, no bulletins

For each size and 工单编号 style (``numeric`` "100000007", ``text`` "PJ20240503-0012345") each
measurement is one fresh subprocess (so "peak" is that run's own ru_maxrss), against its anchor,
measured in the same process right after:

* ``import parquet``  — ``pyhotline import`` of the orders file into a new store, against DuckDB's
  own ``CREATE TABLE t AS SELECT * FROM read_parquet(...)`` into a new database file (target ≤ 3x,
  peak < 2 GB);
* ``import csv``      — the same from the CSV file, against ``read_csv`` into a table (≤ 3x);
* ``evaluate store``  — the month's table from that store (slice + metrics), against the DuckDB SQL
  anchor computing the same table from the Parquet file (``anchor.py``; ≤ 2x);
* ``evaluate file``   — one-shot: the orders file read through a temporary store (≤ 3x SQL);
* ``bulletin``        — ``pyhotline bulletin --month`` on the store, against the sample month's
  bulletin (≤ 1.5x), both as fresh commands;
* ``range``           — ``bulletin --months 2024-01:2024-12`` on the store, against the same on a
  store of sample size (24k orders, 2k a month; ≤ 1.3x); only with ``--range``.

"same" says whether our table equals the anchor's cell by cell as printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE))
MONTH = "2024-05"


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def store_path(label: str) -> Path:
    return DATA / f"store-{label}.duckdb"


# ---------------------------------------------------------------- one measurement (child process)
def child_import(label: str, fmt: str) -> dict:
    import duckdb

    from pyhotline.store import import_files

    source = DATA / f"orders-{label}.{fmt}"
    target = store_path(label) if fmt == "parquet" else DATA / f"store-{label}-csv.duckdb"
    target.unlink(missing_ok=True)
    t0 = time.perf_counter()
    import_files(target, orders=[source], units=[DATA / "units.csv"])
    ours = time.perf_counter() - t0
    peak = _peak_mib()
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        con = duckdb.connect(str(Path(tmp) / "anchor.duckdb"))
        con.execute("SET enable_progress_bar = false")
        reader = f"read_parquet('{source}')" if fmt == "parquet" else f"read_csv('{source}', strict_mode = false, parallel = false)"
        a0 = time.perf_counter()
        con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}")
        anchor = time.perf_counter() - a0
        con.close()
    if fmt != "parquet":
        target.unlink(missing_ok=True)
    return {"ours": ours, "anchor": anchor, "peak_mib": peak, "same": None}


def child_evaluate(label: str, mode: str) -> dict:
    import duckdb

    from anchor import anchor_appendix
    from pyhotline import metrics
    from pyhotline.io import load_units
    from pyhotline.report import appendix_table
    from pyhotline.scheme import load_scheme
    from pyhotline.store import load_month, month_dataset

    parquet = DATA / f"orders-{label}.parquet"
    scheme = load_scheme("pingjiang")
    month = metrics.parse_month(MONTH)
    best, table = None, None
    for _ in range(2 if mode == "store" else 1):
        t0 = time.perf_counter()
        if mode == "store":
            data = month_dataset(store_path(label), month, scheme)
        else:
            data = load_month(month, orders=parquet, units=DATA / "units.csv", scheme=scheme)
        table = appendix_table(metrics.evaluation(data.orders, data.registry, month, scheme))
        best = min(best or 1e9, time.perf_counter() - t0)
        del data
    peak = _peak_mib()
    registry = load_units(DATA / "units.csv")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    anchor_best = None
    for _ in range(2):
        a0 = time.perf_counter()
        anchor = anchor_appendix(con, parquet, registry, month, scheme)
        anchor_best = min(anchor_best or 1e9, time.perf_counter() - a0)
    same = bool(table.shape == anchor.shape and (table.to_numpy() == anchor.to_numpy()).all())
    return {"ours": best, "anchor": anchor_best, "peak_mib": peak, "same": same}


def run_child(*args: str) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    if result.returncode:
        raise SystemExit(f"benchmark run {' '.join(args)} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- commands
def command(*args: str, env: dict | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pyhotline.cli", *args], check=True, capture_output=True, cwd=ROOT,
                   env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    return time.perf_counter() - t0


def bulletin_rows(label: str, with_range: bool) -> list[tuple]:
    import generate

    rows = []
    with tempfile.TemporaryDirectory(prefix="pyhotline-bench-") as tmp:
        tmp = Path(tmp)
        nowhere = {"PYHOTLINE_STORE": str(tmp / "none.duckdb")}  # the sample, through a temporary store
        command("bulletin", "--month", MONTH, "--out-dir", str(tmp / "warm"), env=nowhere)
        sample = min(command("bulletin", "--month", MONTH, "--out-dir", str(tmp / "s"), env=nowhere) for _ in range(2))
        big = min(command("bulletin", "--month", MONTH, "--store", str(store_path(label)), "--out-dir", str(tmp / "b"))
                  for _ in range(2))
        rows.append((f"bulletin --month on {label} store vs sample month", big, sample, "≤ 1.5x"))
        if with_range:
            small_csv, small = generate.generate(24_000)
            small_store = tmp / "small.duckdb"
            subprocess.run([sys.executable, "-m", "pyhotline.cli", "import", "--store", str(small_store), "--orders",
                            str(small), "--units", str(DATA / "units.csv")], check=True, capture_output=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
            few = command("bulletin", "--months", "2024-01:2024-12", "--store", str(small_store), "--out-dir",
                          str(tmp / "r1"))
            many = command("bulletin", "--months", "2024-01:2024-12", "--store", str(store_path(label)), "--out-dir",
                           str(tmp / "r2"))
            rows.append((f"12-month range on {label} store vs sample-size store", many, few, "≤ 1.3x"))
    return rows


# ---------------------------------------------------------------- main
TARGETS = {"import parquet": (3.0, "≤ 3x"), "import csv": (3.0, "≤ 3x"), "evaluate store": (2.0, "≤ 2x"),
           "evaluate file": (3.0, "≤ 3x")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="pyhotline store benchmark")
    parser.add_argument("--sizes", default="1M", help="comma-separated sizes (default %(default)s)")
    parser.add_argument("--ids", default="numeric,text", help="工单编号 styles (default %(default)s)")
    parser.add_argument("--quick", action="store_true", help="100k only, no bulletins")
    parser.add_argument("--no-csv", action="store_true", help="skip the CSV import")
    parser.add_argument("--no-bulletin", action="store_true", help="skip the bulletin timings")
    parser.add_argument("--range", action="store_true", help="also time 12-month ranges")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "SIZE", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, label, mode = args.child
        print(json.dumps(child_import(label, mode) if kind == "import" else child_evaluate(label, mode)))
        return 0

    import generate

    sizes = ["100k"] if args.quick else args.sizes.split(",")
    styles = args.ids.split(",")
    print(f"pyhotline store benchmark — month {MONTH}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    header = f"{'orders':>12} {'run':<15} {'ours s':>8} {'anchor s':>9} {'ratio':>7} {'target':>7} {'peak MiB':>9} {'same':>5}"
    print(header)
    print("-" * len(header))
    failed = False
    for size in sizes:
        n = generate.parse_size(size)
        for style in styles:
            generate.generate(n, ids=style)
            label = generate.size_label(n) + ("" if style == "numeric" else f"-{style}")
            runs = [("import parquet", "import", "parquet")]
            if not args.no_csv:
                runs.append(("import csv", "import", "csv"))
            runs += [("evaluate store", "evaluate", "store"), ("evaluate file", "evaluate", "file")]
            for name, kind, mode in runs:
                r = run_child(kind, label, mode)
                ratio = r["ours"] / r["anchor"]
                limit, target = TARGETS[name]
                same = "—" if r["same"] is None else ("yes" if r["same"] else "NO")
                print(f"{label:>12} {name:<15} {r['ours']:>8.2f} {r['anchor']:>9.2f} {ratio:>6.2f}x {target:>7} "
                      f"{r['peak_mib']:>9.0f} {same:>5}", flush=True)
                failed |= r["same"] is False
            if not args.no_bulletin and not args.quick and style == styles[0]:
                for name, ours, base, target in bulletin_rows(label, args.range):
                    print(f"{name}: {ours:.2f} s vs {base:.2f} s = {ours / base:.2f}x (target {target})", flush=True)
    for path in DATA.glob("store-*.duckdb"):
        path.unlink()
    shutil.rmtree(DATA / "tmp", ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
