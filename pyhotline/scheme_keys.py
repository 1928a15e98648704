"""Every setting a scheme file may hold: a misspelt name is an error, never a silent default.

A scheme is edited by hand. ``unjustified_overdue_per_orders = "0.3"`` (one letter too many) used to
load as a deduction of 0 and change every unit's points without a word; now every table and every
setting name is checked against the documented ones (docs/scheme.md, docs/wording.md,
docs/metrics.md) before anything is read, and the message names the table, the name found and the
closest documented name.

Tables whose names are the county's own (``[composite.weights]``, ``[input.header_aliases]``,
``[figures.group_keys]``) or that check their own names (``[wording]``, ``[series_wording]``) are
only checked to be tables here.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from .errors import SchemeError

#: Tables with a fixed set of settings, and those settings.
FIXED: dict[str, frozenset[str]] = {
    "county": frozenset({"name", "office", "publication", "requirements_file"}),
    "rounding": frozenset({"mode", "rate_decimals", "composite_decimals", "share_decimals", "keep_trailing_zeros"}),
    "composite": frozenset({"weights", "visit_basis"}),
    "appendix": frozenset({"title", "unit_header"}),
    "deductions": frozenset({"unjustified_overdue_per_order"}),
    "rules": frozenset({"max_extensions", "max_send_backs"}),
    "ranking": frozenset({
        "appendix_groups", "narrative_groups", "composite_ties", "top_n", "top_categories", "unassessed_label",
        # the series' ranking rules (pyhotline.series.settings)
        "min_orders", "min_orders_basis", "ties", "red_list", "black_list", "black_list_scope",
        "costliest_indicator", "quarter_min_orders", "year_min_orders",
    }),
    "month_over_month": frozenset({"min_previous_ratio", "partial_previous"}),
    "bulletin": frozenset({"max_orders_per_unit", "max_attachment_rows"}),
    "coverage": frozenset({"max_days_before"}),
    "period": frozenset({"composite", "trend_months"}),
    "figures": frozenset({"group_keys"}),
    "input": frozenset({"header_aliases"}),
    "continuity": frozenset({"grade_changes", "months", "follow_up", "grade_counts"}),
    "year_over_year": frozenset({"enabled"}),
}
#: Tables that hold names of the county's own or check them themselves.
OPEN = frozenset({"wording", "series_wording"})
#: Sub-tables of fixed tables whose keys are free (checked where they are read).
OPEN_SUBTABLES = frozenset({"composite.weights", "input.header_aliases", "figures.group_keys"})
#: ``[[grades]]``: each grade's settings.
GRADE_KEYS = frozenset({"name", "min", "deduction", "color"})


def shown(value: object) -> str:
    """A scheme value as the file writes it (TOML: "0,3", true, ["乡镇", "县直单位"]), for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {shown(v)}" for k, v in value.items()) + "}"
    return str(value)


def closest(name: str, known) -> str:
    """"（是否应为“x”？）" naming the documented name nearest a misspelt one, or ""."""
    near = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f"（是否应为“{near[0]}”？）" if near else ""


def check_table(table: str, value: dict, path) -> None:
    """Raise :class:`SchemeError` for the first setting of ``[table]`` (one of :data:`FIXED`) that it does not have."""
    for key, setting in value.items():
        if key not in FIXED[table]:
            raise SchemeError(
                f"[{table}] 中没有“{key}”这一设置项{closest(key, FIXED[table])}；"
                f"可用的有 {'、'.join(sorted(FIXED[table]))}",
                path=path,
            )
        if isinstance(setting, dict) and f"{table}.{key}" not in OPEN_SUBTABLES:
            raise SchemeError(f"{table}.{key} 应为一个值，不是一张表", path=path)


def check_names(raw: dict, path: Path) -> None:
    """Raise :class:`SchemeError` for the first table or setting name the scheme documents nowhere."""
    known_tables = set(FIXED) | OPEN | {"grades"}
    for table, value in raw.items():
        if table not in known_tables:
            raise SchemeError(
                f"规则文件中没有“{table}”这一{'张表' if isinstance(value, (dict, list)) else '设置项'}{closest(table, known_tables)}；"
                f"可用的表有 {'、'.join(f'[{t}]' for t in sorted(known_tables))}（见 docs/metrics.md、docs/wording.md）",
                path=path,
            )
        if table == "grades":
            for i, grade in enumerate(value if isinstance(value, list) else [], start=1):
                extra = sorted(set(grade) - GRADE_KEYS) if isinstance(grade, dict) else []
                if extra:
                    raise SchemeError(
                        f"第 {i} 个等级（[[grades]]）中没有“{extra[0]}”这一设置项{closest(extra[0], GRADE_KEYS)}；"
                        f"可用的有 {'、'.join(sorted(GRADE_KEYS))}",
                        path=path,
                    )
            continue
        if table in OPEN or not isinstance(value, dict):
            continue  # checked where it is read (a table given as a plain value gets its own message there)
        check_table(table, value, path)
