"""Continuity from one month to the next (docs/metrics.md, 连续性): grade changes, units below the
top grade several months in a row, last month's named problems followed up, grade counts.

Each function takes the evaluation tables (:func:`pyhotline.metrics.evaluation`) or the overdue and
violation tables of consecutive months and returns a small DataFrame in the bulletin's order
(the scheme's narrative groups, then registry order).
"""

from __future__ import annotations

import pandas as pd

CHANGE_COLUMNS = ["group", "unit", "short", "from_grade", "to_grade", "direction"]
LOW_COLUMNS = ["group", "unit", "short", "grades"]
FOLLOW_COLUMNS = ["label", "last_unjustified", "last_violations", "unjustified", "violations", "grade", "resolved"]


def _ordered(frame: pd.DataFrame, scheme) -> pd.DataFrame:
    order = {g: i for i, g in enumerate(scheme.narrative_groups)}
    return (frame.assign(_g=frame["group"].map(order))
            .sort_values(["_g", "position"], kind="stable").drop(columns=["_g", "position"]).reset_index(drop=True))


def grade_changes(previous: pd.DataFrame, current: pd.DataFrame, scheme) -> pd.DataFrame:
    """Units graded in both months whose grade differs: from_grade → to_grade, direction 升 or 降
    (by the order of the scheme's ``[[grades]]``). A unit unrated (—) in either month is left out."""
    rank = {g.name: i for i, g in enumerate(scheme.grades)}
    before = previous.loc[previous["grade"].notna(), ["unit", "grade"]].rename(columns={"grade": "from_grade"})
    now = current.loc[current["grade"].notna(), ["group", "unit", "short", "position", "grade"]]
    joined = now.rename(columns={"grade": "to_grade"}).merge(before, on="unit", how="inner")
    moved = joined.loc[joined["from_grade"] != joined["to_grade"]]
    moved = moved.assign(direction=[
        "升" if rank[t] < rank[f] else "降" for f, t in zip(moved["from_grade"], moved["to_grade"])
    ])
    if moved.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    return _ordered(moved, scheme)[CHANGE_COLUMNS]


def below_top(evaluations: list[pd.DataFrame], scheme, months: int) -> pd.DataFrame | None:
    """Units graded below the top grade in each of the last ``months`` months (oldest first in
    ``evaluations``, the reported month last). ``grades`` lists their grades, oldest first. None when
    fewer months are at hand than ``months``. A month unrated (—) breaks the run."""
    if months < 2 or len(evaluations) < months:
        return None
    top = scheme.grades[0].name
    window = evaluations[-months:]
    low = [set(e.loc[e["grade"].notna() & (e["grade"] != top), "unit"]) for e in window]
    units = set.intersection(*low)
    current = window[-1]
    rows = current.loc[current["unit"].isin(units), ["group", "unit", "short", "position"]]
    if rows.empty:
        return pd.DataFrame(columns=LOW_COLUMNS)
    grades = [{u: g for u, g in zip(e["unit"], e["grade"])} for e in window]
    rows = rows.assign(grades=[tuple(m[u] for m in grades) for u in rows["unit"]])
    return _ordered(rows, scheme)[LOW_COLUMNS]


def _named(unjustified: pd.DataFrame, violations: pd.DataFrame, scheme) -> tuple[dict, dict]:
    counts = dict(zip(unjustified["label"], unjustified["unjustified"].astype(int))) if len(unjustified) else {}
    named = violations.loc[violations["label"] != scheme.unassessed_label] if len(violations) else violations
    per = named.groupby("label").size().to_dict() if len(named) else {}
    return counts, {k: int(v) for k, v in per.items()}


def follow_up(previous_unjustified: pd.DataFrame, previous_violations: pd.DataFrame,
              unjustified: pd.DataFrame, violations: pd.DataFrame, current: pd.DataFrame, scheme) -> pd.DataFrame:
    """Units named last month (unjustified overdue orders, or orders extended or sent back too often)
    and how they did this month: the same counts now, this month's grade, and ``resolved`` (neither
    problem this month). Units outside the assessment are left out. Last month's order of naming."""
    last_u, last_v = _named(previous_unjustified, previous_violations, scheme)
    now_u, now_v = _named(unjustified, violations, scheme)
    labels = list(dict.fromkeys([*last_u, *last_v]))
    grades = dict(zip(current["short"], current["grade"]))
    rows = [{
        "label": label, "last_unjustified": last_u.get(label, 0), "last_violations": last_v.get(label, 0),
        "unjustified": now_u.get(label, 0), "violations": now_v.get(label, 0), "grade": grades.get(label),
        "resolved": not now_u.get(label, 0) and not now_v.get(label, 0),
    } for label in labels]
    return pd.DataFrame(rows, columns=FOLLOW_COLUMNS)


def grade_counts(evaluation: pd.DataFrame, scheme) -> pd.DataFrame:
    """Units per grade in each unit type (every grade of the scheme, zeros included; unrated units
    apart as ``unrated``). Columns: group, then one per grade, then unrated; the narrative order."""
    rows = []
    for group in scheme.narrative_groups:
        part = evaluation.loc[evaluation["group"] == group, "grade"]
        row = {"group": group, **{g.name: int((part == g.name).sum()) for g in scheme.grades}}
        row["unrated"] = int(part.isna().sum())
        rows.append(row)
    return pd.DataFrame(rows, columns=["group", *(g.name for g in scheme.grades), "unrated"])
