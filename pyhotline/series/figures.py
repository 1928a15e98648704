"""The series' figures for ``figures.json`` (key ``series``; docs/figures.md)."""

from __future__ import annotations

from ..numbers import printers


def _number(value) -> int | float:
    from ..figures import _number as number

    return number(value)


def series_figures(report) -> dict:
    """The parts the scheme turns on, as JSON-ready values (units by 简称, rates and 综合指标值 as printed)."""
    from ..figures import group_keys

    series, scheme = report.series_parts, report.scheme
    pct, plain = printers(scheme)
    keys = group_keys(scheme)
    out: dict = {}
    if series.grade_changes is not None:
        out["grade_changes"] = [{"unit": r.short, "group": r.group, "from": r.from_grade, "to": r.to_grade,
                                 "direction": r.direction} for r in series.grade_changes.itertuples()]
    if series.below_top is not None:
        out["below_top_grade"] = {"months": series.settings.low_months, "top_grade": scheme.grades[0].name,
                                  "units": [{"unit": r.short, "grades": list(r.grades)} for r in series.below_top.itertuples()]}
    if series.follow_up is not None:
        out["follow_up"] = [{"unit": r.label, "last_unjustified_overdue": int(r.last_unjustified),
                             "last_violations": int(r.last_violations), "unjustified_overdue": int(r.unjustified),
                             "violations": int(r.violations), "grade": r.grade, "resolved": bool(r.resolved)}
                            for r in series.follow_up.itertuples()]
    if series.grade_counts is not None:
        out["grade_counts"] = {keys.get(r["group"], r["group"]): {k: int(v) for k, v in r.items() if k != "group"}
                               for r in series.grade_counts.to_dict("records")}
    if series.ranked is not None:
        out["ranking"] = {
            "min_orders": series.settings.min_orders, "basis": series.settings.min_orders_basis,
            "ties": series.settings.ties,
            "ranks": {keys.get(g, g): [{"unit": r.short, "composite": plain(r.composite), "rank": int(r.rank)}
                                       for r in series.ranked.loc[series.ranked["group"] == g].itertuples()]
                      for g in scheme.narrative_groups},
            "too_few": [{"unit": r.short, "volume": int(r.volume)} for r in series.too_few.itertuples()],
        }
    if series.red_list is not None:
        out["red_list"] = {keys.get(g, g): [{"unit": r.short, "composite": plain(r.composite), "rank": int(r.rank)}
                                            for r in series.red_list.loc[series.red_list["group"] == g].itertuples()]
                           for g in scheme.narrative_groups}
    if series.black_list is not None:
        rows = []
        for r in series.black_list.to_dict("records"):
            row = {"unit": r["short"], "group": r["group"], "composite": plain(r["composite"]),
                   "bottom_rank": int(r["bottom_rank"])}
            if "indicator" in r:
                row.update(indicator=r["indicator"], indicator_rate=pct(r["indicator_rate"]),
                           indicator_points=_number(r["indicator_points"]))
            rows.append(row)
        out["black_list"] = {"scope": series.settings.black_list_scope, "units": rows}
    if series.settings.year_over_year:
        table = series.year_over_year
        out["year_over_year"] = None if table is None else [
            {"item": r.item, "kind": r.kind, "current": int(r.current), "previous": int(r.previous),
             "change": int(r.change), "change_rate": None if r.change_rate is None else pct(r.change_rate)}
            for r in table.itertuples(index=False)]
    out["left_out"] = list(series.notes)
    return out
