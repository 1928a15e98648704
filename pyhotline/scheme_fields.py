"""Reading one field of a scheme file: types, bounds and the messages an analyst can act on.

:mod:`pyhotline.scheme` assembles a :class:`~pyhotline.scheme.Scheme` from these; each helper
raises :class:`~pyhotline.errors.SchemeError` naming the setting, the value found and what is
allowed. The bundle's wording defaults (``[wording]``) are read from the bundled
``pingjiang.toml`` so that no county's phrase lives in code (docs/wording.md).
"""

from __future__ import annotations

import re
import string
import tomllib
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path

from .errors import SchemeError, os_reason
from .scheme_keys import closest, shown
from .io import LETTER_COLUMNS, ORDER_COLUMNS, PERSONAL_HEADERS, UNIT_COLUMNS, normalize_text

#: Bounds of the numeric settings (inclusive): what a real scheme can mean.
DECIMALS = (0, 6)
TOP_N = (1, 50)
DEDUCTION = (Decimal(0), Decimal(100))
REQUIREMENTS_MAX_BYTES = 64 * 1024

#: Every template of ``[wording]`` and the placeholders it may use (docs/wording.md).
WORDING_PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "title": ("period", "year", "month", "county"),
    "charts_title": ("period", "year", "month", "county"),
    "problem_timeliness": (),
    "problem_quality": (),
    "problem_responsibility": (),
    "unjustified_overdue": ("count", "orders", "points"),
    "unjustified_overdue_no_deduction": ("count", "orders"),
    "quality_cause": (),
    "graded": ("units", "grade", "grade_name", "points"),
    "letter_grade": ("grade",),
    "named_grade": ("grade",),
    "digit_name_separator": (),
    "send_back": ("order", "unit", "count"),
    "extension": ("order", "unit", "count", "max"),
    "send_back_orders": ("orders", "unit", "total", "max"),
    "extension_orders": ("orders", "unit", "total", "max"),
    "problem_orders_title": ("period", "year", "month", "county"),
    "problem_orders_columns": (),
    "problem_orders_unjustified": (),
    "problem_orders_send_back": ("count",),
    "problem_orders_extension": ("count",),
    "problem_orders_open": (),
    "problem_orders_sheet": (),
    "problem_orders_more": ("count", "shown", "sheet"),
    "no_problems": (),
    "satisfaction_channel": (),
    "satisfaction": ("channel", "rate"),
    "justified_overdue_legend": (),
    "unjustified_overdue_legend": (),
    "more_orders": ("count", "shown"),
    "mom_partial": ("previous", "span"),
    "mom_partial_omitted": ("previous", "span"),
    "appendix_no_due": ("span",),
    "long_categories": ("count", "limit", "example"),
    # the sentence frames of 一、基本情况 (and the period bulletin's comparison)
    "count_item": ("name", "count"),
    "work_orders": ("period", "count", "categories", "requests"),
    "work_orders_categories": ("n", "list", "requests"),
    "category_share": ("item", "share"),
    "increase": (),
    "decrease": (),
    "rise": (),
    "fall": (),
    "mom": ("period", "trend", "partial", "moved"),
    "mom_same": (),
    "mom_change": ("direction", "change"),
    "mom_rate": ("direction", "rate"),
    "moved": ("list",),
    "moved_item": ("item", "direction", "change"),
    "rankings": ("period", "list"),
    "volume_top": ("group", "n", "units"),
    "composite_top": ("group", "n", "units"),
    "volume_top_one": ("group", "units"),
    "composite_top_one": ("group", "units"),
    "date": ("year", "month", "day"),
    "as_of_unknown": (),
    "overdue_none": ("period",),
    "overdue": ("period", "count", "units"),
    "overdue_open": ("period", "count", "open", "as_of", "units"),
    "letters": ("period", "count", "channels", "timely"),
    "letters_all_on_time": (),
    "letters_on_time": ("count",),
    "letters_late": ("count",),
    "letters_pending": ("count",),
    "very_satisfied": ("count", "units"),
    "previous_period": (),
    "year_ago_period": (),
    "period_requests": ("period", "count", "comparisons"),
    "period_comparisons": ("list",),
    "period_same": ("other", "period"),
    "period_change": ("other", "period", "direction", "change"),
    "period_rate": ("direction", "rate"),
    "period_missing": ("list",),
    "period_incomplete": ("other", "period", "months"),
    "period_incomplete_more": ("other", "period", "months"),
    # the trend charts: the monthly bulletin's, and a quarter's or year's section
    "trend_title": ("months",),
    "trend_caption": ("period", "months"),
    "trend_incomplete": (),
    "period_charts_heading": ("period",),
    "period_trend_title": (),
    "period_trend_caption": ("period",),
    "period_groups_title": (),
    "period_groups_caption": ("period",),
}

_BUNDLED_WORDING = "pingjiang.toml"


def get(raw: dict, dotted: str, path: Path, default: object = ...) -> object:
    node: object = raw
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            if default is not ...:
                return default
            raise SchemeError(f"缺少设置项 {dotted}", path=path)
        node = node[key]
    return node


def decimal(value: object, what: str, path: Path, bounds: tuple[Decimal, Decimal] | None = None) -> Decimal:
    if isinstance(value, bool):
        raise SchemeError(f"{what} 应为数字（值为 {shown(value)}）", path=path)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise SchemeError(f"{what} 应为数字（值为 {shown(value)}）", path=path) from None
    if not number.is_finite():
        raise SchemeError(f"{what} 应为有限的数字（值为 {shown(value)}）", path=path)
    if bounds is not None and not bounds[0] <= number <= bounds[1]:
        raise SchemeError(f"{what} 应在 {bounds[0]} 到 {bounds[1]} 之间（值为 {shown(value)}）", path=path)
    return number


def integer(value: object, what: str, path: Path, minimum: int = 0, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SchemeError(f"{what} 应为不小于 {minimum} 的整数（值为 {shown(value)}）", path=path)
    if maximum is not None and value > maximum:
        raise SchemeError(f"{what} 应为 {minimum} 到 {maximum} 之间的整数（值为 {shown(value)}）", path=path)
    return value


def boolean(value: object, what: str, path: Path) -> bool:
    if not isinstance(value, bool):
        raise SchemeError(f"{what} 应为 true 或 false（值为 {shown(value)}）", path=path)
    return value


def choice(value: object, what: str, path: Path, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise SchemeError(f"{what} 应为 {' 或 '.join(allowed)}（值为 {shown(value)}）", path=path)
    return str(value)


_HEX_COLOR = re.compile(r"#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})")


def color(value: object, what: str, path: Path) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _HEX_COLOR.fullmatch(value.strip()):
        raise SchemeError(f"{what} 应为十六进制颜色，如 \"#2e7d32\"（值为 {shown(value)}）", path=path)
    return value.strip()


def groups(value: object, what: str, path: Path) -> tuple[str, ...]:
    if (not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value)
            or len(set(value)) != len(value)):
        raise SchemeError(f"{what} 应为不重复的单位类型列表，如 [\"县直单位\", \"乡镇(街道)\"]（值为 {shown(value)}）", path=path)
    return tuple(normalize_text(v) for v in value)


def header_aliases(value: object, path: Path) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise SchemeError("input.header_aliases 应为“导出文件中的列名 = 文档中的列名”这样的表", path=path)
    # a personal column (来电人 …) is a valid target: the aliased column is recognised as personal and dropped
    documented = {c.header for c in (*ORDER_COLUMNS, *LETTER_COLUMNS, *UNIT_COLUMNS)} | set(PERSONAL_HEADERS)
    unknown = [(k, v) for k, v in value.items() if normalize_text(v) not in documented]
    if unknown:
        pairs = "、".join(f'"{k}" = "{v}"' for k, v in unknown)
        raise SchemeError(
            f"[input.header_aliases] 中 {pairs}：等号右边应为 docs/input-format.md 中的列名"
            f"（或个人信息列 {'、'.join(PERSONAL_HEADERS)}，读入时丢弃）", path=path
        )
    return {normalize_text(k): normalize_text(v) for k, v in value.items()}


def read_requirements(file: Path, scheme_path: Path) -> str:
    """The 工作要求 file's text: it must exist, be UTF-8 and stay under :data:`REQUIREMENTS_MAX_BYTES`."""
    try:
        size = file.stat().st_size
        if not file.is_file():
            raise SchemeError(f"“工作要求”文件 {file} 不是普通文件（county.requirements_file）", path=scheme_path)
        if size > REQUIREMENTS_MAX_BYTES:
            raise SchemeError(
                f"“工作要求”文件 {file} 过大（{size} 字节，上限 {REQUIREMENTS_MAX_BYTES} 字节；county.requirements_file）",
                path=scheme_path,
            )
        return file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SchemeError(
            f"找不到“工作要求”文件 {file}（{os_reason(exc)}；county.requirements_file）", path=scheme_path
        ) from None
    except UnicodeDecodeError:
        raise SchemeError(
            f"“工作要求”文件 {file} 不是 UTF-8 编码的文本（county.requirements_file）", path=scheme_path
        ) from None


def unit_header(value: object, path: Path) -> str | None:
    """``[appendix] unit_header``: the appendix's unit column header (部门名称, 单位名称 …), one line of text
    that is not another column's header."""
    from .report import APPENDIX_HEADERS

    if value is None:
        return None
    others = [h for k, h in APPENDIX_HEADERS.items() if k != "unit"]
    if not isinstance(value, str) or not value.strip() or "\n" in value or len(value.strip()) > 20:
        raise SchemeError(f"appendix.unit_header 应为一行不超过 20 个字的文字，如 \"单位名称\"（值为 {shown(value)}）", path=path)
    if value.strip() in others:
        raise SchemeError(f"appendix.unit_header “{value.strip()}”是附件中另一列的列名；可用别的名称，如 \"单位名称\"",
                          path=path)
    return value.strip()


def check_template(key: str, text: object, path: Path) -> str:
    """One ``[wording]`` template: text whose ``{placeholders}`` are the documented ones for ``key``."""
    what = f"wording.{key}"
    if not isinstance(text, str):
        raise SchemeError(f"{what} 应为文字（值为 {shown(text)}）", path=path)
    allowed = WORDING_PLACEHOLDERS[key]
    try:
        fields = [name for _, name, spec, conv in string.Formatter().parse(text) if name is not None]
    except ValueError:
        raise SchemeError(f"{what} 的花括号没有配对；要写花括号本身请写 {{{{ 或 }}}}（值为 {shown(text)}）", path=path) from None
    bad = [f for f in fields if f not in allowed]
    if bad:
        can = "、".join("{" + a + "}" for a in allowed) or "无（不能有占位符）"
        raise SchemeError(
            f"{what} 中有未知的占位符 {'、'.join('{' + b + '}' for b in bad)}；可用的是 {can}（见 docs/wording.md）", path=path
        )
    return text


@cache
def default_wording() -> dict[str, str]:
    """The bundled scheme's ``[wording]``: the defaults of any scheme that leaves a template out."""
    text = (resources.files("pyhotline") / "schemes" / _BUNDLED_WORDING).read_text(encoding="utf-8")
    return dict(tomllib.loads(text).get("wording", {}))


def wording(value: object, path: Path) -> dict[str, str]:
    """``[wording]`` with every template checked, completed from the bundled defaults."""
    if not isinstance(value, dict):
        raise SchemeError("wording 应为一张表（[wording]）", path=path)
    unknown = sorted(set(value) - set(WORDING_PLACEHOLDERS))
    if unknown:
        raise SchemeError(
            f"wording 中有未知的设置项 {'、'.join(k + closest(k, WORDING_PLACEHOLDERS) for k in unknown)}；"
            "可用的见 docs/wording.md",
            path=path,
        )
    merged = {**default_wording(), **value}
    missing = [k for k in WORDING_PLACEHOLDERS if k not in merged]
    if missing:
        raise SchemeError(f"wording 缺少 {'、'.join(missing)}", path=path)
    return {k: check_template(k, merged[k], path) for k in WORDING_PLACEHOLDERS}


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


def toml_message(exc: Exception) -> str:
    """tomllib's English message as an analyst can act on it: where, and what in Chinese."""
    text = str(exc)
    where = re.search(r"\(at line (\d+), column (\d+)\)", text)
    reason = next((cn for en, cn in _TOML_REASONS if text.startswith(en)), "写法不符合 TOML 格式")
    if where:
        return f"格式错误，第 {where.group(1)} 行第 {where.group(2)} 列：{reason}"
    return f"格式错误：{reason}"
