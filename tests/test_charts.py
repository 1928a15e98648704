"""Charts and the CJK font: the tests look at the plotted data, not at images.

Font decision tested here: a font configured explicitly (``path=`` or
``PYHOTLINE_CJK_FONT``) that does not exist, or has no Chinese, raises
FontError naming it; it never falls through to another font.
"""

from __future__ import annotations

import io
import warnings
from decimal import Decimal
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import seaborn as sns  # noqa: E402
from fontTools.ttLib import TTFont  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

import pyhotline as ph  # noqa: E402
from pyhotline import charts, fonts  # noqa: E402
from pyhotline.errors import FontError  # noqa: E402

CJK_FAMILIES = set(fonts.SANS_FAMILIES) | set(fonts.SERIF_FAMILIES)
DEJAVU = Path(mpl.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


# ---------------------------------------------------------------- fixtures
@pytest.fixture(autouse=True)
def _isolate(monkeypatch):
    """No configured font from the environment; rcParams and figures restored after each test."""
    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    with mpl.rc_context():
        yield
    plt.close("all")


@pytest.fixture
def fresh_fonts():
    """For tests that patch the font search: forget cached look-ups before and after."""
    fonts.clear_cache()
    yield
    fonts.clear_cache()


@pytest.fixture(scope="module")
def report() -> ph.MonthlyReport:
    return ph.monthly_report("2024-05", ph.load_dataset())


@pytest.fixture(scope="module")
def collection(tmp_path_factory) -> Path:
    """A tiny .ttc: face 0 is Latin only (DejaVu subset), face 1 covers what fonts require (Noto subset)."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    def cut(path: Path, text: str) -> TTFont:
        font = TTFont(str(path))
        subsetter = subset.Subsetter(subset.Options(drop_tables=["FFTM"]))
        subsetter.populate(text=text)
        subsetter.subset(font)
        return font

    noto = fonts._packaged_candidates("sans")[0].path
    out = tmp_path_factory.mktemp("fonts") / "mixed.ttc"
    ttc = TTCollection()
    ttc.fonts = [cut(DEJAVU, "abc"), cut(noto, fonts.REQUIRED_TEXT + "中文")]
    ttc.save(str(out))
    return out


def covers(path: Path, index: int = 0, text: str = "通报") -> bool:
    with TTFont(str(path), fontNumber=index, lazy=True) as font:
        cmap = font.getBestCmap()
    return all(ord(c) in cmap for c in text)


def bar_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def yticks(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def widths(container) -> list[float]:
    return [p.get_width() for p in container.patches]


# ---------------------------------------------------------------- fonts
def test_find_cjk_font_covers_chinese():
    for style in ("sans", "serif"):
        path = fonts.find_cjk_font(style)
        assert path.is_file()
        assert path.name.lower() != "simhei.ttf"
        assert covers(path, fonts.find_cjk_face(style).index, "通报督查")


def test_styles_prefer_noto_sans_and_serif():
    assert fonts.find_cjk_face("sans").family in fonts.SANS_FAMILIES
    assert fonts.find_cjk_face("serif").family in fonts.SERIF_FAMILIES
    with pytest.raises(ValueError, match="字体风格"):
        fonts.find_cjk_font("italic")


def test_lookup_is_cached():
    assert fonts.find_cjk_face("sans") is fonts.find_cjk_face("sans")


def test_use_cjk_font_after_seaborn_set_theme():
    sns.set_theme(style="whitegrid")
    assert mpl.rcParams["font.family"][0] not in CJK_FAMILIES  # set_theme reset the fonts
    family = fonts.use_cjk_font("sans")
    assert family in CJK_FAMILIES
    assert mpl.rcParams["font.family"][0] == family
    assert mpl.rcParams["font.sans-serif"][0] == family
    assert mpl.rcParams["axes.unicode_minus"] is False
    resolved = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert covers(Path(resolved))
    # a second call does not register the file again nor duplicate the family in the list
    entries = len(font_manager.fontManager.ttflist)
    assert fonts.use_cjk_font("sans") == family
    assert len(font_manager.fontManager.ttflist) == entries
    assert mpl.rcParams["font.sans-serif"].count(family) == 1


def test_use_cjk_font_serif_sets_serif_list():
    family = fonts.use_cjk_font("serif")
    assert family in fonts.SERIF_FAMILIES
    assert mpl.rcParams["font.family"] == [family, "serif"]
    assert mpl.rcParams["font.serif"][0] == family


def test_configured_path_that_does_not_exist_raises_naming_it(fresh_fonts, tmp_path):
    missing = tmp_path / "没有这个字体.otf"
    with pytest.raises(FontError, match="没有这个字体.otf") as err:
        fonts.find_cjk_font(path=missing)
    assert "参数 path=" in str(err.value)


def test_bogus_env_var_raises_naming_it(fresh_fonts, monkeypatch, tmp_path):
    bogus = tmp_path / "nowhere" / "font.ttf"
    monkeypatch.setenv(fonts.ENV_VAR, str(bogus))
    with pytest.raises(FontError) as err:
        fonts.find_cjk_font()
    assert str(bogus) in str(err.value) and fonts.ENV_VAR in str(err.value)
    with pytest.raises(FontError):
        fonts.use_cjk_font()


def test_configured_font_without_chinese_raises(fresh_fonts):
    with pytest.raises(FontError, match="不含中文字形"):
        fonts.find_cjk_font(path=DEJAVU)


def test_configured_collection_picks_the_chinese_face(fresh_fonts, monkeypatch, collection):
    monkeypatch.setenv(fonts.ENV_VAR, str(collection))
    face = fonts.find_cjk_face("serif")
    assert (face.path, face.index, face.source) == (collection, 1, "configured")
    assert fonts.find_cjk_font() == collection
    assert not covers(collection, 0) and covers(collection, 1)


def test_nothing_found_raises_font_error(fresh_fonts, monkeypatch):
    monkeypatch.setattr(fonts, "_system_candidates", lambda style: [])
    monkeypatch.setattr(fonts, "_packaged_candidates", lambda style: [])
    with pytest.raises(FontError) as err:
        fonts.find_cjk_font()
    message = str(err.value)
    assert fonts.ENV_VAR in message and "mplfonts" in message and "Noto Sans CJK SC" in message
    with pytest.raises(FontError):
        charts.apply_style()


def test_system_font_before_packaged_and_non_chinese_skipped(fresh_fonts, monkeypatch, collection):
    fake = [
        # claims a CJK family but has no Chinese glyphs: must be skipped
        font_manager.FontEntry(fname=str(DEJAVU), index=0, name="Noto Sans CJK SC", weight=400),
        font_manager.FontEntry(fname=str(collection), index=1, name="WenQuanYi Zen Hei", weight=400),
    ]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [*font_manager.fontManager.ttflist, *fake])
    monkeypatch.setattr(fonts, "_fontconfig_fonts", lambda: [])
    face = fonts.find_cjk_face("sans")
    assert (face.path, face.index, face.family, face.source) == (collection, 1, "WenQuanYi Zen Hei", "system")


def test_fontconfig_fonts_are_candidates(fresh_fonts, monkeypatch, collection):
    monkeypatch.setattr(fonts, "_fontconfig_fonts", lambda: [(str(collection), 1, ["文泉驿正黑", "WenQuanYi Zen Hei"])])
    face = fonts.find_cjk_face("sans")
    assert (face.path, face.index, face.source) == (collection, 1, "system")


def test_missing_style_falls_back_to_the_other(fresh_fonts, monkeypatch):
    packaged = fonts._packaged_candidates
    monkeypatch.setattr(fonts, "_system_candidates", lambda style: [])
    monkeypatch.setattr(fonts, "_packaged_candidates", lambda style: packaged(style) if style == "sans" else [])
    face = fonts.find_cjk_face("serif")
    assert face.family in fonts.SANS_FAMILIES and face.source == "packaged"


# ---------------------------------------------------------------- charts on small frames
def test_category_bar_plots_counts_in_order():
    cats = pd.DataFrame({
        "category": ["市场管理类", "住房与城乡建设类", "其他类"],
        "count": [426, 223, 22],
        "share": [Decimal("63.49"), Decimal("33.23"), Decimal("3.28")],
        "total": 671,
    })
    ax = charts.category_bar(cats)
    assert widths(ax.containers[0]) == [426, 223, 22]
    assert yticks(ax) == ["市场管理类", "住房与城乡建设类", "其他类"]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # first row at the top
    assert bar_texts(ax) == ["426（63.49%）", "223（33.23%）", "22（3.28%）"]
    assert "671" in ax.get_title()


def test_category_bar_folds_the_rest():
    cats = pd.DataFrame({
        "category": list("甲乙丙丁戊"),
        "count": [50, 20, 15, 10, 5],
        "share": [Decimal(x) for x in ("50.00", "20.00", "15.00", "10.00", "5.00")],
        "total": 100,
    })
    ax = charts.category_bar(cats, top=2)
    assert yticks(ax) == ["甲", "乙", "其余3类"]
    assert widths(ax.containers[0]) == [50, 20, 30]
    assert bar_texts(ax)[-1] == "30（30.00%）"  # the decimals kept by default (issue 10, item 6)
    plt.close("all")
    assert bar_texts(charts.category_bar(cats, top=2, keep_zeros=False))[-1] == "30（30%）"
    plt.close("all")
    ax = charts.category_bar(cats, top=4)  # a single leftover is simply shown
    assert yticks(ax) == list("甲乙丙丁戊")
    plt.close("all")
    assert len(charts.category_bar(cats, top=None).containers[0]) == 5


def evaluation_frame() -> pd.DataFrame:
    rows = [
        ("县直单位", "税务局", "100.0", "A"),
        ("县直单位", "住建局", "88.5", "B"),
        ("县直单位", "城管局", "76.2", "D"),
        ("县直单位", "档案馆", None, None),
        ("乡镇(街道)", "向家镇", "95.0", "A"),
        ("乡镇(街道)", "三墩乡", "81.0", "C"),
    ]
    return pd.DataFrame(
        [{"group": g, "short": s, "composite": None if c is None else Decimal(c), "grade": gr} for g, s, c, gr in rows]
    )


def test_composite_rank_bars_labels_colours_and_legend():
    ax = charts.composite_rank(evaluation_frame(), group="县直单位")
    bars = ax.containers[0]
    assert yticks(ax) == ["税务局", "住建局", "城管局"]  # table order, 档案馆 (no value) left out
    assert widths(bars) == [100.0, 88.5, 76.2]
    assert [p.get_facecolor() for p in bars] == [to_rgba(charts.GRADE_COLORS[g]) for g in "ABD"]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["A级", "B级", "D级"]
    assert legend.get_title().get_text() == "等级评价"
    assert bar_texts(ax) == ["100.0", "88.5", "76.2"]  # as rounded: 1 decimal
    plt.close("all")
    ax = charts.composite_rank(evaluation_frame(), group="县直单位", keep_zeros=False)  # 平江's scheme
    assert bar_texts(ax) == ["100", "88.5", "76.2"]
    assert ax.get_xlim()[0] == 70
    assert ax.get_xlim()[1] > 100
    assert "县直单位" in ax.get_title()


def test_composite_rank_group_axis_and_colour_options():
    ax = charts.composite_rank(evaluation_frame(), group="乡镇(街道)", grade_colors={"A": "#000000"})
    assert yticks(ax) == ["向家镇", "三墩乡"]
    assert ax.containers[0].patches[0].get_facecolor() == to_rgba("#000000")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A级", "C级"]
    low = evaluation_frame().assign(composite=[Decimal("99"), Decimal("58.3"), Decimal("70"), None, None, None])
    assert charts.composite_rank(low, group="县直单位").get_xlim()[0] == 50
    assert charts.composite_rank(low, group="县直单位", xmin=0).get_xlim()[0] == 0
    with pytest.raises(ValueError, match="街道办"):
        charts.composite_rank(evaluation_frame(), group="街道办")


def test_overdue_bar_stacks_justified_and_unjustified():
    overdue = pd.DataFrame({
        "label": ["汉昌街道", "梅仙镇", "住建局"],
        "group": ["乡镇(街道)", "乡镇(街道)", "县直单位"],
        "overdue": [6, 4, 2],
        "unjustified": [0, 2, 2],
    })
    ax = charts.overdue_bar(overdue)
    justified, unjustified = ax.containers
    assert yticks(ax) == ["汉昌街道", "梅仙镇", "住建局"]
    assert widths(justified) == [6, 2, 0]
    assert widths(unjustified) == [0, 2, 2]
    assert [p.get_x() for p in unjustified] == [6, 2, 0]
    assert justified.get_label() == "因市热线办退回超期" and unjustified.get_label() == "无故超期"
    assert ["6", "4（无故2）", "2（无故2）"] == bar_texts(ax)[:3]
    assert {"乡镇（街道）", "县直单位"} <= set(bar_texts(ax))  # group names on the right, spelt as the text spells them
    assert "12" in ax.get_title() and "无故超期4件" in ax.get_title()


def test_overdue_bar_counts_unjustified_for_assessed_units_only():
    """One definition: the title's 无故超期 is the text's (metrics.unjustified_overdue), units outside the
    assessment drawn apart, not as 因市热线办退回超期."""
    overdue = pd.DataFrame({
        "label": ["梅仙镇", "住建局", "无系统单位"],
        "group": ["乡镇(街道)", "县直单位", "县直单位"],
        "overdue": [4, 2, 3],
        "unjustified": [2, 2, 3],
        "assessed": [True, True, False],
    })
    ax = charts.overdue_bar(overdue, unassessed_legend="无系统单位超期")
    justified, outside, unjustified = ax.containers
    assert widths(justified) == [2, 0, 0]
    assert widths(outside) == [0, 0, 3]
    assert widths(unjustified) == [2, 2, 0]
    assert outside.get_label() == "无系统单位超期"
    assert "共9件" in ax.get_title() and "无故超期4件" in ax.get_title()


def test_mailbox_channels_counts_and_satisfaction():
    mailbox = pd.DataFrame({
        "channel": ["中国政府网", "省长信箱", "县长信箱"],
        "letters": [7, 8, 38],
        "satisfaction": [Decimal("57.14"), None, Decimal("75.00")],
    })
    ax = charts.mailbox_channels(mailbox)
    assert [p.get_height() for p in ax.containers[0]] == [7, 8, 38]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["中国政府网", "省长信箱", "县长信箱"]
    assert bar_texts(ax) == ["7件\n满意率57.14%", "8件", "38件\n满意率75.00%"]
    plt.close("all")
    assert bar_texts(charts.mailbox_channels(mailbox, keep_zeros=False))[-1] == "38件\n满意率75%"
    with pytest.raises(ValueError):
        charts.mailbox_channels(None)


def mom_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "item": ["热线诉求总量", "派单工单", "市场管理类", "社情民意类", "新增类"],
        "kind": ["总量", "总量", "事件分类", "事件分类", "事件分类"],
        "current": [2040, 1263, 426, 218, 3],
        "previous": [2075, 1271, 428, 195, 0],
        "change": [-35, -8, -2, 23, 3],
        "change_rate": [Decimal("-1.69"), Decimal("-0.63"), Decimal("-0.47"), Decimal("11.79"), None],
    })


def test_month_over_month_filters_by_kind():
    ax = charts.month_over_month(mom_frame())
    now, before = ax.containers
    assert yticks(ax) == ["市场管理类", "社情民意类", "新增类"]
    assert widths(now) == [426, 218, 3]
    assert widths(before) == [428, 195, 0]
    assert all(n.get_y() < b.get_y() for n, b in zip(now, before))  # 本月 drawn above 上月 (y axis inverted)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["本月", "上月"]
    assert bar_texts(ax)[:3] == ["426（-0.47%）", "218（+11.79%）", "3（—）"]
    plt.close("all")
    ax = charts.month_over_month(mom_frame(), kind="总量")
    assert yticks(ax) == ["热线诉求总量", "派单工单"]
    assert widths(ax.containers[0]) == [2040, 1263]
    with pytest.raises(ValueError, match="kind"):
        charts.month_over_month(mom_frame(), kind="单位")
    with pytest.raises(ValueError, match="上月"):
        charts.month_over_month(None)


def test_draws_on_the_given_axes_without_a_new_figure():
    fig, (left, right) = plt.subplots(1, 2)
    figures = plt.get_fignums()
    assert charts.month_over_month(mom_frame(), ax=right) is right
    assert plt.get_fignums() == figures
    assert len(right.patches) == 6 and not left.patches


def test_apply_style_is_idempotent():
    first = charts.apply_style()
    snapshot = {k: mpl.rcParams[k] for k in ("font.family", "font.sans-serif", "axes.unicode_minus", "axes.grid")}
    assert charts.apply_style() == first
    assert {k: mpl.rcParams[k] for k in snapshot} == snapshot
    assert mpl.rcParams["font.family"][0] == first


def test_save_figure_writes_png_and_closes(tmp_path):
    ax = charts.mailbox_channels(pd.DataFrame({"channel": ["市长信箱"], "letters": [93], "satisfaction": [None]}))
    number = ax.figure.number
    out = charts.save_figure(ax, tmp_path / "sub" / "mailbox.png")
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG") and b"Software" not in data
    assert number not in plt.get_fignums()
    fig = charts.category_bar(pd.DataFrame({"category": ["甲"], "count": [1], "share": [Decimal(100)], "total": 1})).figure
    charts.save_figure(fig, tmp_path / "again.png")
    assert (tmp_path / "again.png").read_bytes() == charts.save_figure(
        charts.category_bar(pd.DataFrame({"category": ["甲"], "count": [1], "share": [Decimal(100)], "total": 1})),
        tmp_path / "twice.png",
    ).read_bytes()  # same chart, same bytes


# ---------------------------------------------------------------- the real sample month
def test_glyph_check_detects_a_font_without_chinese():
    """The warning the next test relies on does appear when Chinese meets a Latin-only font."""
    fig, ax = plt.subplots()
    ax.set_title("通报", family="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    assert any("missing from font" in str(w.message) for w in caught)


def test_real_report_charts_plot_its_data_with_a_cjk_font(report):
    r = report
    drawn = []
    ax = charts.category_bar(r.categories)
    assert widths(ax.containers[0])[:10] == list(r.categories["count"][:10])
    assert yticks(ax)[:10] == list(r.categories["category"][:10])
    assert sum(widths(ax.containers[0])) == r.totals["requests"]
    assert bar_texts(ax)[0] == "426（20.88%）"
    drawn.append(ax)
    for group in ("县直单位", "乡镇(街道)"):
        ax = charts.composite_rank(r.evaluation, group=group)
        rated = r.evaluation.loc[(r.evaluation["group"] == group) & r.evaluation["composite"].notna()]
        assert yticks(ax) == list(rated["short"])
        assert widths(ax.containers[0]) == [float(v) for v in rated["composite"]]
        drawn.append(ax)
    ax = charts.overdue_bar(r.overdue)
    assert sum(sum(widths(c)) for c in ax.containers) == r.overdue_total
    # the title's 无故超期 is the text's (assessed units only)
    assert f"无故超期{int(r.unjustified['unjustified'].sum())}件" in ax.get_title()
    assert yticks(ax) == list(r.overdue["label"])
    drawn.append(ax)
    drawn.append(charts.mailbox_channels(r.mailbox))
    drawn.append(charts.month_over_month(r.month_over_month))
    drawn.append(charts.month_over_month(r.month_over_month, kind="总量"))

    cjk = fonts.find_cjk_font("sans").resolve()
    for ax in drawn:
        label = ax.get_yticklabels()[0] if ax.get_yticklabels() else ax.get_xticklabels()[0]
        assert Path(font_manager.findfont(label.get_fontproperties())).resolve() == cjk
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ax.figure.savefig(io.BytesIO(), format="png", dpi=60)
        assert not [str(w.message) for w in caught if "missing from font" in str(w.message)], ax.get_title()


# ---------------------------------------------------------------- data strings are plain text
HOSTILE = ["$x^2$", r"$\frac{a}{b}$", "单位$甲", "a$b$c$", r"\$\alpha"]


def all_texts(ax) -> list:
    return [t for t in ax.figure.findobj(matplotlib.text.Text) if t.get_text()]


def drawn_plain(ax) -> None:
    """Drawing does not raise, and every text artist is plain text (no mathtext, no TeX)."""
    ax.figure.savefig(io.BytesIO(), format="png", dpi=40)
    charts.png_bytes(ax.figure, dpi=40)
    for text in all_texts(ax):
        assert text.get_parse_math() is False and text.get_usetex() is False, text.get_text()
        assert text._preprocess_math(text.get_text()) == (text.get_text(), False)


def test_dollar_signs_in_names_are_drawn_as_written():
    cats = pd.DataFrame({"category": HOSTILE, "count": [5, 4, 3, 2, 1],
                         "share": [Decimal(x) for x in ("33.33", "26.67", "20", "13.33", "6.67")], "total": 15})
    ax = charts.category_bar(cats)
    assert yticks(ax) == HOSTILE
    drawn_plain(ax)
    evaluation = pd.DataFrame({"group": "县直单位", "short": HOSTILE, "composite": [Decimal(v) for v in (99, 95, 90, 85, 80)],
                               "grade": ["A", "A", "B", "C", "D"]})
    ax = charts.composite_rank(evaluation, group="县直单位", title="$综合$")
    assert yticks(ax) == HOSTILE and ax.get_title() == "$综合$"
    drawn_plain(ax)
    overdue = pd.DataFrame({"label": HOSTILE, "group": ["$组$"] * 3 + ["乙$"] * 2, "overdue": [3, 2, 2, 1, 1], "unjustified": [1, 0, 1, 0, 1]})
    ax = charts.overdue_bar(overdue)
    assert yticks(ax) == HOSTILE and "$组$" in bar_texts(ax)
    drawn_plain(ax)
    mailbox = pd.DataFrame({"channel": HOSTILE[:3], "letters": [1, 2, 3], "satisfaction": [None, Decimal(50), None]})
    ax = charts.mailbox_channels(mailbox)
    assert [t.get_text() for t in ax.get_xticklabels()] == HOSTILE[:3]
    drawn_plain(ax)
    mom = pd.DataFrame({"item": HOSTILE, "kind": "事件分类", "current": [1, 2, 3, 4, 5], "previous": [1, 1, 1, 1, 1],
                        "change_rate": [Decimal(0), Decimal(100), Decimal(200), Decimal(300), Decimal(400)]})
    ax = charts.month_over_month(mom)
    assert yticks(ax) == HOSTILE
    drawn_plain(ax)


def test_plain_text_even_when_the_notebook_turned_tex_on():
    mpl.rcParams["text.usetex"] = True  # apply_style turns it off again
    cats = pd.DataFrame({"category": ["$x^2$"], "count": [1], "share": [Decimal(100)], "total": 1})
    ax = charts.category_bar(cats)
    assert mpl.rcParams["text.usetex"] is False and mpl.rcParams["text.parse_math"] is False
    drawn_plain(ax)


# ---------------------------------------------------------------- a scheme's own grades
class Grade:  # like scheme.Grade, with the optional colour a scheme may set
    def __init__(self, name, color=None):
        self.name, self.color = name, color


def other_grades_frame() -> pd.DataFrame:
    rows = [("县直单位", "甲局", "96.50", "优秀"), ("县直单位", "乙局", "58.00", "不合格"),
            ("县直单位", "丙局", "88.25", "良好"), ("县直单位", "丁局", "75.00", "合格"),
            ("县直单位", "戊局", "61.00", "合格")]
    return pd.DataFrame([{"group": g, "short": s, "composite": Decimal(c), "grade": gr} for g, s, c, gr in rows])


def test_rank_chart_colours_a_schemes_own_grades_by_rank():
    grades = [Grade("优秀"), Grade("良好"), Grade("合格"), Grade("不合格")]
    ax = charts.composite_rank(other_grades_frame(), group="县直单位", grades=grades)
    colors = [p.get_facecolor() for p in ax.containers[0]]
    expected = dict(zip(["优秀", "良好", "合格", "不合格"], charts.RANK_COLORS))  # four grades: the four rank colours
    assert colors == [to_rgba(expected[g]) for g in other_grades_frame()["grade"]]
    assert to_rgba(charts.OTHER_GRADE_COLOR) not in colors
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["优秀", "良好", "合格", "不合格"]  # the scheme's order


def test_scheme_colours_win_and_legend_keeps_the_scheme_order():
    grades = [Grade("优秀", "#112233"), Grade("良好"), Grade("合格"), Grade("不合格", "#445566")]
    frame = other_grades_frame().iloc[[3, 1, 0]]  # 合格, 不合格, 优秀 in the table's order
    ax = charts.composite_rank(frame, group="县直单位", grades=grades, xmin=0)
    assert [p.get_facecolor() for p in ax.containers[0]] == [
        to_rgba(charts.RANK_COLORS[2]), to_rgba("#445566"), to_rgba("#112233")]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["优秀", "合格", "不合格"]


def test_grade_palette_spreads_rank_colours():
    assert charts.grade_palette("AB") == {"A": charts.RANK_COLORS[0], "B": charts.RANK_COLORS[-1]}
    three = charts.grade_palette(["一等", "二等", "三等"])
    assert list(three) == ["一等", "二等", "三等"] and three["一等"] == charts.RANK_COLORS[0]
    assert three["三等"] == charts.RANK_COLORS[-1] and three["二等"] not in (charts.RANK_COLORS[0], charts.RANK_COLORS[-1])
    assert len(set(charts.grade_palette([f"G{i}" for i in range(6)]).values())) == 6
    assert charts.grade_palette(list("ABCD")) == charts.GRADE_COLORS  # 平江's colours unchanged


def test_without_the_scheme_other_grades_are_ranked_by_composite():
    ax = charts.composite_rank(other_grades_frame(), group="县直单位")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["优秀", "良好", "合格", "不合格"]
    assert to_rgba(charts.OTHER_GRADE_COLOR) not in [p.get_facecolor() for p in ax.containers[0]]


def test_bulletin_rank_chart_uses_the_schemes_grades(report):
    from pyhotline.bulletin import bulletin_chart

    ax, _ = bulletin_chart(report, "rank_towns")
    palette = charts.grade_palette(report.scheme.grades)
    rated = report.evaluation.loc[(report.evaluation["group"] == "乡镇(街道)") & report.evaluation["composite"].notna()]
    assert [p.get_facecolor() for p in ax.containers[0]] == [to_rgba(palette[g]) for g in rated["grade"]]
