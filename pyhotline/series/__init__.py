"""The bulletin series: what a month's bulletin says beyond the month (docs/metrics.md).

- :mod:`.continuity`: grade changes since last month, units below the top grade N months in a
  row, last month's named problems followed up, grade counts per unit type;
- ranking rules (:func:`pyhotline.ranking.rank`, the step every report takes): minimum volume to
  be ranked, shared or broken ties, red and black lists, the indicator that cost a unit most;
- :mod:`.yoy`: 同比 when the store covers the month a year earlier.

Each part is off unless the scheme turns it on (:mod:`.settings`); :func:`series_report` computes
the parts that are on from a :class:`~pyhotline.report.Dataset` holding the months they need
(:func:`history_months`, :func:`extra_months`); :func:`period_series` the parts that make sense
over a quarter or a year (grade changes since the previous period, grade counts, ranking rules, 同比).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pandas as pd

from .. import metrics
from .. import ranking as ranking_step
from . import continuity, ranking, yoy
from .settings import SeriesSettings, series_settings

__all__ = ["SeriesReport", "SeriesSettings", "check_series", "extra_months", "history_months", "period_series",
           "series_report", "series_settings", "with_notes"]


def check_series(scheme) -> None:
    """Validate the scheme's series settings and wording (a :class:`~pyhotline.errors.SchemeError`)."""
    from .text import wording

    series_settings(scheme)
    wording(scheme)


def _note(scheme, name: str, **values) -> str:
    """A 数据说明 line of the series (``[series_wording]`` ``note_*``)."""
    from .text import _fill, wording

    return _fill(wording(scheme), name, scheme, **values)


def history_months(scheme) -> int:
    """Months before the reported one the scheme's continuity parts need in the Dataset."""
    return series_settings(scheme).history


def extra_months(month, scheme) -> list[pd.Period]:
    """Months outside the history window the Dataset must hold (the month a year earlier for 同比)."""
    return [yoy.year_ago(month)] if series_settings(scheme).year_over_year else []


@dataclass(frozen=True)
class SeriesReport:
    """The series parts of one month's bulletin; a part that is off (or lacks its months) is None."""

    settings: SeriesSettings
    grade_changes: pd.DataFrame | None = None
    below_top: pd.DataFrame | None = None
    follow_up: pd.DataFrame | None = None
    grade_counts: pd.DataFrame | None = None
    ranked: pd.DataFrame | None = None
    too_few: pd.DataFrame | None = None
    red_list: pd.DataFrame | None = None
    black_list: pd.DataFrame | None = None
    year_over_year: pd.DataFrame | None = None
    notes: tuple[str, ...] = field(default=())  # for 数据说明: why a part is left out


def _has_month(orders: pd.DataFrame, month: pd.Period) -> bool:
    return bool(metrics.in_month(orders["accepted_at"], month).any())


def _ranking_parts(ranks) -> dict:
    if ranks is None or not ranks.rules_on:
        return {}
    out = {"ranked": ranks.ranked, "too_few": ranks.too_few}
    if ranks.red_list is not None:
        out["red_list"] = ranks.red_list
    if ranks.black_list is not None:
        out["black_list"] = ranks.black_list
    return out


def series_report(month, data, scheme, evaluation: pd.DataFrame, unjustified: pd.DataFrame,
                  violations: pd.DataFrame, *, gaps: dict | None = None, ranks=None) -> SeriesReport | None:
    """The parts the scheme turns on, for ``month`` of ``data`` (whose evaluation, unjustified
    overdue and violation tables are given); None when every part is off. ``gaps`` maps a month to
    what the store lacks for it (the year-ago month of 同比); ``ranks``: the month's
    :func:`pyhotline.ranking.rank` when already taken."""
    settings = series_settings(scheme)
    if not settings.any:
        return None
    month = metrics.parse_month(month)
    ranks = ranks if ranks is not None else ranking_step.rank(evaluation, scheme, month)
    orders, registry, notes, out = data.orders, data.registry, [], {}
    needed = settings.history
    months = [m for m in (month - k for k in range(needed, 0, -1))]
    present = [m for m in months if _has_month(orders, m)]
    evals = {m: metrics.evaluation(orders, registry, m, scheme) for m in present}
    previous = month - 1
    if settings.grade_changes or settings.follow_up:
        if previous not in evals:
            notes.append(_note(scheme, "note_no_previous", previous=previous))
        else:
            if settings.grade_changes:
                out["grade_changes"] = continuity.grade_changes(evals[previous], evaluation, scheme)
            if settings.follow_up:
                before = metrics.overdue(orders, registry, previous, scheme, as_of=data.as_of)
                out["follow_up"] = continuity.follow_up(
                    metrics.unjustified_overdue(before), metrics.violations(orders, registry, previous, scheme),
                    unjustified, violations, evaluation, scheme)
    if settings.low_months:
        run = []
        for m in months[::-1]:  # the months just before this one, as far back as they are in the data
            if m not in evals:
                break
            run.insert(0, evals[m])
        streak = continuity.below_top([*run, evaluation], scheme, settings.low_months)
        if streak is None:
            notes.append(_note(scheme, "note_few_months", months=settings.low_months, top=scheme.grades[0].name))
        else:
            out["below_top"] = streak
    if settings.grade_counts:
        out["grade_counts"] = continuity.grade_counts(evaluation, scheme)
    out.update(_ranking_parts(ranks))
    if settings.year_over_year:
        other = yoy.year_ago(month)
        table, reason = yoy.year_over_year(orders, data.letters, month, scheme, (gaps or {}).get(str(other)))
        out["year_over_year"] = table
        if reason:
            notes.append(reason)
    return SeriesReport(settings=settings, notes=tuple(notes), **out)


def period_series(period, data, scheme, evaluation: pd.DataFrame, ranks, *, previous: pd.DataFrame | None = None,
                  year_ago: pd.DataFrame | None = None) -> SeriesReport | None:
    """The series parts of a quarter's or a year's bulletin (docs/metrics.md, "Series over a period"):
    grade changes since the previous period (its table from the period's summed counts; left out,
    with the reason, when the store does not hold it completely: ``data.covered``), grade counts
    per unit type, the ranking rules (``ranks``, :func:`pyhotline.ranking.rank` of the period's
    table) and 同比 (``year_ago``, the comparison with the same period a year earlier; for a year,
    ``previous``). Last month's follow-up and N months in a row are monthly parts: not here."""
    from ..period import months_of, period_evaluation

    settings = ranks.settings
    wanted = settings.grade_changes or settings.grade_counts or ranks.rules_on or settings.year_over_year
    if not wanted:
        return None
    out, notes = _ranking_parts(ranks), []
    if settings.grade_changes:
        before = period - 1
        missing = [m for m in months_of(before) if m not in set(getattr(data, "covered", ()) or ())]
        if missing:
            notes.append(_note(scheme, "note_previous_period", previous=before))
        else:
            out["grade_changes"] = continuity.grade_changes(
                period_evaluation(data.orders, data.registry, before, scheme), evaluation, scheme)
    if settings.grade_counts:
        out["grade_counts"] = continuity.grade_counts(evaluation, scheme)
    if settings.year_over_year:
        table = previous if period.freqstr[0] in "YA" else year_ago
        out["year_over_year"] = None if table is None else table[yoy.COLUMNS]  # if None, the period's note says why
    settings = dataclasses.replace(settings, follow_up=False, low_months=0)
    return SeriesReport(settings=settings, notes=tuple(notes), **out)


def with_notes(quality: tuple, series: SeriesReport | None) -> tuple:
    """The reading records with the series' notes (why a part is left out) added to the orders'
    record, so 数据说明 and figures.json's data_notes show them (copies: the Dataset's stay as read)."""
    if series is None or not series.notes or not quality:
        return quality
    records = list(quality)
    i = max((i for i, q in enumerate(records) if q.kind == "工单明细"), default=len(records) - 1)
    records[i] = dataclasses.replace(records[i], warnings=[*records[i].warnings, *series.notes])
    return tuple(records)
