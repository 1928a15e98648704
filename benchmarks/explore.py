#!/usr/bin/env python3
"""Explore's interactions on a large store, each against the same figures in plain DuckDB SQL.

    PYTHONPATH=. .venv/bin/python benchmarks/explore.py            # 10M orders
    PYTHONPATH=. .venv/bin/python benchmarks/explore.py --size 1M

Builds ``benchmarks/data/explore-<size>.duckdb`` once (kept; ``--force`` rebuilds): the sample
imported as usual (registry, letters, cut-off), then synthetic orders written by DuckDB straight
into the store's orders table, over 2023-01..2024-06 (18 months, ~1/18 of them per month), in
受理时间 order as monthly imports leave them. Then it times, in one process:

- every :class:`pyhotline.explore.Explorer` query the widgets call (per-unit summary for a month,
  a quarter and a year, a unit's 12-month trend, orders behind a flag, sorted; letters);
- every widget interaction of :class:`pyhotline.explore_ui.ExploreApp` (set a value, all its
  tables and the chart recomputed), which is what the analyst waits for;

each twice: *cold*, the months it needs not yet queried (the explorer reads the store lazily, the
months asked for, and keeps them), and *warm*, asked again. It prints each time with its ratio to the anchor: the per-unit counts of the same period written
as one plain DuckDB query on the same connection (no mapping, no pandas; the ratio is the cold time's).
Target: every interaction under 2 s, cold (docs/explore.md). No assertion: the numbers are for reading.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
TARGET = 2.0


def parse_size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text[:-1]) * {"k": 1_000, "m": 1_000_000}[text[-1]]) if text[-1] in "km" else int(text)


def build(path: Path, n: int) -> None:
    """The sample imported, then ``n`` synthetic orders inserted by DuckDB (deterministic: hashes of the row)."""
    from pyhotline.store import connect, import_files

    sample = ROOT / "data" / "sample"
    path.unlink(missing_ok=True)
    import_files(path, orders=[sample / "orders.csv"], units=[sample / "units.csv"], letters=[sample / "letters.csv"])
    with connect(path, read_only=False) as con:
        con.execute("SET enable_progress_bar = false").fetchall()
        units = [r[0] for r in con.execute("SELECT name FROM units").fetchall()]
        cats = [r[0] for r in con.execute("SELECT DISTINCT category FROM orders ORDER BY 1").fetchall()]
        cutoff = con.execute("SELECT max(cutoff) FROM imports WHERE kind = 'orders'").fetchall()[0][0]
        con.execute(f"""
            INSERT INTO orders
            WITH r AS (
                SELECT i, TIMESTAMP '2023-01-01' + to_microseconds(CAST(i * (547.0 * 86400e6 / {n}) AS BIGINT)) AS acc,
                       CAST(hash(i) >> 1 AS BIGINT) AS h, CAST(hash(i * 7 + 3) >> 1 AS BIGINT) AS g
                FROM range({n}) t(i)
            )
            SELECT 'B' || i, acc, ($cats)[1 + (h % {len(cats)})],
                   CASE WHEN h % 10 = 0 THEN '直接办结' ELSE '派单' END,
                   CASE WHEN h % 10 = 0 THEN '' ELSE ($units)[1 + (g % {len(units)})] END,
                   CASE WHEN h % 10 = 0 THEN NULL ELSE acc + INTERVAL 1 DAY * (3 + g % 20) END,
                   CASE WHEN g % 50 = 0 THEN NULL ELSE acc + INTERVAL 1 HOUR * (g % (24 * 24)) END,
                   (g // 7) % 3, (g // 11) % 3, CAST((g // 13) % 12 = 0 AS BIGINT), (g // 17) % 4 = 0,
                   ['满意', '基本满意', '不满意', '未回访', ''][1 + (g // 19) % 5],
                   $cutoff, 999, i
            FROM r
        """, {"cats": cats, "units": units, "cutoff": cutoff}).fetchall()
        con.execute("CHECKPOINT").fetchall()


def timed(fn, repeat: int = 3, prepare=None) -> float:
    best = float("inf")
    for _ in range(repeat):
        if prepare is not None:
            prepare()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def anchor_sql(con, start, end, cutoff) -> float:
    """The per-unit counts of a period in one plain DuckDB query."""
    sql = """
        SELECT unit,
               count(*) FILTER (accepted_at >= $s AND accepted_at < $e),
               count(*) FILTER (deadline >= $s AND deadline < $e),
               count(*) FILTER (deadline >= $s AND deadline < $e AND closed_at <= deadline),
               count(*) FILTER (deadline >= $s AND deadline < $e AND NOT coalesce(closed_at <= deadline, false)
                                AND (closed_at IS NOT NULL OR deadline < $c)),
               count(*) FILTER (closed_at >= $s AND closed_at < $e AND visit = '不满意')
        FROM orders WHERE mode = '派单' AND ((accepted_at >= $s AND accepted_at < $e) OR (deadline >= $s AND deadline < $e)
                                         OR (closed_at >= $s AND closed_at < $e))
        GROUP BY unit"""
    return timed(lambda: con.execute(sql, {"s": start, "e": end, "c": cutoff}).fetchall())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="explore benchmark")
    parser.add_argument("--size", default="10M")
    parser.add_argument("--force", action="store_true", help="rebuild the store")
    args = parser.parse_args(argv)
    n = parse_size(args.size)
    path = DATA / f"explore-{args.size}.duckdb"
    DATA.mkdir(parents=True, exist_ok=True)
    if args.force or not path.exists():
        start = time.perf_counter()
        build(path, n)
        print(f"built {path.name}: {n:,} orders in {time.perf_counter() - start:.1f} s")

    import matplotlib

    matplotlib.use("Agg")
    from io import BytesIO

    from pyhotline import explore_ui
    from pyhotline.explore import Explorer
    from pyhotline.explore_ui import ExploreApp

    # Outside a kernel, display() would print a repr: render the PNG instead, as the notebook's kernel does.
    explore_ui.display = lambda obj, *a, **k: (obj.savefig(BytesIO(), format="png", dpi=obj.dpi, bbox_inches="tight")
                                               if hasattr(obj, "savefig") else None)  # as IPython's inline backend

    start = time.perf_counter()
    x = Explorer(path)  # opening reads the units, months and categories only
    opened = time.perf_counter() - start
    full_scan = timed(lambda: x.con.execute(
        "SELECT unit, category, count(*), count(*) FILTER (closed_at <= deadline) FROM orders GROUP BY ALL").fetchall(), 1)
    total = x.con.execute("SELECT count(*) FROM orders").fetchall()[0][0]
    print(f"store {path.name}: {total:,} orders, months {x.months[0]}..{x.months[-1]}")
    print(f"opening (units, months, categories): {opened:.2f} s; a plain DuckDB GROUP BY over all orders: {full_scan:.2f} s;"
          f" ratio {opened / full_scan:.1f}")
    start = time.perf_counter()
    whole = x.cube  # every month at once: what opening used to cost
    print(f"every month's counts at once (the old opening): {time.perf_counter() - start:.2f} s, {len(whole):,} rows")
    cutoff = x.cutoff.to_pydatetime()
    month, quarter, year = x.period("2024-05"), x.period("2024Q2"), x.period("2024")
    anchors = {p.label: anchor_sql(x.con, p.start.to_pydatetime(), p.end.to_pydatetime(), cutoff)
               for p in (month, quarter, year)}
    unit = x.unit_names("县直单位")[0]
    app_box = {}

    def app_step(attr, value, table=None):
        def run():
            control = getattr(app_box["app"], attr) if table is None else getattr(app_box["app"].tables[table], attr)
            control.value = value
        return run

    rows = [
        ("summary 2024-05", month.label, lambda: x.unit_summary(month)),
        ("summary 2024Q2", quarter.label, lambda: x.unit_summary(quarter)),
        ("summary 2024", year.label, lambda: x.unit_summary(year)),
        ("unit trend (12 months)", month.label, lambda: x.unit_trend(unit, period=month)),
        ("orders behind 超期, sorted", month.label, lambda: x.orders(month, flags=["超期"], sort_by="办理时限")),
        ("orders of a unit, 无故超期", year.label, lambda: x.orders(year, unit=unit, flags=["无故超期"])),
        ("letters per unit + list", month.label, lambda: (x.letter_units(month), x.letter_rows(month))),
        ("widgets: open at 2024-05", month.label, lambda: app_box.update(app=ExploreApp(x, period="2024-05"))),
        ("widgets: choose a unit", month.label, None),
        ("widgets: show the unit page", month.label, None),
        ("widgets: unit page, another unit", month.label, None),
        ("widgets: toggle 超期", month.label, None),
        ("widgets: sort orders by 办理时限", month.label, None),
        ("widgets: period 2024Q2", quarter.label, None),
        ("widgets: period 2024", year.label, None),
        ("widgets: unit type 乡镇(街道)", year.label, None),
    ]
    def tab(index):
        def run():
            app_box["app"].tabs.selected_index = index
        return run

    def hide_page():
        tab(0)()
        app_box["app"].unit.value = "全部"
        app_box["app"]._trend_stale = True

    other = x.unit_names("县直单位")[1]

    def flip():
        box = app_box["app"].flags["超期"]
        box.value = not box.value

    # (untimed preparation, the one change timed): what the analyst waits for after one click
    steps = {
        "widgets: choose a unit": (app_step("unit", "全部"), app_step("unit", unit)),
        "widgets: show the unit page": (hide_page, tab(1)),
        "widgets: unit page, another unit": (lambda: (tab(1)(), app_step("unit", unit)()), app_step("unit", other)),
        "widgets: toggle 超期": (lambda: None, flip),
        "widgets: sort orders by 办理时限": (app_step("sort_by", "（默认）", "orders"), app_step("sort_by", "办理时限", "orders")),
        "widgets: period 2024Q2": (lambda: (tab(0)(), app_step("period", "2024-05")()), app_step("period", "2024Q2")),
        "widgets: period 2024": (app_step("period", "2024-05"), app_step("period", "2024")),
        "widgets: unit type 乡镇(街道)": (lambda: (app_step("unit", "全部")(), app_step("group", "全部")()),
                                       app_step("group", "乡镇(街道)")),
    }
    def forget():  # cold: no month queried yet
        x.forget()

    print(f"\n{'interaction':34} {'cold s':>7} {'warm s':>7} {'anchor s':>9} {'ratio':>7}  under {TARGET:g} s")
    worst = 0.0
    for name, label, fn in rows:
        if fn is None:
            prepare, act = steps[name]
            cold = timed(act, repeat=2, prepare=lambda: (prepare(), forget()))
            warm = timed(act, repeat=2, prepare=prepare)
        else:
            cold = timed(fn, repeat=2, prepare=forget)
            warm = timed(fn, repeat=1 if name.startswith("widgets: open") else 3)
        anchor = anchors[label]
        worst = max(worst, cold)
        print(f"{name:34} {cold:7.3f} {warm:7.3f} {anchor:9.3f} {cold / anchor:7.1f}  {'yes' if cold < TARGET else 'NO'}")
    print(f"\nslowest interaction {worst:.2f} s ({'within' if worst < TARGET else 'over'} the {TARGET:g} s target)")
    x.close()
    trend_benchmark(path)
    return 0


def trend_benchmark(path: Path) -> None:
    """The monthly bulletin's trend (pyhotline.trends): 12 months counted in DuckDB on the store
    (store_series, what trend_for uses) against the same months loaded into pandas and evaluated month by
    month (month_dataset + period.monthly_series, what trend_for did before); the tables must agree."""
    import pandas as pd

    from pyhotline import period, trends
    from pyhotline.scheme import load_scheme
    from pyhotline.store import month_dataset

    scheme = load_scheme("pingjiang")
    months = list(pd.period_range("2023-06", "2024-05", freq="M"))
    start = time.perf_counter()
    duck = trends.store_series(path, months, scheme)
    in_duckdb = time.perf_counter() - start
    start = time.perf_counter()
    data = month_dataset(path, months[-1], scheme, history=len(months) - 1)
    frames = period.monthly_series(data.orders, data.registry, months, scheme)
    in_pandas = time.perf_counter() - start
    start = time.perf_counter()
    trends.trend_for(str(months[-1]), store=path, scheme=scheme)
    trend_for = time.perf_counter() - start
    same = duck.equals(frames)
    print(f"\ntrend, 12 months: DuckDB (store_series) {in_duckdb:.2f} s; pandas (month_dataset + monthly_series) "
          f"{in_pandas:.2f} s; ratio {in_duckdb / in_pandas:.2f}; tables {'equal' if same else 'DIFFER'}")
    print(f"trends.trend_for({months[-1]}) as the bulletin calls it: {trend_for:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
