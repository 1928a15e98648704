"""The scheme's settings for the bulletin series (docs/metrics.md, 连续性、排名规则、同比).

Read from the scheme's own TOML tables, each part off unless the scheme turns it on, so a scheme
that says nothing gives today's bulletin:

    [continuity]        grade_changes, months (below the top grade N months in a row; 0 = off),
                        follow_up, grade_counts
    [ranking]           min_orders, min_orders_basis ("due" 应办理数 / "accepted" 受理案件数),
                        quarter_min_orders, year_min_orders (a quarter's, a year's; default min_orders),
                        ties ("break" by the appendix's keys / "share" the rank),
                        red_list, black_list (N units; 0 = off), black_list_scope ("group" / "overall"),
                        costliest_indicator
    [year_over_year]    enabled
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..errors import SchemeError
from ..scheme_keys import shown

_BASES = {"due": "due", "accepted": "accepted"}
_TIES = ("break", "share")
_SCOPES = ("group", "overall")


@dataclass(frozen=True)
class SeriesSettings:
    grade_changes: bool = False
    low_months: int = 0
    follow_up: bool = False
    grade_counts: bool = False
    min_orders: int = 0
    min_orders_basis: str = "due"
    ties: str = "break"
    red_list: int = 0
    black_list: int = 0
    black_list_scope: str = "group"
    costliest_indicator: bool = False
    year_over_year: bool = False
    quarter_min_orders: int | None = None  # None: min_orders
    year_min_orders: int | None = None

    def for_period(self, freq: str) -> "SeriesSettings":
        """The settings for a table of frequency ``freq`` ("M", "Q-DEC", "Y-DEC"): ``min_orders`` is
        the quarter's or the year's own when the scheme gives one."""
        own = {"Q": self.quarter_min_orders, "Y": self.year_min_orders, "A": self.year_min_orders}.get(freq[:1])
        return self if own is None else dataclasses.replace(self, min_orders=own)

    @property
    def history(self) -> int:
        """Months before the reported one whose evaluations the continuity parts need."""
        needs = [1 if (self.grade_changes or self.follow_up) else 0, max(self.low_months - 1, 0)]
        return max(needs)

    @property
    def any(self) -> bool:
        return bool(self.history or self.grade_counts or self.min_orders or self.ties == "share" or self.red_list
                    or self.black_list or self.year_over_year)


def _flag(table: dict, key: str, what: str, path) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise SchemeError(f"{what}.{key} 应为 true 或 false（值为 {shown(value)}）", path=path)
    return value


def _count(table: dict, key: str, what: str, path, maximum: int = 100_000) -> int:
    value = table.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise SchemeError(f"{what}.{key} 应为 0 到 {maximum} 的整数（值为 {shown(value)}）", path=path)
    return value


def _choice(table: dict, key: str, what: str, path, choices, default: str) -> str:
    value = table.get(key, default)
    if value not in choices:
        raise SchemeError(f"{what}.{key} 应为 {' 或 '.join(choices)}（值为 {shown(value)}）", path=path)
    return value


def _table(raw: dict, name: str, path) -> dict:
    table = raw.get(name, {})
    if not isinstance(table, dict):
        raise SchemeError(f"{name} 应为一张表（[{name}]）", path=path)
    return table


def series_settings(scheme) -> SeriesSettings:
    """The series settings of ``scheme`` (a :class:`~pyhotline.scheme.Scheme`), validated."""
    raw, path = scheme.raw or {}, scheme.path
    cont, rank, yoy = (_table(raw, n, path) for n in ("continuity", "ranking", "year_over_year"))
    low = _count(cont, "months", "continuity", path, 12)
    if low == 1:
        raise SchemeError("continuity.months 应为 0（不列）或不小于 2 的整数（值为 1）", path=path)
    return SeriesSettings(
        grade_changes=_flag(cont, "grade_changes", "continuity", path),
        low_months=low,
        follow_up=_flag(cont, "follow_up", "continuity", path),
        grade_counts=_flag(cont, "grade_counts", "continuity", path),
        min_orders=_count(rank, "min_orders", "ranking", path),
        min_orders_basis=_choice(rank, "min_orders_basis", "ranking", path, tuple(_BASES), "due"),
        ties=_choice(rank, "ties", "ranking", path, _TIES, "break"),
        red_list=_count(rank, "red_list", "ranking", path, 1000),
        black_list=_count(rank, "black_list", "ranking", path, 1000),
        black_list_scope=_choice(rank, "black_list_scope", "ranking", path, _SCOPES, "group"),
        costliest_indicator=_flag(rank, "costliest_indicator", "ranking", path),
        year_over_year=_flag(yoy, "enabled", "year_over_year", path),
        quarter_min_orders=_count(rank, "quarter_min_orders", "ranking", path) if "quarter_min_orders" in rank else None,
        year_min_orders=_count(rank, "year_min_orders", "ranking", path) if "year_min_orders" in rank else None,
    )
