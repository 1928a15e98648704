"""Business rules: the scheme file.

A scheme is a TOML file (see ``pyhotline/schemes/pingjiang.toml``) holding
every rule of a county's evaluation: weights, rounding, grade thresholds,
deductions, limits and ordering. :func:`load_scheme` takes a bundled scheme's
name (``"pingjiang"``) or a path and returns a validated :class:`Scheme`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from importlib import resources
from pathlib import Path

from . import scheme_fields as f
from .errors import SchemeError
from .scheme_keys import shown

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
    #: 环比 against a previous month the data holds only partly: "note" (said in the sentence) or "omit"
    mom_partial_previous: str = "note"
    #: Order numbers named per unit in the bulletin's text (0: all); the rest are "等 N 件" and in 附件3.
    max_orders_per_unit: int = 0
    #: Rows of 附件3 in the PDF/DOCX (0: all); a longer list is cut there with a note, whole in evaluation.xlsx.
    max_attachment_rows: int = 0
    #: ``[wording]``: the bulletin's county-specific phrases as templates (docs/wording.md).
    wording: dict[str, str] = field(default_factory=dict)
    #: Print figures with the scheme's decimals (84.20, 100.00) rather than without trailing zeros.
    keep_trailing_zeros: bool = True
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
        return f.read_requirements(self.requirements_file, self.path)

    def grade_name(self, grade: str) -> str:
        """A grade as the text names it: ``wording.letter_grade`` for a one-letter name ("B类"),
        ``wording.named_grade`` for any other ("良好"): the ``{grade_name}``/``{top_name}`` placeholders."""
        grade = str(grade)
        key = "letter_grade" if len(grade) == 1 and grade.isascii() and grade.isalpha() else "named_grade"
        return self.words(key, grade=grade)

    def words(self, key: str, **values: object) -> str:
        """The ``[wording]`` template ``key`` filled with ``values`` (docs/wording.md)."""
        return self.wording[key].format(**values)


class SchemeNote(UserWarning):
    """Something in a scheme that works but reads wrong (``pyhotline check`` says it as 注意：…)."""


def grade_wording_notes(scheme: Scheme) -> list[str]:
    """Templates the scheme writes itself that name a grade the letter grades' way ("{grade}类", "{top}级")
    although its grades are named otherwise (优秀、良好…): each note names the key to change and the
    placeholder that adapts (``{grade_name}``, ``{top_name}``: ``wording.named_grade``)."""
    import re

    if all(len(g.name) == 1 and g.name.isascii() and g.name.isalpha() for g in scheme.grades):
        return []
    raw = scheme.raw or {}
    names = "、".join(g.name for g in scheme.grades)
    adapt = {"grade": "{grade_name}", "top": "{top_name}"}
    notes = []
    for table in ("wording", "series_wording"):
        own = raw.get(table, {})
        for key, text in (own.items() if isinstance(own, dict) else ()):
            if table == "wording" and key == "letter_grade":
                continue  # names one-letter grades only (Scheme.grade_name): "{grade}类" is what it is for
            for m in re.finditer(r"\{(grade|top|from_grade|to_grade)\}([类级])", str(text)):
                better = adapt.get(m.group(1), "{" + m.group(1) + "}（去掉“" + m.group(2) + "”）")
                if table == "wording" and key == "named_grade":
                    better = "{grade}（去掉“" + m.group(2) + "”）"
                notes.append(f"考评规则 {scheme.path.name} 的 {table}.{key} 把等级写作“{m.group(0)}”，而本规则的等级为"
                             f"{names}，正文会出现“{scheme.grades[1 if len(scheme.grades) > 1 else 0].name}{m.group(2)}”："
                             f"请改写 {table}.{key}（如改用 {better}）")
    return notes


def validate_scheme(scheme: Scheme) -> list[SchemeError]:
    """What ``check`` finds wrong with a loaded scheme beyond its values (those fail at loading):
    every file it names exists and reads. Templates that read wrong under the scheme's grade names
    (:func:`grade_wording_notes`) are warned about (:class:`SchemeNote`), not errors."""
    import warnings

    import pandas as pd

    for note in grade_wording_notes(scheme):
        warnings.warn(note, SchemeNote, stacklevel=2)

    from .export import appendix_title

    problems = []
    for check in (scheme.requirements_text, lambda: appendix_title(pd.Period("2024-05", freq="M"), scheme)):
        try:
            check()
        except SchemeError as exc:
            problems.append(exc)
    return problems


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
        raise SchemeError(f.toml_message(exc), path=path) from None
    except UnicodeDecodeError:
        raise SchemeError("不是 UTF-8 编码的文本文件", path=path) from None
    scheme = _parse(raw, path)
    from .series import check_series  # the series' own tables ([continuity], [year_over_year], …)

    check_series(scheme)
    return scheme


def _parse(raw: dict, path: Path) -> Scheme:
    from .scheme_keys import check_names

    check_names(raw, path)  # a misspelt setting is an error, never a silent default
    rounding = f.get(raw, "rounding.mode", path, "half_up")
    if rounding not in _ROUNDING_MODES:
        raise SchemeError(f"rounding.mode 应为 half_up 或 half_even（值为 {shown(rounding)}）", path=path)

    weights_raw = f.get(raw, "composite.weights", path)
    if not isinstance(weights_raw, dict):
        raise SchemeError("composite.weights 应为一张表", path=path)
    unknown = set(weights_raw) - set(RATES)
    if unknown:
        raise SchemeError(
            f"composite.weights 中有未知指标 {'、'.join(sorted(unknown))}；可用的是 {'、'.join(RATES)}",
            path=path,
        )
    weights = {
        rate: f.decimal(weights_raw.get(rate, 0), f"composite.weights.{rate}", path) for rate in RATES
    }
    if any(w < 0 for w in weights.values()):
        raise SchemeError("composite.weights 的权重不能为负数", path=path)
    total = sum(weights.values(), Decimal(0))
    if total != 1:
        raise SchemeError(f"composite.weights 的权重之和应为 1，现为 {total}", path=path)

    visit_basis = f.get(raw, "composite.visit_basis", path, "closed")
    if visit_basis not in ("closed", "due"):
        raise SchemeError(f"composite.visit_basis 应为 closed 或 due（值为 {shown(visit_basis)}）", path=path)

    grades_raw = f.get(raw, "grades", path)
    if not isinstance(grades_raw, list) or not grades_raw:
        raise SchemeError("grades 应至少列出一个等级（[[grades]]）", path=path)
    grades = []
    for i, g in enumerate(grades_raw, start=1):
        if not isinstance(g, dict) or "name" not in g or "min" not in g:
            raise SchemeError(f"第 {i} 个等级缺少 name 或 min", path=path)
        grades.append(
            Grade(
                name=str(g["name"]),
                min=f.decimal(g["min"], f"等级 {g['name']} 的 min", path, (Decimal(0), Decimal(100))),
                deduction=f.decimal(g.get("deduction", 0), f"等级 {g['name']} 的 deduction", path, f.DEDUCTION),
                color=f.color(g.get("color"), f"等级 {g['name']} 的 color", path),
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

    appendix_groups = f.groups(
        f.get(raw, "ranking.appendix_groups", path, list(GROUPS)), "ranking.appendix_groups", path
    )
    narrative_groups = f.groups(
        f.get(raw, "ranking.narrative_groups", path, list(reversed(appendix_groups))), "ranking.narrative_groups", path
    )
    if set(appendix_groups) != set(narrative_groups):
        only = [f"只在 {name} 中：{'、'.join(sorted(set(mine) - set(other)))}"
                for name, mine, other in (("appendix_groups", appendix_groups, narrative_groups),
                                          ("narrative_groups", narrative_groups, appendix_groups))
                if set(mine) - set(other)]
        raise SchemeError(
            "ranking.appendix_groups 与 ranking.narrative_groups 应列出同样的单位类型（顺序可以不同）；"
            + "；".join(only), path=path
        )

    ties = f.get(raw, "ranking.composite_ties", path, ["受理案件数"])
    if not isinstance(ties, list) or any(t not in TIE_KEYS for t in ties):
        raise SchemeError(f"ranking.composite_ties 只能取 {'、'.join(TIE_KEYS)}（值为 {shown(ties)}）", path=path)

    req = f.get(raw, "county.requirements_file", path, None)
    requirements = None if not req else (path.parent / str(req))
    f.unit_header(f.get(raw, "appendix.unit_header", path, None), path)  # read where printed: report.appendix_headers

    return Scheme(
        path=path,
        county=str(f.get(raw, "county.name", path)),
        office=str(f.get(raw, "county.office", path, "")),
        publication=str(f.get(raw, "county.publication", path, "")),
        requirements_file=requirements,
        rounding=rounding,
        rate_decimals=f.integer(f.get(raw, "rounding.rate_decimals", path, 2), "rounding.rate_decimals", path, *f.DECIMALS),
        composite_decimals=f.integer(
            f.get(raw, "rounding.composite_decimals", path, 1), "rounding.composite_decimals", path, *f.DECIMALS
        ),
        share_decimals=f.integer(
            f.get(raw, "rounding.share_decimals", path, 2), "rounding.share_decimals", path, *f.DECIMALS
        ),
        keep_trailing_zeros=f.boolean(
            f.get(raw, "rounding.keep_trailing_zeros", path, True), "rounding.keep_trailing_zeros", path
        ),
        weights=weights,
        visit_basis=visit_basis,
        grades=tuple(grades),
        unjustified_overdue_points=f.decimal(
            f.get(raw, "deductions.unjustified_overdue_per_order", path, 0),
            "deductions.unjustified_overdue_per_order",
            path,
            f.DEDUCTION,
        ),
        max_extensions=f.integer(f.get(raw, "rules.max_extensions", path, 1), "rules.max_extensions", path, 0, 20),
        max_send_backs=f.integer(f.get(raw, "rules.max_send_backs", path, 1), "rules.max_send_backs", path, 0, 20),
        top_n=f.integer(f.get(raw, "ranking.top_n", path, 3), "ranking.top_n", path, *f.TOP_N),
        top_categories=f.integer(
            f.get(raw, "ranking.top_categories", path, 5), "ranking.top_categories", path, *f.TOP_N
        ),
        appendix_groups=appendix_groups,
        narrative_groups=narrative_groups,
        composite_ties=tuple(ties),
        unassessed_label=str(f.get(raw, "ranking.unassessed_label", path, "无系统单位")),
        header_aliases=f.header_aliases(f.get(raw, "input.header_aliases", path, {}), path),
        mom_min_previous_ratio=f.decimal(
            f.get(raw, "month_over_month.min_previous_ratio", path, "0.5"), "month_over_month.min_previous_ratio", path,
            (Decimal(0), Decimal(1)),
        ),
        mom_partial_previous=f.choice(
            f.get(raw, "month_over_month.partial_previous", path, "note"), "month_over_month.partial_previous", path,
            ("note", "omit"),
        ),
        max_orders_per_unit=f.integer(
            f.get(raw, "bulletin.max_orders_per_unit", path, 0), "bulletin.max_orders_per_unit", path, 0, 1000
        ),
        max_attachment_rows=f.integer(
            f.get(raw, "bulletin.max_attachment_rows", path, 0), "bulletin.max_attachment_rows", path, 0, 1_000_000
        ),
        wording=f.wording(f.get(raw, "wording", path, {}), path),
        raw=raw,
    )
