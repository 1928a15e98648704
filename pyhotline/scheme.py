"""Business rules: the scheme file.

A scheme is a TOML file (see ``pyhotline/schemes/pingjiang.toml``) holding
every rule of a county's evaluation: weights, rounding, grade thresholds,
deductions, limits and ordering. :func:`load_scheme` takes a bundled scheme's
name (``"pingjiang"``) or a path and returns a validated :class:`Scheme`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

from .errors import SchemeError
from .io import LETTER_COLUMNS, ORDER_COLUMNS, UNIT_COLUMNS, normalize_text

#: The four rates of the composite, in the order the appendix prints them.
#: ``True`` means the rate enters the composite as is, ``False`` as (100 - rate).
RATES: dict[str, bool] = {
    "办结率": True,
    "按期办结率": True,
    "返工率": False,
    "回访不满意率": False,
}
GROUPS = ("县直单位", "乡镇(街道)")  # the usual unit types; a scheme may name others
TIE_KEYS = ("受理案件数", "应办理数", "办理数")
_ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
DEFAULT_SCHEME = "pingjiang"


@dataclass(frozen=True)
class Grade:
    name: str
    min: Decimal
    deduction: Decimal
    #: Chart colour of this grade (``"#RRGGBB"`` or ``"#RGB"``); ``None`` leaves it to the charts' defaults by rank.
    color: str | None = None


@dataclass(frozen=True)
class Scheme:
    """A validated set of evaluation rules (see the bundled TOML for meanings)."""

    path: Path
    county: str
    office: str
    publication: str
    requirements_file: Path | None
    rounding: str
    rate_decimals: int
    composite_decimals: int
    share_decimals: int
    weights: dict[str, Decimal]
    visit_basis: str
    grades: tuple[Grade, ...]
    unjustified_overdue_points: Decimal
    max_extensions: int
    max_send_backs: int
    top_n: int
    top_categories: int
    appendix_groups: tuple[str, ...]
    narrative_groups: tuple[str, ...]
    composite_ties: tuple[str, ...]
    unassessed_label: str
    header_aliases: dict[str, str] = field(default_factory=dict)
    mom_min_previous_ratio: Decimal = Decimal("0.5")
    raw: dict = field(repr=False, compare=False, default_factory=dict)

    @property
    def rounding_mode(self) -> str:
        return _ROUNDING_MODES[self.rounding]

    def grade_for(self, composite: Decimal) -> Grade:
        for grade in self.grades:
            if composite >= grade.min:
                return grade
        return self.grades[-1]  # unreachable: the last grade's min is 0

    def deduction_for(self, grade_name: str) -> Decimal:
        for grade in self.grades:
            if grade.name == grade_name:
                return grade.deduction
        return Decimal(0)

    def requirements_text(self) -> str:
        """The office-edited text of 三、工作要求 (empty when the scheme names none)."""
        if self.requirements_file is None:
            return ""
        try:
            return self.requirements_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SchemeError(
                f"找不到“工作要求”文件 {self.requirements_file}（{exc.strerror}）", path=self.path
            ) from None


def bundled_schemes() -> list[str]:
    """Names of the schemes shipped with pyhotline."""
    folder = resources.files("pyhotline") / "schemes"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def resolve_scheme_path(name_or_path: str | Path | None) -> Path:
    if name_or_path is None:
        name_or_path = DEFAULT_SCHEME
    candidate = Path(name_or_path)
    if candidate.suffix.lower() == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise SchemeError(f"文件不存在：{candidate}", path=candidate)
        return candidate
    bundled = Path(str(resources.files("pyhotline") / "schemes" / f"{name_or_path}.toml"))
    if not bundled.is_file():
        raise SchemeError(
            f"没有名为“{name_or_path}”的内置规则；可用的有：{'、'.join(bundled_schemes())}，"
            "或给出 .toml 文件路径"
        )
    return bundled


def load_scheme(name_or_path: str | Path | None = None) -> Scheme:
    """Load and validate a scheme by bundled name or by path."""
    path = resolve_scheme_path(name_or_path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(_toml_message(exc), path=path) from None
    except UnicodeDecodeError:
        raise SchemeError("不是 UTF-8 编码的文本文件", path=path) from None
    scheme = _parse(raw, path)
    from .series import check_series  # the series' own tables ([continuity], [year_over_year], …)

    check_series(scheme)
    return scheme


_TOML_REASONS = (
    ("Expected ']' at the end of a table declaration", "表名的方括号没有闭合"),
    ("Expected ']]' at the end of an array declaration", "[[…]] 的方括号没有闭合"),
    ("Invalid value", "取值写法不对（文字要加英文引号，如 \"0.3\"）"),
    ("Cannot overwrite a value", "同一设置项写了两次"),
    ("Cannot declare", "同一张表写了两次"),
    ("Unterminated string", "引号没有闭合"),
    ("Expected '=' after a key", "设置项后面缺少 ="),
    ("Invalid statement", "这一行的写法不对"),
)


def _toml_message(exc: Exception) -> str:
    """tomllib's English message as an analyst can act on it: where, and what in Chinese."""
    text = str(exc)
    where = re.search(r"\(at line (\d+), column (\d+)\)", text)
    reason = next((cn for en, cn in _TOML_REASONS if text.startswith(en)), "写法不符合 TOML 格式")
    if where:
        return f"格式错误，第 {where.group(1)} 行第 {where.group(2)} 列：{reason}"
    return f"格式错误：{reason}"


def _get(raw: dict, dotted: str, path: Path, default: object = ...) -> object:
    node: object = raw
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            if default is not ...:
                return default
            raise SchemeError(f"缺少设置项 {dotted}", path=path)
        node = node[key]
    return node


def _decimal(value: object, what: str, path: Path) -> Decimal:
    if isinstance(value, bool):
        raise SchemeError(f"{what} 应为数字（值为 {value!r}）", path=path)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise SchemeError(f"{what} 应为数字（值为 {value!r}）", path=path) from None
    if not number.is_finite():
        raise SchemeError(f"{what} 应为有限的数字（值为 {value!r}）", path=path)
    return number


def _int(value: object, what: str, path: Path, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SchemeError(f"{what} 应为不小于 {minimum} 的整数（值为 {value!r}）", path=path)
    return value


_HEX_COLOR = re.compile(r"#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})")


def _color(value: object, what: str, path: Path) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _HEX_COLOR.fullmatch(value.strip()):
        raise SchemeError(f"{what} 应为十六进制颜色，如 \"#2e7d32\"（值为 {value!r}）", path=path)
    return value.strip()


def _groups(value: object, what: str, path: Path) -> tuple[str, ...]:
    if (not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value)
            or len(set(value)) != len(value)):
        raise SchemeError(f"{what} 应为不重复的单位类型列表，如 [\"县直单位\", \"乡镇(街道)\"]（值为 {value!r}）", path=path)
    return tuple(normalize_text(v) for v in value)


def _header_aliases(value: object, path: Path) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise SchemeError("input.header_aliases 应为“导出文件中的列名 = 文档中的列名”这样的表", path=path)
    documented = {c.header for c in (*ORDER_COLUMNS, *LETTER_COLUMNS, *UNIT_COLUMNS)}
    unknown = sorted(v for v in value.values() if v not in documented)
    if unknown:
        raise SchemeError(
            f"input.header_aliases 指向了不存在的列 {'、'.join(unknown)}；应为 docs/input-format.md 中的列名", path=path
        )
    return {normalize_text(k): v for k, v in value.items()}


def _parse(raw: dict, path: Path) -> Scheme:
    rounding = _get(raw, "rounding.mode", path, "half_up")
    if rounding not in _ROUNDING_MODES:
        raise SchemeError(f"rounding.mode 应为 half_up 或 half_even（值为 {rounding!r}）", path=path)

    weights_raw = _get(raw, "composite.weights", path)
    if not isinstance(weights_raw, dict):
        raise SchemeError("composite.weights 应为一张表", path=path)
    unknown = set(weights_raw) - set(RATES)
    if unknown:
        raise SchemeError(
            f"composite.weights 中有未知指标 {'、'.join(sorted(unknown))}；可用的是 {'、'.join(RATES)}",
            path=path,
        )
    weights = {
        rate: _decimal(weights_raw.get(rate, 0), f"composite.weights.{rate}", path) for rate in RATES
    }
    if any(w < 0 for w in weights.values()):
        raise SchemeError("composite.weights 的权重不能为负数", path=path)
    total = sum(weights.values(), Decimal(0))
    if total != 1:
        raise SchemeError(f"composite.weights 的权重之和应为 1，现为 {total}", path=path)

    visit_basis = _get(raw, "composite.visit_basis", path, "closed")
    if visit_basis not in ("closed", "due"):
        raise SchemeError(f"composite.visit_basis 应为 closed 或 due（值为 {visit_basis!r}）", path=path)

    grades_raw = _get(raw, "grades", path)
    if not isinstance(grades_raw, list) or not grades_raw:
        raise SchemeError("grades 应至少列出一个等级（[[grades]]）", path=path)
    grades = []
    for i, g in enumerate(grades_raw, start=1):
        if not isinstance(g, dict) or "name" not in g or "min" not in g:
            raise SchemeError(f"第 {i} 个等级缺少 name 或 min", path=path)
        grades.append(
            Grade(
                name=str(g["name"]),
                min=_decimal(g["min"], f"等级 {g['name']} 的 min", path),
                deduction=_decimal(g.get("deduction", 0), f"等级 {g['name']} 的 deduction", path),
                color=_color(g.get("color"), f"等级 {g['name']} 的 color", path),
            )
        )
    mins = [g.min for g in grades]
    if any(a <= b for a, b in zip(mins, mins[1:])):
        raise SchemeError(
            "grades 的分界应自上而下严格递减（如 A 90、B 85、C 80、D 0），现为 "
            + "、".join(f"{g.name} {g.min}" for g in grades),
            path=path,
        )
    if grades[-1].min != 0:
        raise SchemeError(f"最后一个等级 {grades[-1].name} 的 min 应为 0（兜底等级）", path=path)
    if len({g.name for g in grades}) != len(grades):
        raise SchemeError("grades 中有重名的等级", path=path)

    appendix_groups = _groups(
        _get(raw, "ranking.appendix_groups", path, list(GROUPS)), "ranking.appendix_groups", path
    )
    narrative_groups = _groups(
        _get(raw, "ranking.narrative_groups", path, list(reversed(appendix_groups))), "ranking.narrative_groups", path
    )
    if set(appendix_groups) != set(narrative_groups):
        raise SchemeError(
            "ranking.appendix_groups 与 ranking.narrative_groups 应列出同样的单位类型（顺序可以不同）", path=path
        )

    ties = _get(raw, "ranking.composite_ties", path, ["受理案件数"])
    if not isinstance(ties, list) or any(t not in TIE_KEYS for t in ties):
        raise SchemeError(f"ranking.composite_ties 只能取 {'、'.join(TIE_KEYS)}（值为 {ties!r}）", path=path)

    req = _get(raw, "county.requirements_file", path, None)
    requirements = None if not req else (path.parent / str(req))

    return Scheme(
        path=path,
        county=str(_get(raw, "county.name", path)),
        office=str(_get(raw, "county.office", path, "")),
        publication=str(_get(raw, "county.publication", path, "")),
        requirements_file=requirements,
        rounding=rounding,
        rate_decimals=_int(_get(raw, "rounding.rate_decimals", path, 2), "rounding.rate_decimals", path),
        composite_decimals=_int(
            _get(raw, "rounding.composite_decimals", path, 1), "rounding.composite_decimals", path
        ),
        share_decimals=_int(_get(raw, "rounding.share_decimals", path, 2), "rounding.share_decimals", path),
        weights=weights,
        visit_basis=visit_basis,
        grades=tuple(grades),
        unjustified_overdue_points=_decimal(
            _get(raw, "deductions.unjustified_overdue_per_order", path, 0),
            "deductions.unjustified_overdue_per_order",
            path,
        ),
        max_extensions=_int(_get(raw, "rules.max_extensions", path, 1), "rules.max_extensions", path),
        max_send_backs=_int(_get(raw, "rules.max_send_backs", path, 1), "rules.max_send_backs", path),
        top_n=_int(_get(raw, "ranking.top_n", path, 3), "ranking.top_n", path, 1),
        top_categories=_int(_get(raw, "ranking.top_categories", path, 5), "ranking.top_categories", path, 1),
        appendix_groups=appendix_groups,
        narrative_groups=narrative_groups,
        composite_ties=tuple(ties),
        unassessed_label=str(_get(raw, "ranking.unassessed_label", path, "无系统单位")),
        header_aliases=_header_aliases(_get(raw, "input.header_aliases", path, {}), path),
        mom_min_previous_ratio=_decimal(
            _get(raw, "month_over_month.min_previous_ratio", path, "0.5"), "month_over_month.min_previous_ratio", path
        ),
        raw=raw,
    )
