"""``figures.json``: every figure a month's bulletin states, machine-readable (docs/figures.md).

Computed from the same :class:`~pyhotline.report.MonthlyReport` as the bulletin's text, tables
and charts, so each number is the one printed. Keys follow the reference figures file
(data/reference/pingjiang-2024-05-figures.json) where they apply; rates are the printed text
("20.88%"), counts are integers, points are exact decimals written as JSON numbers.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd

from .errors import SchemeError
from .numbers import pct, plain
from .report import APPENDIX_HEADERS, EvaluationTable, MonthlyReport

SCHEMA = "pyhotline.figures/1"


def _number(value: Decimal | int) -> int | float:
    """An exact decimal as JSON writes it: 2 -> 2, 0.5 -> 0.5 (the decimal's own digits)."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(str(value))


def group_keys(scheme) -> dict[str, str]:
    """The scheme's ``[figures] group_keys`` (单位类型 -> key part, e.g. 乡镇(街道) -> towns); a unit
    type not named there is its own key."""
    table = (scheme.raw or {}).get("figures", {}).get("group_keys", {})
    if not isinstance(table, dict) or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in table.items()):
        raise SchemeError("figures.group_keys 应为“单位类型 = 英文键名”的表", path=scheme.path)
    return {group: table.get(group, group) for group in scheme.appendix_groups}


def appendix_rows(evaluation: pd.DataFrame, keep_zeros: bool = True) -> list[dict]:
    """The 综合评价表 as rows keyed by its Chinese headers, values as printed (counts as integers; with
    ``keep_zeros``, the scheme's ``rounding.keep_trailing_zeros``, as 84.20, 100.00%)."""
    rows = []
    for record in evaluation.to_dict("records"):
        row = {}
        for column, header in APPENDIX_HEADERS.items():
            value = record[column]
            if column in ("completion_rate", "on_time_rate", "rework_rate", "dissatisfaction_rate"):
                row[header] = None if value is None or pd.isna(value) else pct(value, keep_zeros=keep_zeros)
            elif column == "composite":
                row[header] = None if value is None or pd.isna(value) else plain(value, keep_zeros=keep_zeros)
            elif column in ("group", "unit", "grade"):
                row[header] = value
            else:
                row[header] = int(value)
        rows.append(row)
    return rows


def _shorts(table: pd.DataFrame, group: str) -> list[str]:
    return table.loc[table["group"] == group, "short"].tolist()


def figures(report: MonthlyReport, *, trend=None) -> dict:
    """Every figure of the month's bulletin, as a JSON-ready dict."""
    scheme = report.scheme
    keys = group_keys(scheme)
    n = scheme.top_n
    zeros = scheme.keep_trailing_zeros  # figures as the bulletin prints them (84.20 when kept)
    hotline: dict = {
        "work_orders_accepted": report.totals["work_orders"],
        "requests_total_implied": report.totals["requests"],
        "direct_closed": report.totals["direct"],
        "top_categories": [
            {"category": c, "count": int(k), "share": pct(s, keep_zeros=zeros)}
            for c, k, s in zip(report.top_categories["category"], report.top_categories["count"],
                               report.top_categories["share"])
        ],
        "categories": [
            {"category": c, "count": int(k), "share": pct(s, keep_zeros=zeros)}
            for c, k, s in zip(report.categories["category"], report.categories["count"], report.categories["share"])
        ],
    }
    for group, key in keys.items():
        hotline[f"top{n}_volume_{key}"] = _shorts(report.volume_top, group)
    for group, key in keys.items():
        hotline[f"top{n}_composite_{key}"] = _shorts(report.composite_top, group)
    hotline["overdue_total"] = report.overdue_total
    hotline["overdue_by_unit"] = {label: int(k) for label, k in zip(report.overdue["label"], report.overdue["overdue"])}
    hotline["unjustified_overdue_orders"] = {
        label: [str(i) for i in ids] for label, ids in zip(report.unjustified["label"], report.unjustified["unjustified_ids"])
    }
    hotline["unjustified_overdue_deduction_per_order"] = _number(scheme.unjustified_overdue_points)
    hotline["grade_deduction_points"] = {g.name: _number(g.deduction) for g in scheme.grades if g.deduction}
    for grade, units in report.graded.items():
        hotline[f"grade_{grade}_units"] = list(units)
    hotline["deductions"] = [
        {"unit": r.label, "unjustified_overdue": int(r.unjustified), "overdue_points": _number(r.overdue_points),
         "grade": r.grade, "grade_points": _number(r.grade_points), "total": _number(r.total)}
        for r in report.deductions.itertuples(index=False)
    ]
    v = report.violations  # columns as lists: itertuples over Arrow strings is slow (200k rows, heavy months)
    hotline["named_cases"] = [
        {"order": str(order_id), "unit": label, "rule": rule, "count": int(count)}
        for order_id, label, rule, count in zip(*(v[c].tolist() if c in v else [] for c in ("order_id", "label", "rule", "count")))
    ]
    out = {
        "schema": SCHEMA,
        "month": str(report.month),
        "county": scheme.county,
        "as_of": None if report.as_of is None else f"{report.as_of:%Y-%m-%d %H:%M:%S}",
        "letters_as_of": None if report.letters_as_of is None else f"{report.letters_as_of:%Y-%m-%d %H:%M:%S}",
        "hotline": hotline,
    }
    if report.month_over_month is not None:
        out["month_over_month"] = [
            {"item": r.item, "kind": r.kind, "current": int(r.current), "previous": int(r.previous),
             "change": int(r.change), "change_rate": None if r.change_rate is None else pct(r.change_rate, keep_zeros=zeros)}
            for r in report.month_over_month.itertuples(index=False)
        ]
        if getattr(report, "previous_covered", None):  # the previous month's days the data hold, when not all
            out["month_over_month_previous_covered"] = [[f"{a:%Y-%m-%d}", f"{b:%Y-%m-%d}"] for a, b in report.previous_covered]
    if report.mailbox is not None:
        box = report.mailbox
        mailbox: dict = {
            "letters_total": int(box["letters"].sum()),
            "by_channel": {c: int(k) for c, k in zip(box["channel"], box["letters"])},
            "all_replied_on_time": bool((box["on_time"] == box["letters"]).all()),
            "on_time_by_channel": {c: int(k) for c, k in zip(box["channel"], box["on_time"])},
            "satisfaction_by_channel": {
                c: None if s is None else pct(s, keep_zeros=zeros) for c, s in zip(box["channel"], box["satisfaction"])
            },
        }
        # the channel whose 满意率 the text states (wording.satisfaction_channel); the key keeps the reference's name
        channel = report.scheme.words("satisfaction_channel")
        rated = box.loc[box["channel"] == channel, "satisfaction"]
        if len(rated) and rated.iloc[0] is not None:
            mailbox["satisfaction_channel"] = channel
            mailbox["mayor_mailbox_satisfaction_rate"] = pct(rated.iloc[0], keep_zeros=zeros)
        if report.very_satisfied is not None:
            mailbox["very_satisfied_letters"] = {
                label: int(k) for label, k in zip(report.very_satisfied["label"], report.very_satisfied["count"])
            }
        out["mailbox"] = mailbox
    if getattr(report, "series_parts", None) is not None:  # the scheme's series parts (pyhotline.series)
        from .series.figures import series_figures

        out["series"] = series_figures(report)
    if hasattr(report, "figures_extra"):  # a quarter's or year's report (pyhotline.period)
        out.update(report.figures_extra())
    if trend is not None:  # the monthly bulletin's trend chart (pyhotline.trends)
        from .trends import series_rows

        out["trend"] = series_rows(trend, keep_zeros=zeros)
    out["appendix"] = appendix_rows(report.evaluation, zeros)
    out["data_notes"] = [w for record in report.quality for w in record.warnings]
    return out


def _write(payload: dict, path: str | Path) -> Path:
    from .export import atomic_path

    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def write_figures(report: MonthlyReport, path: str | Path, *, trend=None) -> Path:
    """Write ``figures.json`` (a folder given: ``folder/figures.json``)."""
    path = Path(path)
    if path.is_dir() or not path.suffix:
        path = path / "figures.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return _write(figures(report, trend=trend), path)


def write_table_json(report: MonthlyReport | EvaluationTable, path: str | Path) -> Path:
    """``evaluate --out x.json``: the 综合评价表 as in figures.json (``appendix``)."""
    return _write({"schema": SCHEMA, "month": str(report.month), "county": report.scheme.county,
                   "appendix": appendix_rows(report.evaluation, report.scheme.keep_trailing_zeros)}, path)
