"""Each kind its own cut-off (docs/store.md): a letters export never moves the orders' cut-off (the
超期 rule, “至…仍未办结”, the orders' coverage warning), and an orders export never moves the letters'
(the mailbox's 待答复), in the store and through the bulletin's text and figures.json."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import pyhotline as ph
from pyhotline import bulletin_text as bt
from pyhotline import metrics
from pyhotline.bulletin import quality_lines
from pyhotline.explore import Explorer
from pyhotline.figures import figures
from pyhotline.store import import_files, month_coverage, month_dataset
from test_store import MAY, SAMPLE, WINDOWS, _raw, export

ORDERS_UNTIL, LETTERS_UNTIL = "2024-05-10", "2024-06-17"


def cut_export(raw, folder: Path, kind: str, until: str) -> Path:
    """Every order (letter) accepted (received) up to the end of ``until``, statuses as of then: an
    export taken that day."""
    time, (closed, *status) = {"orders": ("受理时间", ("办结时间", "回访结果")),
                               "letters": ("收信时间", ("答复时间", "评价"))}[kind]
    cut = pd.Timestamp(until) + pd.Timedelta(days=1)
    frame = raw[kind].loc[pd.to_datetime(raw[kind][time]) < cut].copy()
    later = pd.to_datetime(frame[closed].replace("", None)) >= cut
    frame.loc[later, [closed, *status]] = ""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}-{until}.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


@pytest.fixture(scope="module")
def raw():
    return {"orders": _raw("orders.csv", "utf-8-sig"), "letters": _raw("letters.csv", "gb18030")}


@pytest.fixture(scope="module")
def files(raw, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cutoffs")
    return {(kind, until): cut_export(raw, folder, kind, until)
            for kind, until in (("orders", ORDERS_UNTIL), ("letters", LETTERS_UNTIL), ("letters", "2024-05-20"))}


def _end_of(day: str) -> pd.Timestamp:
    return pd.Timestamp(day) + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)  # --as-of 2024-05-10: end of that day


def test_a_later_letters_import_keeps_the_orders_cut_off_overdue_and_warning(tmp_path, files):
    store = tmp_path / "s.duckdb"
    import_files(store, units=[SAMPLE / "units.csv"])
    import_files(store, orders=[files["orders", ORDERS_UNTIL]], as_of=ORDERS_UNTIL)
    alone = month_dataset(store, MAY)
    before = ph.monthly_report(MAY, alone)
    gaps_before = month_coverage(store, MAY)
    orders_warning = (f"导入的工单数据截至 {_end_of(ORDERS_UNTIL):%Y-%m-%d %H:%M}，早于 5 月底：5 月工单的办结、回访情况"
                      "可能不全，请导入 2024-06 以后导出的工单"
                      "（这份导出若是 5 月底以后导出的，重新导入时用 --as-of 写明导出时间）")
    assert orders_warning in gaps_before

    import_files(store, letters=[files["letters", LETTERS_UNTIL]], as_of=LETTERS_UNTIL)
    data = month_dataset(store, MAY)
    report = ph.monthly_report(MAY, data)
    assert data.as_of == alone.as_of == _end_of(ORDERS_UNTIL)
    assert data.letters_as_of == _end_of(LETTERS_UNTIL)
    # the orders' figures are those of the orders alone: same 超期, same 无故超期
    pd.testing.assert_frame_equal(report.overdue, before.overdue)
    pd.testing.assert_frame_equal(report.unjustified, before.unjustified)
    assert report.overdue_total == before.overdue_total > 0
    # the defect this guards against: the letters' cut-off would call orders due after 10 May overdue
    moved = metrics.overdue(data.orders, data.registry, MAY, report.scheme, as_of=data.letters_as_of)
    assert int(moved["overdue"].sum()) > report.overdue_total
    # the orders' warning stays; the letters cover April and May and their cut-off is past May: no letter warning
    gaps = month_coverage(store, MAY)
    assert orders_warning in gaps and gaps == gaps_before
    assert not any("信件" in g for g in gaps)
    assert orders_warning in quality_lines(report)
    explorer = Explorer(store)  # the notebook counts 超期 in DuckDB with the same cut-off
    try:
        assert int(explorer.unit_counts(MAY)["overdue"].sum()) == report.overdue_total
    finally:
        explorer.close()


def test_the_bulletin_text_and_figures_say_the_orders_cut_off(tmp_path, files):
    store = tmp_path / "s.duckdb"
    import_files(store, units=[SAMPLE / "units.csv"])
    import_files(store, orders=[files["orders", ORDERS_UNTIL]], letters=[files["letters", LETTERS_UNTIL]],
                 as_of=None)
    report = ph.monthly_report(MAY, month_dataset(store, MAY))
    text = bt.para_overdue(report)
    open_orders = int(report.overdue["open"].sum())
    assert open_orders > 0 and f"其中{open_orders}件至2024年5月10日仍未办结" in text
    assert "6月17日" not in text
    out = figures(report)
    assert out["as_of"].startswith("2024-05-10") and out["letters_as_of"].startswith("2024-06-1")
    assert out["hotline"]["overdue_total"] == report.overdue_total
    assert any(w.startswith("导入的工单数据截至 2024-05-10") for w in out["data_notes"])


def test_letters_pending_use_the_letters_cut_off_not_the_orders(tmp_path, raw, files):
    """The other way round: complete orders (the monthly exports, the last on 5 July), letters exported on 20 May."""
    store = tmp_path / "s.duckdb"
    import_files(store, units=[SAMPLE / "units.csv"])
    for first, last in WINDOWS:
        orders, _, as_of = export(raw, tmp_path / "exports", first, last)
        import_files(store, orders=[orders], as_of=as_of)
    import_files(store, letters=[files["letters", "2024-05-20"]], as_of="2024-05-20")
    data = month_dataset(store, MAY)
    assert data.as_of == pd.Timestamp("2024-07-05 00:00") and data.letters_as_of == _end_of("2024-05-20")
    report = ph.monthly_report(MAY, data)
    box = report.mailbox
    expected = metrics.mailbox(data.letters, MAY, report.scheme, as_of=data.letters_as_of)
    pd.testing.assert_frame_equal(box, expected)
    assert int(box["pending"].sum()) > 0  # letters of mid-May not yet answered on 20 May, not yet due
    with_orders_cutoff = metrics.mailbox(data.letters, MAY, report.scheme, as_of=data.as_of)
    assert int(with_orders_cutoff["pending"].sum()) < int(box["pending"].sum())
    assert "尚在办理期限内" in bt.para_letters(report)
    explorer = Explorer(store)
    try:
        assert int(explorer.letter_units(MAY)["待答复"].sum()) == int(box["pending"].sum())
        assert int(explorer.unit_counts(MAY)["overdue"].sum()) == report.overdue_total
    finally:
        explorer.close()
    # the orders are complete: their figures are the reference's; only the letters warn
    reference = ph.monthly_report(MAY, ph.load_dataset())
    pd.testing.assert_frame_equal(report.evaluation, reference.evaluation)
    pd.testing.assert_frame_equal(report.overdue, reference.overdue)
    gaps = month_coverage(store, MAY)
    assert gaps and all("信件" in g for g in gaps)
    assert ("导入的信件数据截至 2024-05-20 23:59，早于 5 月底：5 月信件的答复、评价情况可能不全，请导入 2024-06 以后导出的信件"
            "（这份导出若是 5 月底以后导出的，重新导入时用 --as-of 写明导出时间）"
            in gaps)
    assert any(g.startswith("未导入 2024-05 收到的信件（5月21日至5月31日）") for g in gaps)
    notes = {q.kind: q.warnings for q in data.quality}
    assert set(gaps) <= set(notes["信件明细"]) and not set(gaps) & set(notes["工单明细"])


def test_a_file_dataset_keeps_each_kinds_cut_off_too():
    data = ph.load_dataset()
    assert data.as_of == max(data.orders["accepted_at"].max(), data.orders["closed_at"].max())
    assert data.letters_as_of == max(data.letters["received_at"].max(), data.letters["replied_at"].max())
    assert data.letters_as_of > data.as_of  # the sample's letters are answered after the last order closes


def _imports(*rows) -> pd.DataFrame:
    """A hand-made imports table: (kind, first day, last day, cut-off)."""
    return pd.DataFrame([{"kind": k, "span_start": pd.Timestamp(a), "span_end": pd.Timestamp(b), "cutoff": pd.Timestamp(c)}
                         for k, a, b, c in rows])


@pytest.mark.parametrize("lacking", ["orders", "letters"])
def test_the_previous_month_behind_month_over_month_is_checked_per_kind(lacking):
    """April missing for one kind warns for that kind only; the other kind's cover never fills it."""
    from pyhotline.store.coverage import coverage_gaps, coverage_settings

    whole = {"orders": ("orders", "2024-02-01", "2024-06-30", "2024-07-05"),
             "letters": ("letters", "2024-02-01", "2024-06-30", "2024-07-05")}
    may_on = {"orders": ("orders", "2024-05-01", "2024-06-30", "2024-07-05"),
              "letters": ("letters", "2024-05-01", "2024-06-30", "2024-07-05")}
    other = "letters" if lacking == "orders" else "orders"
    gaps = coverage_gaps(_imports(may_on[lacking], whole[other]), pd.Period(MAY, "M"), coverage_settings(None))
    if lacking == "orders":
        assert gaps == ["未导入 2024-03 受理的工单（3月2日至3月31日）：5 月应办理数可能不全",
                        "未导入 2024-04 受理的工单：5 月应办理数和环比可能不全"]
    else:
        assert gaps == ["未导入 2024-04 收到的信件：5 月信件的环比可能不准"]
    # and each kind's cut-off on its own: a late cut-off of one kind never covers the other's early one
    early = (lacking, "2024-02-01", "2024-05-20", "2024-05-20 12:00")
    gaps = coverage_gaps(_imports(early, whole[other]), pd.Period(MAY, "M"), coverage_settings(None))
    what = "工单" if lacking == "orders" else "信件"
    assert [g for g in gaps if "截至" in g] == [f"导入的{what}数据截至 2024-05-20 12:00，早于 5 月底：5 月{what}的"
                                               f"{'办结、回访' if what == '工单' else '答复、评价'}情况可能不全，"
                                               f"请导入 2024-06 以后导出的{what}（这份导出若是 5 月底以后导出的，重新导入时用 --as-of 写明导出时间）"]
    assert all(what in g for g in gaps)
