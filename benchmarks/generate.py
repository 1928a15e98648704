#!/usr/bin/env python3
"""Synthetic work orders (工单明细) for the benchmarks, in the documented format.

    .venv/bin/python benchmarks/generate.py --sizes 10k,100k,1M,10M

writes ``orders-<size>.csv`` and ``orders-<size>.parquet`` (plus ``units.csv``, a copy of the
sample registry) into ``$PYHOTLINE_BENCH_DATA`` (default ``benchmarks/data/``; put 10M files outside
the repository, e.g. ``PYHOTLINE_BENCH_DATA=/work/tmp-bench``). Same Chinese headers as
``data/sample/orders.csv``, personal columns included (the readers must drop
them), units drawn from ``data/sample/units.csv`` by registry name or 简称.
Deterministic: numpy's generator seeded per size, so a size always gives the
same rows. Orders are accepted over 2024 (one month holds about 1/12 of them).

The Parquet file stores typed columns, as a database export would: 受理时间,
办理时限, 办结时间 as timestamps (null = empty), the three counts as int64,
text as (dictionary-encoded) strings. The CSV holds the same values as text.
Files that already exist with the same size are kept (``--force`` rewrites).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("PYHOTLINE_BENCH_DATA") or Path(__file__).resolve().parent / "data")
UNITS = ROOT / "data" / "sample" / "units.csv"
SEED = 12345
CHUNK = 1_000_000

CATEGORIES = [
    "城乡建设类", "市场管理类", "公共服务类", "环境保护类", "社会保障类", "交通运输类",
    "教育文体类", "卫生健康类", "农业农村类", "公共安全类", "劳动就业类", "其他类",
]
VISITS = ["满意", "基本满意", "不满意", "未回访", ""]
VISIT_P = [0.55, 0.2, 0.05, 0.1, 0.1]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
TEXTS = [
    "来电人反映小区路灯不亮，请求相关部门核实处理。",
    "来电人反映食品过期仍在销售，请求相关部门核实处理。",
    "来电人反映宽带故障多日未修复，请求相关部门核实处理。",
    "来电人反映养殖场气味扰民，请求相关部门核实处理。",
    "来电人咨询社保缴费事宜。",
]
HEADER = [
    "工单编号", "受理时间", "事件分类", "办理方式", "承办单位", "办理时限", "办结时间",
    "延期次数", "回退次数", "返工次数", "市热线办退回", "回访结果", "来电人", "联系电话", "诉求内容",
]


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def unit_names() -> list[str]:
    """Names the exports use: every registry name and every 简称."""
    units = pd.read_csv(UNITS, dtype=str, keep_default_na=False)
    names = list(units["单位名称"])
    for aliases in units["简称"]:
        names += [a for a in aliases.replace(";", "；").replace("、", "；").split("；") if a]
    return names


#: 工单编号 styles: plain numbers, or text as platforms write them, half each way: the date of acceptance
#: and a running number ("2024050300123", digits but not a number: leading part is a date) or with the
#: county's code ("PJ20240503-0012"); together no reader can treat the column as integers.
ID_STYLES = ("numeric", "text")


#: How often things happen. ``sample``: the frequencies of data/sample/orders.csv (a real county's month:
#: 38% 直接办结, 2.6% of dispatched orders closed after their deadline, 3.8% extended once and 0.06% twice,
#: 2.6% sent back once and 0.06% more, 1.3% open), so a city month lists about as many problem orders per
#: thousand as the sample (0.4%). ``heavy``: the first generator's rates, kept as a stress case (a third of the
#: orders overdue, a fifth extended or sent back twice or more: 59% of a month's orders are listed problems).
PROFILES = ("sample", "heavy")
RATES = {
    "sample": dict(direct=0.383, direct_named=0.03, limit_p=[592, 1205, 1167, 736, 724, 72], ext=[0.9617, 0.0377, 0.0006],
                   overdue=0.026, open=0.013, send_back=[0.9735, 0.0259, 0.0005, 0.0001], rework=[0.933, 0.044, 0.023],
                   returned=0.0136, visit_p=[0.484, 0.229, 0.043, 0.113, 0.131]),
    "heavy": dict(direct=0.15, direct_named=0.2, limit_p=[1, 1, 1, 1, 1, 1], ext=None, overdue=None, open=0.04,
                  send_back=None, rework=None, returned=0.1, visit_p=VISIT_P),
}


def chunk_table(n: int, start: int, rng: np.random.Generator, names: list[str], ids_style: str = "numeric",
                profile: str = "sample") -> pa.Table:
    """Rows start .. start+n-1 as an Arrow table with typed columns."""
    rates = RATES[profile]
    year = np.datetime64("2024-01-01T00:00:00", "s")
    seconds_in_year = 366 * 86400
    accepted = year + rng.integers(0, seconds_in_year, n).astype("timedelta64[s]")
    direct = rng.random(n) < rates["direct"]
    if profile == "heavy":  # the first generator's draws, in its order: its files stay the same
        limit_days = rng.choice([3, 5, 7, 10, 15, 20], n)
    else:
        limit_p = np.array(rates["limit_p"], float)
        limit_days = rng.choice([3, 5, 7, 10, 15, 20], n, p=limit_p / limit_p.sum())
    if rates["ext"] is None:
        extensions = rng.choice([0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3], n)
    else:
        extensions = rng.choice([0, 1, 2], n, p=rates["ext"])
    deadline = accepted + ((limit_days + 5 * extensions) * 86400).astype("timedelta64[s]")
    if rates["overdue"] is None:
        share = rng.gamma(2.0, 0.45, n)
    else:
        share = np.where(rng.random(n) < rates["overdue"], rng.uniform(1.0, 3.4, n), rng.uniform(0.01, 1.0, n))
    took = (share * (limit_days + 5 * extensions) * 86400).astype("int64")
    closed = accepted + took.astype("timedelta64[s]")
    still_open = rng.random(n) < rates["open"]
    deadline_null = direct & (rng.random(n) < (0.5 if profile == "heavy" else 1 - rates["direct_named"]))
    ids = np.arange(start, start + n) * 7 + 100_000_000  # unique, not sorted by time
    unit_idx = rng.integers(0, len(names), n)
    if ids_style == "text":
        import pyarrow.compute as pc

        day = pc.strftime(pa.array(accepted), format="%Y%m%d")
        number = pc.cast(pa.array(np.arange(start, start + n)), pa.string())
        plain = pc.binary_join_element_wise(day, pc.utf8_lpad(number, 5, "0"), "")
        coded = pc.binary_join_element_wise("PJ", day, "-", pc.utf8_lpad(number, 4, "0"), "")
        order_ids = pc.if_else(pa.array(np.arange(start, start + n) % 2 == 0), plain, coded)
    else:
        order_ids = pa.array(ids.astype(str))
    cols = {
        "工单编号": order_ids,
        "受理时间": pa.array(accepted),
        "事件分类": pa.DictionaryArray.from_arrays(rng.integers(0, len(CATEGORIES), n).astype("int32"), CATEGORIES),
        "办理方式": pa.DictionaryArray.from_arrays(direct.astype("int32"), ["派单", "直接办结"]),
        "承办单位": pa.DictionaryArray.from_arrays(
            np.where(direct & (rng.random(n) < 1 - rates["direct_named"]), len(names), unit_idx).astype("int32"), [*names, ""]
        ),
        "办理时限": pa.array(deadline, mask=deadline_null),
        "办结时间": pa.array(closed, mask=still_open),
        "延期次数": pa.array(extensions.astype("int64")),
        "回退次数": pa.array((rng.choice([0, 0, 0, 0, 0, 0, 1, 1, 2, 3], n) if profile == "heavy"
                              else rng.choice([0, 1, 2, 3], n, p=rates["send_back"])).astype("int64")),
        "返工次数": pa.array((rng.choice([0] * 12 + [1, 1, 2], n) if profile == "heavy"
                              else rng.choice([0, 1, 2], n, p=rates["rework"])).astype("int64")),
        "市热线办退回": pa.DictionaryArray.from_arrays((rng.random(n) >= rates["returned"] if profile != "heavy" else rng.random(n) < 0.9).astype("int32"), ["是", "否"]),
        "回访结果": pa.DictionaryArray.from_arrays(rng.choice(len(VISITS), n, p=rates["visit_p"]).astype("int32"), VISITS),
        "来电人": pa.DictionaryArray.from_arrays(
            rng.integers(0, 2 * len(SURNAMES), n).astype("int32"),
            [s + t for s in SURNAMES for t in ("先生", "女士")],
        ),
        "联系电话": pa.array((13_000_000_000 + rng.integers(0, 999_999_999, n)).astype(str)),
        "诉求内容": pa.DictionaryArray.from_arrays(rng.integers(0, len(TEXTS), n).astype("int32"), TEXTS),
    }
    return pa.table(cols)


def csv_chunk(table: pa.Table) -> pd.DataFrame:
    """The same rows as the text a CSV export holds (empty cells for nulls)."""
    frame = {}
    for name in table.column_names:
        col = table[name].to_pandas()
        if pd.api.types.is_datetime64_any_dtype(col):
            text = col.dt.strftime("%Y-%m-%d %H:%M:%S")
            frame[name] = text.where(col.notna(), "")
        else:
            frame[name] = col.astype(str)
    return pd.DataFrame(frame)


def data_label(n: int, ids: str = "numeric", profile: str = "sample") -> str:
    """The files' name: orders-1M, orders-10M-text, orders-10M-text-heavy."""
    return size_label(n) + ("" if ids == "numeric" else f"-{ids}") + ("" if profile == "sample" else f"-{profile}")


def generate(n: int, *, force: bool = False, ids: str = "numeric", profile: str = "sample") -> tuple[Path, Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    label = data_label(n, ids, profile)
    csv_path, parquet_path = DATA / f"orders-{label}.csv", DATA / f"orders-{label}.parquet"
    if not force and csv_path.is_file() and parquet_path.is_file() and pq.read_metadata(parquet_path).num_rows == n:
        return csv_path, parquet_path
    rng = np.random.default_rng([SEED, n])
    names = unit_names()
    tmp_csv, tmp_pq = csv_path.with_suffix(".csv.tmp"), parquet_path.with_suffix(".parquet.tmp")
    writer = None
    with open(tmp_csv, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(HEADER)  # one line ending for the whole file, as exports have
        for start in range(0, n, CHUNK):
            table = chunk_table(min(CHUNK, n - start), start, rng, names, ids, profile)
            if writer is None:
                writer = pq.ParquetWriter(tmp_pq, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=CHUNK)
            csv_chunk(table).to_csv(fh, header=False, index=False, lineterminator="\n")
    writer.close()
    tmp_csv.replace(csv_path)
    tmp_pq.replace(parquet_path)
    shutil.copyfile(UNITS, DATA / "units.csv")
    return csv_path, parquet_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M,10M", help="comma-separated row counts (10k, 1M ...)")
    parser.add_argument("--force", action="store_true", help="rewrite files that already exist")
    parser.add_argument("--ids", default="numeric", choices=ID_STYLES, help="工单编号 style (default %(default)s)")
    parser.add_argument("--profile", default="sample", choices=PROFILES,
                        help="how often orders are overdue, extended, sent back (default %(default)s: the sample's)")
    args = parser.parse_args(argv)
    for size in args.sizes.split(","):
        n = parse_size(size)
        csv_path, parquet_path = generate(n, force=args.force, ids=args.ids, profile=args.profile)
        print(f"{size_label(n):>5}: {csv_path} ({csv_path.stat().st_size / 2**20:.0f} MiB), "
              f"{parquet_path} ({parquet_path.stat().st_size / 2**20:.0f} MiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
