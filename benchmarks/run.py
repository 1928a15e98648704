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
sys.path.insert(0, str(HERE))
from generate import DATA  # noqa: E402  ($PYHOTLINE_BENCH_DATA, default benchmarks/data)

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
        readers = [f"read_parquet('{source}')"] if fmt == "parquet" else [
            f"read_csv('{source}')", f"read_csv('{source}', strict_mode = false, parallel = false)"]
        for reader in readers:  # DuckDB's own default; one thread only when its parallel reader refuses the file
            try:
                a0 = time.perf_counter()
                con.execute(f"CREATE OR REPLACE TABLE t AS SELECT * FROM {reader}")
                anchor = time.perf_counter() - a0
                break
            except duckdb.Error:
                continue
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
    from pyhotline.store import load_month

    parquet = DATA / f"orders-{label}.parquet"
    scheme = load_scheme("pingjiang")
    month = metrics.parse_month(MONTH)
    best, table = None, None
    for _ in range(2 if mode == "store" else 1):
        t0 = time.perf_counter()
        if mode == "store":  # as the evaluate command reads (cli._evaluate)
            data = load_month(month, store=store_path(label), scheme=scheme, table_only=True)
        else:
            data = load_month(month, orders=parquet, units=DATA / "units.csv", scheme=scheme, table_only=True)
        table = appendix_table(metrics.evaluation(data.orders, data.registry, month, scheme),
                               keep_zeros=scheme.keep_trailing_zeros)  # as the anchor prints (tests/test_scale.py)
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
def command(*args: str, env: dict | None = None) -> tuple[float, float]:
    """(seconds, peak MiB of that process) of one fresh ``pyhotline`` command."""
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "pyhotline.cli", *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - t0
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"pyhotline {' '.join(args)} failed:\n{child.stderr.read().decode()}")
    child.stderr.close()
    return seconds, usage.ru_maxrss / 1024


def best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return min(r[0] for r in runs), max(r[1] for r in runs)


def bulletin_rows(label: str, with_range: bool, reps: int = 2, profile: str = "sample") -> list[tuple]:
    import generate

    rows = []
    with tempfile.TemporaryDirectory(prefix="pyhotline-bench-") as tmp:
        tmp = Path(tmp)
        nowhere = {"PYHOTLINE_STORE": str(tmp / "none.duckdb")}  # the sample, through a temporary store
        command("bulletin", "--month", MONTH, "--out-dir", str(tmp / "warm"), env=nowhere)
        sample = best([command("bulletin", "--month", MONTH, "--out-dir", str(tmp / "s"), env=nowhere) for _ in range(reps)])
        big = best([command("bulletin", "--month", MONTH, "--store", str(store_path(label)), "--out-dir", str(tmp / "b"))
                    for _ in range(reps)])
        rows.append(("bulletin", big, sample))
        if with_range:
            small_csv, small = generate.generate(24_000, profile=profile)  # the same generator's rates
            small_store = tmp / "small.duckdb"
            subprocess.run([sys.executable, "-m", "pyhotline.cli", "import", "--store", str(small_store), "--orders",
                            str(small), "--units", str(DATA / "units.csv")], check=True, capture_output=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
            few = command("bulletin", "--months", "2024-01:2024-12", "--store", str(small_store), "--out-dir",
                          str(tmp / "r1"))
            many = command("bulletin", "--months", "2024-01:2024-12", "--store", str(store_path(label)), "--out-dir",
                           str(tmp / "r2"))
            rows.append(("range", many, few))
    return rows


# ---------------------------------------------------------------- main
TARGETS = {"import parquet": (3.0, "≤ 3x"), "import csv": (3.0, "≤ 3x"), "evaluate store": (2.0, "≤ 2x"),
           "evaluate file": (3.0, "≤ 3x"), "bulletin": (1.5, "≤ 1.5x"), "range": (1.3, "≤ 1.3x")}
PEAK_MIB = 2048


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="pyhotline store benchmark")
    parser.add_argument("--sizes", default="1M", help="comma-separated sizes (default %(default)s)")
    parser.add_argument("--ids", default="numeric,text", help="工单编号 styles (default %(default)s)")
    parser.add_argument("--profile", default="sample", choices=("sample", "heavy"),
                        help="the data's rates of overdue, extended, sent-back orders (generate.py; default "
                             "%(default)s: the sample's; heavy: 59%% of a month's orders listed)")
    parser.add_argument("--quick", action="store_true", help="100k only, no bulletins")
    parser.add_argument("--no-csv", action="store_true", help="skip the CSV import")
    parser.add_argument("--no-bulletin", action="store_true", help="skip the bulletin timings")
    parser.add_argument("--range", action="store_true", help="also time 12-month ranges")
    parser.add_argument("--runs", help="only these runs, comma-separated (e.g. 'evaluate file'); the store is "
                                       "made first when missing")
    parser.add_argument("--reps", type=int, default=2, help="bulletin runs each, the fastest counts (default 2)")
    parser.add_argument("--only-bulletin", action="store_true", help="only the bulletin (and --range) rows, on a "
                                                                        "store a --keep-stores run left")
    parser.add_argument("--keep-stores", action="store_true", help="keep the stores for another run")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "SIZE", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, label, mode = args.child
        print(json.dumps(child_import(label, mode) if kind == "import" else child_evaluate(label, mode)))
        return 0

    import generate

    sizes = ["100k"] if args.quick else args.sizes.split(",")
    styles = args.ids.split(",")
    load = os.getloadavg()
    print(f"pyhotline store benchmark — month {MONTH}, profile {args.profile}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    header = (f"{'orders':>12} {'run':<15} {'ours s':>8} {'anchor s':>9} {'ratio':>7} {'target':>7} {'peak MiB':>9} "
              f"{'same':>5}  verdict")
    print(header)
    print("-" * len(header))
    failed = False

    def line(label, name, ours, anchor, peak, same=None):
        ratio = ours / anchor
        limit, target = TARGETS[name]
        met = ratio <= limit and (peak < PEAK_MIB if name.startswith("import") else True) and same is not False
        shown = "—" if same is None else ("yes" if same else "NO")
        print(f"{label:>12} {name:<15} {ours:>8.2f} {anchor:>9.2f} {ratio:>6.2f}x {target:>7} {peak:>9.0f} {shown:>5}  "
              f"{'met' if met else 'NOT MET'}", flush=True)

    only = set(args.runs.split(",")) if args.runs else None
    for size in sizes:
        n = generate.parse_size(size)
        for style in styles:
            generate.generate(n, ids=style, profile=args.profile)
            label = generate.data_label(n, style, args.profile)
            runs = [("import parquet", "import", "parquet")]
            if not args.no_csv:
                runs.append(("import csv", "import", "csv"))
            runs += [("evaluate store", "evaluate", "store"), ("evaluate file", "evaluate", "file")]
            for name, kind, mode in [] if args.only_bulletin else runs:
                if only and name not in only and not (name == "import parquet" and not store_path(label).is_file()):
                    continue
                r = run_child(kind, label, mode)
                line(label, name, r["ours"], r["anchor"], r["peak_mib"], r["same"])
                failed |= r["same"] is False
            if not args.no_bulletin and not args.quick and style == styles[0]:
                for name, ours, base in bulletin_rows(label, args.range, args.reps, args.profile):
                    line(label, name, ours[0], base[0], ours[1])
    for path in [] if args.keep_stores else DATA.glob("store-*.duckdb"):
        path.unlink()
    shutil.rmtree(DATA / "tmp", ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
