#!/usr/bin/env python3
"""Pages and layout time of the bulletin PDF as the data grow (issue 11 item 6: bounded documents).

    .venv/bin/python benchmarks/pages.py                    # 10k, 1M, 10M (data from benchmarks/generate.py)
    .venv/bin/python benchmarks/pages.py --sizes 10k,1M --ids numeric

First the sample month (the bundled 平江 data, 2024-05), then each size: the month's report (one-shot
from the size's Parquet file, through a temporary store; the data of ``generate.py``, by default with
text 工单编号 such as "PJ20240503-0012345"), then the bulletin's parts as the notebook displays them
(masthead, 基本情况, 存在的问题, 工作要求 and 附件说明, 附件1, 附件3; no charts: their pages do not
depend on the data's size), laid out by WeasyPrint (:func:`pyhotline.render.html_to_pdf`) and
written as DOCX (:mod:`pyhotline.word`).

Printed for each: orders in the month, orders in the month's lists (无故超期 + 回退/延期 violations),
order numbers the text names, pages of the PDF and of its 附件3, seconds for the report, the layout
and its ratio to the sample month's layout in the same run (after a warm-up layout), and the DOCX.
Bounded documents: the text names at most ``bulletin.max_orders_per_unit`` orders per unit and list,
附件3 at most ``bulletin.max_attachment_rows`` rows, so the pages stop growing once every unit's lists
are cut and 附件3 is full. A size whose data is missing is generated first (10M: about 2.4 GB of CSV
and Parquet); ``--skip-docx`` leaves the Word file out.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
MONTH = "2024-05"


def page(parts: list[str], title: str) -> str:
    from pyhotline.render import _template

    return (_template("page.html").replace("{{title}}", title).replace("{{css}}", _template("bulletin.css"))
            .replace("{{body}}", "".join(parts)))


def _pages(pdf: Path) -> tuple[int, int]:
    """(pages, the first page of 附件3 or 0): from the PDF's text, page by page (poppler's pdftotext)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    first = next((i + 1 for i, p in enumerate(pages) if re.search(r"^\s*附件3\s*$", p, re.M)), 0)
    return len(pages), first


def _report(parquet: Path | None, units: Path | None):
    import pyhotline as ph

    scheme = ph.load_scheme("pingjiang")
    if parquet is None:  # the sample month, as `pyhotline bulletin --month 2024-05` reads it
        return ph.monthly_report(MONTH, ph.load_dataset(scheme=scheme), scheme)
    data = ph.load_period(MONTH, orders=parquet, units=units, scheme=scheme)
    return ph.period_report(MONTH, data, scheme)


def _measure(label: str, parquet: Path | None, units: Path | None, out: Path, docx: bool) -> dict:
    from pyhotline import bulletin as b
    from pyhotline import order_lists
    from pyhotline.render import html_to_pdf

    t0 = time.perf_counter()
    report = _report(parquet, units)
    t_report = time.perf_counter() - t0
    listed = sum(len(u.orders) for u in order_lists.unit_lists(report))
    parts = [b.masthead_html(report, issue=9, date="2024-07-10"), b.basic_html(report),
             b.problems_html(report), b.requirements_html(report) + b.attachments_html(report),
             b.appendix_html(report), b.problem_orders_html(report)]
    named = len(re.findall(r"\[[^\]<]+\]", parts[2]))
    pdf = out / f"pages-{label}.pdf"
    t0 = time.perf_counter()
    html_to_pdf(page(parts, b.title(report)), pdf)
    t_layout = time.perf_counter() - t0
    pages, first = _pages(pdf)
    t_docx = None
    if docx:
        from pyhotline.word import write_docx

        t0 = time.perf_counter()
        write_docx(parts, out / f"pages-{label}.docx", title=b.title(report))
        t_docx = time.perf_counter() - t0
    return {"size": label, "orders_month": int(report.totals["requests"]), "listed": listed, "named": named,
            "pages": pages, "attachment3": (pages - first + 1) if first else 0, "report_s": t_report,
            "layout_s": t_layout, "docx_s": t_docx}


def main(argv: list[str] | None = None) -> int:
    from generate import DATA, ID_STYLES, PROFILES, data_label, generate, parse_size

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,1M,10M")
    parser.add_argument("--ids", default="text", choices=ID_STYLES, help="工单编号 style (default %(default)s)")
    parser.add_argument("--profile", default="sample", choices=PROFILES, help="data rates (default %(default)s)")
    parser.add_argument("--skip-docx", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pyhotline-pages-") as tmp:
        _measure("sample", None, None, Path(tmp), False)  # warm-up: WeasyPrint's first layout loads the fonts
        sample = _measure("sample", None, None, Path(tmp), not args.skip_docx)
        print(_line(sample, sample), file=sys.stderr, flush=True)
        rows = [sample]
        for size in args.sizes.split(","):
            n = parse_size(size)
            _, parquet = generate(n, ids=args.ids, profile=args.profile)
            label = data_label(n, args.ids, args.profile)
            rows.append(_measure(label, parquet, DATA / "units.csv", Path(tmp), not args.skip_docx))
            print(_line(rows[-1], sample), file=sys.stderr, flush=True)
    print("| orders | in May | listed orders | numbers in the text | PDF pages | of which 附件3 | "
          "report s | layout s | layout vs sample | DOCX s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['size']} | {r['orders_month']} | {r['listed']} | {r['named']} | {r['pages']} | "
              f"{r['attachment3']} | {r['report_s']:.1f} | {r['layout_s']:.2f} | "
              f"{r['layout_s'] / sample['layout_s']:.2f}x | "
              f"{'—' if r['docx_s'] is None else format(r['docx_s'], '.2f')} |")
    return 0


def _line(r: dict, sample: dict) -> str:
    ratio = r["layout_s"] / sample["layout_s"]
    return (f"{r['size']}: {r['listed']} listed, {r['named']} named, {r['pages']} pages "
            f"({r['attachment3']} 附件3), layout {r['layout_s']:.2f} s ({ratio:.2f}x sample)")


if __name__ == "__main__":
    raise SystemExit(main())
