"""One month's results, bundled: what the bulletin, the appendix and the charts are made of."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import metrics, order_lists, ranking
from .errors import InputError, MonthError
from .io import FileQuality, Registry, load_letters, load_orders, load_units
from .numbers import chart_label, pct, plain
from .sample import resolve_inputs
from .scheme import Scheme, load_scheme


@dataclass(frozen=True)
class Dataset:
    """The month-independent inputs: orders, letters (optional), the units registry, and what
    reading them found (:class:`~pyhotline.io.FileQuality` per file)."""

    orders: pd.DataFrame
    registry: Registry
    letters: pd.DataFrame | None = None
    quality: tuple[FileQuality, ...] = ()
    cutoff: pd.Timestamp | None = None  # set by the store (its orders imports' cut-off): the frames may be a slice
    letters_cutoff: pd.Timestamp | None = None  # set by the store: its letters imports' cut-off
    #: the spans of 受理时间 the orders imported cover (the store's import records: first, last), or None: the
    #: frame's own first and last 受理时间 (one export read as it is)
    spans: tuple[tuple[pd.Timestamp, pd.Timestamp], ...] | None = None

    @property
    def as_of(self) -> pd.Timestamp | None:
        """The orders' cut-off, which the 超期 rule uses: the latest time an order was accepted or
        closed (or, for a slice of the store, its orders imports' cut-off, see docs/store.md).
        Letters never move it: they have their own, :attr:`letters_as_of`."""
        if self.cutoff is not None:
            return self.cutoff
        return _latest(self.orders, ("accepted_at", "closed_at"))

    @property
    def letters_as_of(self) -> pd.Timestamp | None:
        """The letters' cut-off (待答复 in the mailbox figures): the latest time a letter was received
        or answered (for a slice of the store, its letters imports' cut-off); None without letters."""
        if self.letters is None:
            return None
        if self.letters_cutoff is not None:
            return self.letters_cutoff
        return _latest(self.letters, ("received_at", "replied_at"))

    def months(self) -> list[pd.Period]:
        """Months in which any request was accepted."""
        stamps = self.orders["accepted_at"].dropna()
        return sorted(set(stamps.dt.to_period("M")))

    def covered(self, month: pd.Period) -> tuple[tuple[dt.date, dt.date], ...] | None:
        """The stretches of ``month``'s days (first, last) whose accepted orders the data holds, when they are
        not the whole month (data starting late, stopping early, or with a gap); None when it is whole."""
        spans = self.spans
        if spans is None:
            stamps = self.orders["accepted_at"].dropna()
            spans = ((stamps.min(), stamps.max()),) if len(stamps) else ()
        first, last = month.start_time.date(), month.end_time.date()
        days = set()
        for start, end in spans:
            if start is None or end is None or pd.isna(start) or pd.isna(end):
                continue
            day, stop = max(pd.Timestamp(start).date(), first), min(pd.Timestamp(end).date(), last)
            days.update(day + dt.timedelta(days=i) for i in range((stop - day).days + 1))
        if len(days) == month.days_in_month:
            return None
        stretches: list[list[dt.date]] = []
        for day in sorted(days):
            if stretches and day == stretches[-1][1] + dt.timedelta(days=1):
                stretches[-1][1] = day
            else:
                stretches.append([day, day])
        return tuple((a, b) for a, b in stretches)


def _latest(frame: pd.DataFrame, columns) -> pd.Timestamp | None:
    stamps = [t for t in (frame[c].max() for c in columns) if pd.notna(t)]
    return max(stamps) if stamps else None


def load_dataset(
    orders: str | Path | None = None,
    units: str | Path | None = None,
    letters: str | Path | None = None,
    *,
    scheme: Scheme | str | Path | None = None,
    strict: bool = False,
) -> Dataset:
    """Read the inputs. With no file given, the bundled sample; otherwise ``orders`` and ``units``
    are both needed (never mixed with sample data), and without ``letters`` the bulletin leaves the
    mailbox out.

    The scheme's ``[input.header_aliases]`` extend the header variants understood; ``strict``
    turns the warnings of docs/input-errors.md into errors.
    """
    aliases = _header_aliases(scheme)
    orders, units, letters = resolve_inputs(orders, units, letters)
    quality: list[FileQuality] = []
    registry = load_units(units, header_aliases=aliases, quality=quality)
    order_frame = load_orders(orders, registry, header_aliases=aliases, strict=strict, quality=quality)
    letter_frame = None if letters is None else load_letters(
        letters, registry, header_aliases=aliases, strict=strict, quality=quality
    )
    return Dataset(orders=order_frame, registry=registry, letters=letter_frame, quality=tuple(quality))


def check_groups(registry: Registry, scheme: Scheme) -> None:
    """Every 单位类型 of the registry must be one the scheme ranks (``ranking.appendix_groups``).

    One message for all units whose type the scheme lacks (one cause: scheme and registry do not
    match), naming the file and the first such row, or, for a registry kept in a store, the store
    and the file it was imported from (no file is read then)."""
    known = set(scheme.appendix_groups)
    units = registry.units
    bad = units.loc[~units["group"].isin(known)]
    if bad.empty:
        return
    kinds = []
    for group, rows in bad.groupby("group", sort=False):
        example = f"，如“{rows['name'].iloc[0]}”" if len(rows) > 1 else f"“{rows['name'].iloc[0]}”"
        kinds.append(f"“{group}”（{len(rows)} 个单位{example}）")
    where = f"考评规则 {scheme.path.name} 的 ranking.appendix_groups"
    expected = "、".join(scheme.appendix_groups)
    store = getattr(registry, "store", None)
    if store is not None:
        source = f"（导入自 {registry.path.name}）" if registry.path is not None else ""
        raise InputError(
            f"数据库 {store} 中的单位名录{source}与考评规则不符：单位类型{'、'.join(kinds)}不在{where} 中；"
            f"应为{expected}（换用与这份名录相符的考评规则，或用 pyhotline import --units 导入按这份规则填写单位类型的名录）"
        )
    single = bad["group"].nunique() == 1
    raise InputError(
        f"单位类型{'、'.join(kinds)}不在考评规则中（{where}）" if not single or len(bad) > 1
        else f"单位“{bad['name'].iloc[0]}”的单位类型不在考评规则中（{where}）",
        path=registry.path, row=int(bad["row"].iloc[0]), column="单位类型",
        value=bad["group"].iloc[0] if single else None, expected=expected,
    )


def _header_aliases(scheme: Scheme | str | Path | None) -> dict[str, str] | None:
    if scheme is None:
        return None
    scheme = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
    return scheme.header_aliases or None


@dataclass(frozen=True)
class MonthlyReport:
    """Every figure of one month's bulletin (see :func:`monthly_report`)."""

    month: pd.Period
    scheme: Scheme
    totals: dict[str, int]
    categories: pd.DataFrame
    evaluation: pd.DataFrame
    volume_top: pd.DataFrame
    composite_top: pd.DataFrame
    overdue: pd.DataFrame
    unjustified: pd.DataFrame
    graded: dict[str, list[str]]
    deductions: pd.DataFrame
    violations: pd.DataFrame
    mailbox: pd.DataFrame | None
    very_satisfied: pd.DataFrame | None
    month_over_month: pd.DataFrame | None
    quality: tuple[FileQuality, ...] = ()
    as_of: pd.Timestamp | None = None  # the orders' cut-off (超期, 仍未办结)
    series_parts: object | None = None  # pyhotline.series.SeriesReport: the parts the scheme turns on, or None
    #: the previous month's days the data holds when not all of them (Dataset.covered): 环比 says so, or is
    #: left out (``month_over_month.partial_previous``)
    previous_covered: tuple[tuple[dt.date, dt.date], ...] | None = None
    letters_as_of: pd.Timestamp | None = None  # the letters' cut-off (the mailbox's 待答复)
    #: the dates of the orders 二、存在的问题 lists (index order_id): 附件3 (pyhotline.order_lists)
    order_dates: pd.DataFrame | None = None

    @property
    def incomplete(self) -> bool:
        """True when the orders stop before the month's last day (figures only as of their cut-off)."""
        return self.as_of is not None and self.as_of < (self.month + 1).start_time - pd.Timedelta(days=1)

    @property
    def top_categories(self) -> pd.DataFrame:
        return self.categories.head(self.scheme.top_categories)

    @property
    def overdue_total(self) -> int:
        return int(self.overdue["overdue"].sum()) if len(self.overdue) else 0

    def appendix(self, *, with_group: bool = True) -> pd.DataFrame:
        return appendix_table(self.evaluation, with_group=with_group, keep_zeros=self.scheme.keep_trailing_zeros,
                              headers=appendix_headers(self.scheme))


def _month_and_scheme(month: str | pd.Period, data: Dataset, scheme: Scheme | str | Path | None):
    month = metrics.parse_month(month)
    scheme = scheme if isinstance(scheme, Scheme) else load_scheme(scheme)
    check_groups(data.registry, scheme)
    if not metrics.in_month(data.orders["accepted_at"], month).any():  # nothing accepted: no (complete) month
        known = data.months()
        span = f"数据中的月份为 {known[0]} 至 {known[-1]}" if known else "数据中没有任何工单"
        raise MonthError(f"{month} 没有任何工单记录（{span}）")
    return month, scheme


@dataclass(frozen=True)
class EvaluationTable:
    """The 综合评价表 alone (``evaluate``): what :func:`monthly_report` gives as ``evaluation``, nothing else."""

    month: pd.Period
    scheme: Scheme
    evaluation: pd.DataFrame
    quality: tuple[FileQuality, ...] = ()

    def appendix(self, *, with_group: bool = True) -> pd.DataFrame:
        return appendix_table(self.evaluation, with_group=with_group, keep_zeros=self.scheme.keep_trailing_zeros,
                              headers=appendix_headers(self.scheme))


def evaluation_table(month: str | pd.Period, data: Dataset,
                     scheme: Scheme | str | Path | None = None) -> EvaluationTable:
    """Only the month's evaluation table: the same checks and figures as :func:`monthly_report`."""
    month, scheme = _month_and_scheme(month, data, scheme)
    return EvaluationTable(month, scheme, metrics.evaluation(data.orders, data.registry, month, scheme), data.quality)


def monthly_report(month: str | pd.Period, data: Dataset, scheme: Scheme | str | Path | None = None) -> MonthlyReport:
    """Compute everything the month's bulletin states."""
    month, scheme = _month_and_scheme(month, data, scheme)
    orders, registry = data.orders, data.registry
    evaluation = metrics.evaluation(orders, registry, month, scheme)
    as_of = data.as_of
    overdue = metrics.overdue(orders, registry, month, scheme, as_of=as_of)
    letters = data.letters
    unjustified = metrics.unjustified_overdue(overdue)
    violations = metrics.violations(orders, registry, month, scheme)
    series, quality = None, data.quality
    ranks = ranking.rank(evaluation, scheme, month)  # the scheme's ranking rules, as for a quarter or a year
    if month.freqstr == "M":  # a quarter's or a year's series parts: pyhotline.period
        from .series import series_report, with_notes

        series = series_report(month, data, scheme, evaluation, unjustified, violations, ranks=ranks)
        quality = with_notes(data.quality, series)
    mom = metrics.month_over_month(orders, letters, month, scheme)  # None: no previous month, or too small a one
    partial = data.covered(month - 1) if month.freqstr == "M" else None
    if partial and (mom is None or scheme.mom_partial_previous == "omit"):  # left out: 数据说明 says why
        quality = _with_note(quality, scheme.words("mom_partial_omitted", **partial_previous_words(month - 1, partial)))
        mom = None
    categories = metrics.categories(orders, month, scheme)
    quality = _long_categories_note(quality, categories, scheme)
    return MonthlyReport(
        month=month,
        scheme=scheme,
        totals=metrics.totals(orders, month),
        categories=categories,
        evaluation=evaluation,
        volume_top=ranking.volume_ranking(evaluation, scheme),
        composite_top=ranks.top,
        overdue=overdue,
        unjustified=unjustified,
        graded=ranking.graded_units(evaluation, scheme),
        deductions=ranking.deductions(evaluation, overdue, scheme),
        violations=violations,
        mailbox=None if letters is None else metrics.mailbox(letters, month, scheme, as_of=data.letters_as_of),
        very_satisfied=None if letters is None else metrics.very_satisfied_letters(letters, registry, month),
        month_over_month=mom,
        quality=quality,
        as_of=as_of,
        series_parts=series,
        previous_covered=partial if mom is not None else None,
        letters_as_of=data.letters_as_of,
        order_dates=order_lists.order_dates(orders, unjustified, violations),
    )


def partial_previous_words(previous: pd.Period, covered) -> dict[str, str]:
    """The placeholders of ``wording.mom_partial`` / ``mom_partial_omitted``: {previous} 4月, {span} the days
    held (4月15日至4月30日; 4月1日至4月10日、4月20日至4月30日; 无 when none)."""
    def day(d: dt.date) -> str:
        return f"{d.month}月{d.day}日"

    span = "、".join(day(a) if a == b else f"{day(a)}至{day(b)}" for a, b in covered) or "无"
    return {"previous": f"{previous.month}月", "span": span}


#: A 事件分类 longer than this many characters is a data-quality warning (one for all of them): the charts
#: cut it (numbers.chart_label), the text, tables and figures.json keep it whole.
LONG_CATEGORY_CHARS = 30


def _long_categories_note(quality: tuple, categories: pd.DataFrame, scheme: Scheme) -> tuple:
    """One note for the month's categories longer than :data:`LONG_CATEGORY_CHARS` (``wording.long_categories``:
    how many, and the first as the chart shows it, so that a 10,000-character one stays a short line)."""
    long = [str(c) for c in categories["category"] if len(str(c)) > LONG_CATEGORY_CHARS]
    if not long:
        return quality
    return _with_note(quality, scheme.words("long_categories", count=len(long), limit=LONG_CATEGORY_CHARS,
                                            example=chart_label(long[0])))


def _with_note(quality: tuple, note: str) -> tuple:
    """The reading records with ``note`` added to the orders' record (copies: the Dataset's stay as read)."""
    if not quality:
        return quality
    records = list(quality)
    i = max((i for i, q in enumerate(records) if q.kind == "工单明细"), default=len(records) - 1)
    records[i] = dataclasses.replace(records[i], warnings=[*records[i].warnings, note])
    return tuple(records)


APPENDIX_HEADERS = {
    "group": "单位类型",
    "unit": "部门名称",
    "accepted": "受理案件数",
    "due": "应办理数",
    "handled": "办理数",
    "completion_rate": "办结率",
    "on_time": "按期办理数",
    "on_time_rate": "按期办结率",
    "reworked": "返工数",
    "rework_rate": "返工率",
    "dissatisfied": "回访不满意数",
    "dissatisfaction_rate": "回访不满意率",
    "composite": "综合指标值",
    "grade": "等级评价",
}


def appendix_headers(scheme=None) -> dict[str, str]:
    """:data:`APPENDIX_HEADERS` with the unit column as the scheme's ``[appendix] unit_header`` names it."""
    header = (((getattr(scheme, "raw", None) or {}).get("appendix") or {}).get("unit_header") or "").strip()
    return {**APPENDIX_HEADERS, "unit": header} if header else APPENDIX_HEADERS


def appendix_table(evaluation: pd.DataFrame, *, with_group: bool = True, keep_zeros: bool = True,
                   headers: dict[str, str] | None = None) -> pd.DataFrame:
    """The evaluation as the bulletin prints it: Chinese headers (``headers``, :func:`appendix_headers`), figures
    as text (97.9%, 100, —; with ``keep_zeros`` as rounded: 97.90%, 100.00)."""
    columns = [c for c in APPENDIX_HEADERS if with_group or c != "group"]
    rate_columns = {"completion_rate", "on_time_rate", "rework_rate", "dissatisfaction_rate"}
    table = evaluation[columns].copy()
    for column in columns:
        if column in rate_columns:
            table[column] = table[column].map(lambda v: pct(v, keep_zeros=keep_zeros))
        elif column == "composite":
            table[column] = table[column].map(lambda v: plain(v, keep_zeros=keep_zeros))
        elif column == "grade":
            table[column] = table[column].map(lambda g: "—" if g is None else g)
        elif column not in ("group", "unit"):
            table[column] = table[column].map(lambda v: str(int(v)))
    return table.rename(columns=headers or APPENDIX_HEADERS).reset_index(drop=True)
