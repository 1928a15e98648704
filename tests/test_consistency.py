"""Every place a figure is printed agrees with the others (issue 10, items 5 and 6).

Item 6: a scheme silent on ``rounding.keep_trailing_zeros`` prints the scheme's decimals everywhere
(bulletin text, chart bar labels, appendix, figures.json, evaluation.xlsx, explore); 平江's scheme says
``false`` and keeps the reference's "100"/"97.9%".
"""

from __future__ import annotations

import json
import re

import matplotlib
import pytest

import pyhotline as ph
from conftest import scheme_variant
from pyhotline import bulletin as bt
from pyhotline.scheme import load_scheme

matplotlib.use("Agg")

KEEP_LINE = "keep_trailing_zeros = false  # false："


@pytest.fixture(scope="module")
def data():
    return ph.load_dataset()


@pytest.fixture(scope="module")
def silent_scheme(tmp_path_factory):
    """平江's scheme without the keep_trailing_zeros line (its comment lines stay: they are comments)."""
    tmp = tmp_path_factory.mktemp("silent")
    path = scheme_variant(tmp, (KEEP_LINE, "# "))
    assert "keep_trailing_zeros" not in load_scheme(path).raw.get("rounding", {})
    return load_scheme(path)


def bar_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


# ---------------------------------------------------------------- item 6: decimals by default
def test_the_default_keeps_the_schemes_decimals_and_pingjiang_says_otherwise(silent_scheme, pj_scheme):
    assert silent_scheme.keep_trailing_zeros is True
    assert pj_scheme.keep_trailing_zeros is False  # written out in pingjiang.toml: the reference's print


def test_a_silent_scheme_prints_its_decimals_everywhere(silent_scheme, data, tmp_path):
    from openpyxl import load_workbook

    from pyhotline.explore import Explorer
    from pyhotline.explore_ui import html_table
    from pyhotline.export import shown, write_appendix
    from pyhotline.figures import write_figures

    report = ph.monthly_report("2024-05", data, silent_scheme)
    two, one = r"\d+\.\d\d", r"\d+\.\d"  # rates and shares 2 decimals, 综合指标值 1 (平江's decimals)
    # the text: every percentage with 2 decimals (100.00%, not 100%)
    text = "".join(filter(None, (bt.para_work_orders(report), bt.para_month_over_month(report),
                                 bt.para_letters(report))))
    found = re.findall(r"(\d+(?:\.\d+)?)%", text)
    assert found and all(re.fullmatch(two, f) for f in found), found
    # the appendix, evaluation.xlsx (as Excel shows it) and figures.json: the same strings
    table = report.appendix()
    assert "100.00%" in set(table["办结率"]) and all(re.fullmatch(one, v) for v in table["综合指标值"] if v != "—")
    assert any(v.endswith(".0") for v in table["综合指标值"])  # e.g. 100.0, 94.0: the zero printed
    xlsx = write_appendix(report, tmp_path / "evaluation.xlsx")
    rows = [[shown(c) for c in row] for row in load_workbook(xlsx).active.iter_rows(min_row=3)]
    assert rows == table.astype(str).values.tolist()
    figures = json.loads(write_figures(report, tmp_path).read_text(encoding="utf-8"))
    assert [r["综合指标值"] for r in figures["appendix"]] == [None if v == "—" else v for v in table["综合指标值"]]
    shares = [c["share"] for c in figures["hotline"]["top_categories"]]
    assert all(re.fullmatch(two + "%", s) for s in shares), shares
    # chart bar labels
    for name in bt.chart_names(report):
        made = bt.bulletin_chart(report, name)
        if made is None:
            continue
        for label in bar_labels(made[0]):
            for number in re.findall(r"[-+]?\d+\.?\d*(?=%)", label):
                assert re.fullmatch(r"[-+]?" + two, number), (name, label)
            if name.startswith("rank"):
                assert re.fullmatch(one, label), (name, label)
        matplotlib.pyplot.close("all")
    # explore: the explorer's tables print as the scheme says
    x = Explorer(scheme=silent_scheme)
    try:
        summary = x.unit_summary("2024-05")
        shown_html = html_table(summary, keep_zeros=x.scheme.keep_trailing_zeros)
        assert "<td>100.00</td>" in shown_html and "<td>97.90</td>" in shown_html
        pytest.importorskip("ipywidgets")
        from pyhotline.explore_ui import ExploreApp

        app = ExploreApp(x, period="2024-05")
        assert all(t.keep_zeros for t in app.tables.values()) and "<td>100.00</td>" in app.summary.body.value
    finally:
        x.close()


def test_pingjiang_still_prints_as_the_reference(pj_scheme, data):
    report = ph.monthly_report("2024-05", data, pj_scheme)
    rank = bt.bulletin_chart(report, bt.chart_names(report)[2])[0]
    assert not any(re.fullmatch(r"\d+\.\d*0", s) for s in bar_labels(rank))
    matplotlib.pyplot.close("all")
