"""The anchor: one month's appendix table (综合评价表) in plain DuckDB SQL, straight from Parquet.

No checking of the input, no pandas: what a hand-written SQL query costs. Its
rates are exact: each quotient is cut to 8 decimals with integer division and
turned into a DECIMAL by an exact multiplication, then ROUND on DECIMAL rounds
half away from zero, which for these non-negative figures is half-up. 综合指标值
is the DECIMAL weighted sum of the rounded rates, rounded the same way (the
scheme's weights and grade thresholds are written into the query).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd

from pyhotline.io import Registry
from pyhotline.numbers import pct, plain
from pyhotline.report import APPENDIX_HEADERS
from pyhotline.scheme import Scheme


def _dec(value: Decimal) -> str:
    return f"CAST('{value}' AS DECIMAL(18, 6))"


def _rate(num: str, den: str, decimals: int) -> str:
    """num / den as a percentage, exact, half-up to ``decimals`` places (0 when den = 0)."""
    return (
        f"CASE WHEN {den} = 0 THEN CAST(0 AS DECIMAL(38, {decimals})) ELSE "
        f"CAST(round(CAST(({num} * 10000000000) // {den} AS DECIMAL(38, 0)) * CAST('0.00000001' AS DECIMAL(18, 8)), "
        f"{decimals}) AS DECIMAL(38, {decimals})) END"
    )


def appendix_sql(parquet: str | Path, month: pd.Period, scheme: Scheme) -> str:
    start, end = month.start_time, (month + 1).start_time
    rd, cd = scheme.rate_decimals, scheme.composite_decimals
    w = scheme.weights
    composite = " + ".join(
        [
            f"{_dec(w['办结率'])} * completion_rate",
            f"{_dec(w['按期办结率'])} * on_time_rate",
            f"{_dec(w['返工率'])} * (100 - rework_rate)",
            f"{_dec(w['回访不满意率'])} * (100 - dissatisfaction_rate)",
        ]
    )
    grades = " ".join(f"WHEN composite >= {_dec(g.min)} THEN '{g.name}'" for g in scheme.grades)
    groups = " ".join(f"WHEN '{g}' THEN {i}" for i, g in enumerate(scheme.appendix_groups))
    ties = {"受理案件数": "accepted", "应办理数": "due", "办理数": "handled"}
    tie_order = "".join(f", {ties[t]} DESC" for t in scheme.composite_ties)
    within = lambda col: f"({col} >= TIMESTAMP '{start}' AND {col} < TIMESTAMP '{end}')"  # noqa: E731
    due = within("办理时限")
    visits = "closed_in_month" if scheme.visit_basis == "closed" else "due_in_month"
    # Figures leave DuckDB as DECIMAL text (97.90), never as floats.
    return f"""
    WITH o AS (
        SELECT a.unit, 受理时间, 办理时限, 办结时间, 返工次数, 回访结果,
               {due} AS due_in_month, {within('办结时间')} AS closed_in_month
        FROM read_parquet('{Path(parquet).resolve()}') p JOIN aliases a ON p.承办单位 = a.alias
        WHERE 办理方式 = '派单'
    ), counts AS (
        SELECT unit,
            count(*) FILTER ({within('受理时间')}) AS accepted,
            count(*) FILTER (due_in_month) AS due,
            count(*) FILTER (due_in_month AND 办结时间 IS NOT NULL) AS handled,
            count(*) FILTER (due_in_month AND 办结时间 <= 办理时限) AS on_time,
            count(*) FILTER (due_in_month AND 返工次数 >= 1) AS reworked,
            count(*) FILTER ({visits} AND 回访结果 IN ('满意', '基本满意', '不满意')) AS visited,
            count(*) FILTER ({visits} AND 回访结果 = '不满意') AS dissatisfied
        FROM o GROUP BY unit
    ), rated AS (
        SELECT c.*, u.grp, u.position,
            CASE WHEN due > 0 THEN {_rate('handled', 'due', rd)} END AS completion_rate,
            CASE WHEN due > 0 THEN {_rate('on_time', 'due', rd)} END AS on_time_rate,
            CASE WHEN due > 0 THEN {_rate('reworked', 'due', rd)} END AS rework_rate,
            CASE WHEN due > 0 THEN {_rate('dissatisfied', 'visited', rd)} END AS dissatisfaction_rate
        FROM counts c JOIN units u ON c.unit = u.name
        WHERE u.assessed AND accepted + due > 0
    ), scored AS (
        SELECT *, round({composite}, {cd}) AS composite FROM rated
    )
    SELECT grp AS 单位类型, unit AS 部门名称, accepted AS 受理案件数, due AS 应办理数, handled AS 办理数,
           CAST(completion_rate AS VARCHAR) AS 办结率, on_time AS 按期办理数, CAST(on_time_rate AS VARCHAR) AS 按期办结率,
           reworked AS 返工数, CAST(rework_rate AS VARCHAR) AS 返工率, dissatisfied AS 回访不满意数,
           CAST(dissatisfaction_rate AS VARCHAR) AS 回访不满意率, CAST(composite AS VARCHAR) AS 综合指标值,
           CASE {grades} END AS 等级评价
    FROM scored
    ORDER BY CASE grp {groups} END, composite IS NULL, composite DESC{tie_order}, position
    """


def anchor_appendix(con, parquet: str | Path, registry: Registry, month: pd.Period, scheme: Scheme) -> pd.DataFrame:
    """Run the anchor query on a DuckDB connection; the result formatted as the bulletin prints it."""
    units = registry.units
    aliases = pd.DataFrame(
        [(key, name) for key, name in registry.lookup.items()], columns=["alias", "unit"]
    )
    con.register("aliases", aliases)
    con.register(
        "units",
        pd.DataFrame({"name": units["name"], "grp": units["group"], "assessed": units["assessed"], "position": units["position"]}),
    )
    table = con.execute(appendix_sql(parquet, month, scheme)).df()
    return format_appendix(table)


def format_appendix(table: pd.DataFrame) -> pd.DataFrame:
    """Figures as text: 97.9%, 100, — (the bulletin's formats, pyhotline.numbers)."""
    out = table.copy()
    for column in ("办结率", "按期办结率", "返工率", "回访不满意率"):
        out[column] = [pct(None if _na(v) else Decimal(v)) for v in table[column]]
    out["综合指标值"] = [plain(None if _na(v) else Decimal(v)) for v in table["综合指标值"]]
    out["等级评价"] = ["—" if _na(v) else v for v in table["等级评价"]]
    for column in ("受理案件数", "应办理数", "办理数", "按期办理数", "返工数", "回访不满意数"):
        out[column] = [str(int(v)) for v in table[column]]
    return out[list(APPENDIX_HEADERS.values())].astype(object).reset_index(drop=True)


def _na(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA
