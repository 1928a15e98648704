"""The series' sentences in the bulletin (plain text; :mod:`pyhotline.bulletin` makes the HTML).

Every sentence is a template with named placeholders; a scheme may replace any of them in its
``[series_wording]`` table (docs/metrics.md lists the names and placeholders). A sentence whose
part is off, or has nothing to say, is None.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from string import Formatter

from ..errors import SchemeError
from ..scheme_keys import closest
from ..numbers import printers

_BUNDLED = "pingjiang.toml"


@cache
def _bundled() -> dict[str, str]:
    """The bundled scheme's ``[series_wording]``: every template's default (docs/metrics.md)."""
    text = (resources.files("pyhotline") / "schemes" / _BUNDLED).read_text(encoding="utf-8")
    return dict(tomllib.loads(text).get("series_wording", {}))


class _Templates(Mapping):
    """name -> default template, read from the bundled scheme on first use (no sentence lives in code)."""

    def __getitem__(self, key: str) -> str:
        return _bundled()[key]

    def __iter__(self):
        return iter(_bundled())

    def __len__(self) -> int:
        return len(_bundled())


TEMPLATES: Mapping[str, str] = _Templates()

#: placeholders a template may use besides its default's: the grade's own name beside the name as the text
#: writes it (``Scheme.grade_name``: "B类" for a letter, "良好" for a named grade)
EXTRA_PLACEHOLDERS: dict[str, set[str]] = {"grade_counts_item": {"grade"}, "below_top": {"top"}}


def wording(scheme) -> dict[str, str]:
    """The templates with the scheme's ``[series_wording]`` replacements (unknown names are errors)."""
    table = (scheme.raw or {}).get("series_wording", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise SchemeError("series_wording 应为“名称 = 文字模板”的表", path=scheme.path)
    unknown = sorted(set(table) - set(TEMPLATES))
    if unknown:
        raise SchemeError(f"series_wording 中有未知的名称 {'、'.join(k + closest(k, TEMPLATES) for k in unknown)}；可用的是 {'、'.join(TEMPLATES)}",
                          path=scheme.path)
    for name, template in table.items():  # only the default's placeholders, written correctly
        allowed = {f for _, f, _, _ in Formatter().parse(TEMPLATES[name]) if f} | EXTRA_PLACEHOLDERS.get(name, set())
        try:
            used = {f for _, f, _, _ in Formatter().parse(template) if f is not None}
        except ValueError:
            used = {"{"}
        if used - allowed:
            raise SchemeError(f"series_wording.{name} 的占位符不对：可用的是 "
                              + ("、".join("{" + k + "}" for k in sorted(allowed)) or "（无）"), path=scheme.path)
    return {**_bundled(), **table}


def _fill(words: dict, name: str, scheme, **values) -> str:
    try:
        return words[name].format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        raise SchemeError(f"series_wording.{name} 的占位符不对（{exc}）；可用的是 "
                          + "、".join("{" + k + "}" for k in values), path=scheme.path) from None


#: the templates naming (the previous period, the same period a year earlier) for a month, a quarter, a year
_OTHERS = {"M": ("previous_month", "year_ago_month"), "Q": ("previous_quarter", "year_ago_quarter"),
           "Y": ("previous_year", "year_ago_year")}


def _others(period, words: dict | None = None) -> tuple[str, str]:
    words = words if words is not None else _bundled()
    return tuple(words[k] for k in _OTHERS.get(period.freqstr[0], _OTHERS["Y"]))


def _label(group: str) -> str:
    return group.replace("(", "（").replace(")", "）")


def para_year_over_year(report) -> str | None:
    """同比 for 一、基本情况 (after 环比): the work orders, and the two categories that moved most."""
    series = report.series_parts
    table = None if series is None else series.year_over_year
    if table is None:
        return None
    from ..bulletin_text import moved_categories

    scheme, w = report.scheme, wording(report.scheme)
    pct, _ = printers(scheme)
    row = table.loc[table["item"] == "派单工单"].iloc[0]
    change, rate = int(row["change"]), row["change_rate"]
    if change == 0:
        trend = _fill(w, "yoy_same", scheme)
    else:
        up = change > 0
        trend = _fill(w, "yoy_change", scheme, direction=scheme.words("increase" if up else "decrease"), change=abs(change))
        if rate is not None:
            trend += _fill(w, "yoy_rate", scheme, direction=scheme.words("rise" if up else "fall"), rate=pct(abs(rate)))
    return _fill(w, "year_over_year", scheme, same=_others(report.month, w)[1], trend=trend,
                 tail=moved_categories(scheme, table))


def basic_paragraphs(report) -> list[str]:
    """For 一、基本情况 after the rankings: grade counts, grade changes, the red list, units too few to rank."""
    series, scheme = report.series_parts, report.scheme
    if series is None:
        return []
    w, out = wording(scheme), []
    from ..period import period_name

    month, previous = period_name(report.month), _others(report.month, w)[0]
    if series.grade_counts is not None:
        grades = [g.name for g in scheme.grades]
        groups = "；".join(
            _fill(w, "grade_counts_group", scheme, group=_label(r["group"]),
                  counts="、".join(_fill(w, "grade_counts_item", scheme, grade=g, grade_name=scheme.grade_name(g),
                                             count=int(r[g])) for g in grades if r[g]))
            for r in series.grade_counts.to_dict("records") if any(r[g] for g in grades))
        if groups:
            out.append(_fill(w, "grade_counts", scheme, month=month, groups=groups))
    if series.grade_changes is not None:
        changes = series.grade_changes
        if changes.empty:
            out.append(_fill(w, "grade_changes_none", scheme, previous=previous))
        else:
            items = "、".join(_fill(w, "grade_change_item", scheme, unit=r.short, from_grade=r.from_grade,
                                   to_grade=r.to_grade, direction=r.direction) for r in changes.itertuples())
            out.append(_fill(w, "grade_changes", scheme, previous=previous, count=len(changes), list=items))
    if series.red_list is not None and len(series.red_list):
        red = series.red_list
        groups = "；".join(_fill(w, "red_list_group", scheme, group=_label(g) + "：",
                                 list="、".join(red.loc[red["group"] == g, "short"]))
                           for g in scheme.narrative_groups if (red["group"] == g).any())
        out.append(_fill(w, "red_list", scheme, n=series.settings.red_list, groups=groups))
    if series.too_few is not None and len(series.too_few):
        out.append(_fill(w, "too_few", scheme, n=series.settings.min_orders, list="、".join(series.too_few["short"])))
    return out


def problem_items(report) -> list[tuple[str, str]]:
    """For 二、存在的问题, numbered after the month's own problems: (heading, text) for the black list,
    units below the top grade months in a row, last month's follow-up."""
    w = wording(report.scheme)
    heads = ("black_list_heading", "below_top_heading", "follow_up_heading")
    return [(w[h], text) for h, text in zip(heads, _problem_texts(report)) if text]


def problem_paragraphs(report) -> list[str]:
    """The texts of :func:`problem_items`."""
    return [text for _, text in problem_items(report)]


def _problem_texts(report) -> list[str | None]:
    series, scheme = report.series_parts, report.scheme
    if series is None:
        return []
    w, out = wording(scheme), [None, None, None]
    pct, plain = printers(scheme)
    black = series.black_list
    if black is not None and len(black):
        with_indicator = "indicator" in black.columns

        def listed(rows) -> str:
            return "、".join(
                _fill(w, "black_list_item_indicator", scheme, unit=r.short, composite=plain(r.composite),
                      indicator=r.indicator, rate=pct(r.indicator_rate)) if with_indicator
                else _fill(w, "black_list_item", scheme, unit=r.short, composite=plain(r.composite))
                for r in rows.itertuples())

        if series.settings.black_list_scope == "overall":
            items = listed(black)
        else:  # per unit type, as the red list
            items = "；".join(_fill(w, "red_list_group", scheme, group=_label(g) + "：", list=listed(black.loc[black["group"] == g]))
                             for g in scheme.narrative_groups if (black["group"] == g).any())
        out[0] = (_fill(w, "black_list", scheme, n=series.settings.black_list, list=items))
    low = series.below_top
    if low is not None and len(low):
        items = "、".join(_fill(w, "below_top_item", scheme, unit=r.short, grades="、".join(r.grades))
                          for r in low.itertuples())
        out[1] = (_fill(w, "below_top", scheme, months=series.settings.low_months, top=scheme.grades[0].name,
                         top_name=scheme.grade_name(scheme.grades[0].name),
                         count=len(low), list=items))
    follow = series.follow_up
    if follow is not None and len(follow):
        done = follow.loc[follow["resolved"], "label"].tolist()
        still = follow.loc[~follow["resolved"]]
        rest = "" if still.empty else _fill(w, "follow_up_open", scheme, list="、".join(
            _fill(w, "follow_up_open_item", scheme, unit=r.label, unjustified=int(r.unjustified),
                  violations=int(r.violations)) for r in still.itertuples()))
        resolved = (_fill(w, "follow_up_resolved", scheme, list="、".join(done), count=len(done)) if done
                    else _fill(w, "follow_up_nobody", scheme))
        out[2] = (_fill(w, "follow_up", scheme, count=len(follow), resolved=resolved, rest=rest))
    return out
