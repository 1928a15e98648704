"""Fonts cover what is drawn: Chinese, digits, Latin letters and the punctuation used.

Debian's fonts-droid-fallback (Chinese, no digits or Latin) is the case that matters: such a font is
skipped with a note and the packaged Noto CJK is used. Tests build their incomplete fonts with
fontTools (subsets of the packaged Noto), and one test uses the real Droid font when it is installed.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from fontTools import subset  # noqa: E402
from fontTools.ttLib import TTFont  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from pyhotline import charts, fonts, render  # noqa: E402
from pyhotline.errors import FontError  # noqa: E402

DROID = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")


@pytest.fixture(autouse=True)
def _fresh(monkeypatch, tmp_path):
    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    monkeypatch.setenv("PYHOTLINE_NOTES_FILE", str(tmp_path / "font-notes"))  # each test a fresh environment
    fonts.clear_cache()
    fonts._NOTED.clear()
    with mpl.rc_context():
        yield
    plt.close("all")
    fonts.clear_cache()


def noto() -> Path:
    return fonts._packaged_candidates("sans")[0].path


@functools.lru_cache(maxsize=None)
def _noto_font() -> bytes:
    """A small cut of Noto to cut from (cutting the full font each time is slow)."""
    font = TTFont(str(noto()))
    subsetter = subset.Subsetter(subset.Options(drop_tables=["FFTM"]))
    subsetter.populate(text=fonts.REQUIRED_TEXT + "（）、，：％诉求事件分类")
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def cut(tmp_path: Path, name: str, text: str) -> Path:
    """A subset of the packaged Noto Sans CJK holding only ``text``'s characters."""
    font = TTFont(io.BytesIO(_noto_font()))
    subsetter = subset.Subsetter(subset.Options(drop_tables=["FFTM"]))
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = tmp_path / name
    font.save(str(out))
    return out


def as_system(monkeypatch, *entries: tuple[Path, str]) -> None:
    """Make these files the only system fonts, under the given family names."""
    fake = [font_manager.FontEntry(fname=str(p), index=0, name=family, weight=400) for p, family in entries]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [*font_manager.fontManager.ttflist, *fake])
    monkeypatch.setattr(fonts, "_fontconfig_fonts", lambda: [])
    real = fonts._system_candidates
    monkeypatch.setattr(
        fonts, "_system_candidates", lambda style: [c for c in real(style) if c.path in {p for p, _ in entries}]
    )


def droid_like(tmp_path: Path) -> Path:
    """Like Debian's Droid Sans Fallback: Chinese characters and Chinese punctuation, no digits, Latin or ASCII."""
    return cut(tmp_path, "droid-like.ttf", fonts.REQUIRED["中文"] + "（）、，：％诉求事件分类")


def test_a_font_without_digits_and_latin_is_skipped_with_a_note(monkeypatch, tmp_path):
    incomplete = droid_like(tmp_path)
    as_system(monkeypatch, (incomplete, "Droid Sans Fallback"))
    with pytest.warns(fonts.FontNote, match="缺少数字、拉丁字母") as notes:
        face = fonts.find_cjk_face("sans")
    assert face.source == "packaged" and face.family == "Noto Sans CJK SC"
    assert str(incomplete) in str(notes[0].message) and "改用" in str(notes[0].message)
    assert len(face.skipped) == 1 and str(incomplete) in face.skipped[0]
    assert fonts.missing(face, fonts.REQUIRED_TEXT) == ""


def test_a_complete_system_font_is_still_preferred(monkeypatch, tmp_path):
    complete = cut(tmp_path, "complete.ttf", fonts.REQUIRED_TEXT + "诉求")
    as_system(monkeypatch, (droid_like(tmp_path), "Droid Sans Fallback"), (complete, "WenQuanYi Zen Hei"))
    face = fonts.find_cjk_face("sans")
    assert (face.path, face.source) == (complete, "system")


def test_each_required_part_is_checked(monkeypatch, tmp_path):
    for part in fonts.REQUIRED:
        fonts.clear_cache()
        partial = cut(tmp_path, f"no-{part}.ttf", "".join(v for k, v in fonts.REQUIRED.items() if k != part))
        assert fonts._lacks(str(partial), 0).startswith(part)
    assert fonts._lacks(str(noto()), 0) == ""
    no_dash = cut(tmp_path, "no-dash.ttf", fonts.REQUIRED_TEXT.replace("—", ""))
    assert fonts._lacks(str(no_dash), 0) == "标点（—）"


def test_the_text_drawn_chooses_a_font_that_covers_it(monkeypatch, tmp_path):
    basic = cut(tmp_path, "basic.ttf", fonts.REQUIRED_TEXT)
    as_system(monkeypatch, (basic, "Noto Sans CJK SC"))
    assert fonts.find_cjk_face("sans").path == basic  # enough for the required characters
    face = fonts.find_cjk_face("sans", text="鑫源街道 2024")  # 鑫 and 源 are not in the subset
    assert face.source == "packaged" and fonts.missing(face, "鑫源街道 2024") == ""
    with pytest.warns(fonts.FontNote, match="\U0001F600"):  # no CJK font has an emoji: noted, best font kept
        face = fonts.find_cjk_face("sans", text="通报\U0001F600")
    assert face.path == basic


def test_missing_ignores_spaces_and_control_characters():
    face = fonts.find_cjk_face("sans")
    assert fonts.missing(face, "通报 \n\t\u200b2024") == ""


def test_a_configured_font_without_digits_is_an_error(tmp_path):
    incomplete = droid_like(tmp_path)
    with pytest.raises(FontError, match="缺少数字、拉丁字母") as err:
        fonts.find_cjk_font(path=incomplete)
    assert str(incomplete) in str(err.value)


def test_nothing_complete_says_what_each_font_lacks(monkeypatch, tmp_path):
    incomplete = droid_like(tmp_path)
    as_system(monkeypatch, (incomplete, "Droid Sans Fallback"))
    monkeypatch.setattr(fonts, "_packaged_candidates", lambda style: [])
    with pytest.raises(FontError, match="不完整") as err:
        fonts.find_cjk_face("sans")
    assert str(incomplete) in str(err.value) and "缺少数字" in str(err.value)


def test_charts_with_an_incomplete_system_font_draw_every_digit(monkeypatch, tmp_path):
    as_system(monkeypatch, (droid_like(tmp_path), "Droid Sans Fallback"))
    cats = pd.DataFrame({"category": ["市场管理类", "ABC类"], "count": [426, 22], "share": [95.09, 4.91], "total": 448})
    with pytest.warns(fonts.FontNote):
        ax = charts.category_bar(cats)
    assert mpl.rcParams["font.family"][0] == "Noto Sans CJK SC"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax.figure.savefig(io.BytesIO(), format="png", dpi=50)
    assert not [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_pdf_fonts_cover_the_page_text(monkeypatch, tmp_path):
    as_system(monkeypatch, (droid_like(tmp_path), "Droid Sans Fallback"))
    html = "<html><style>body{}</style><body><p>受理工单 2040 件，按期办结率 97.9%（PJ20240503-0012）&amp;</p></body></html>"
    text = render.visible_text(html)
    assert "body{}" not in text and "2040" in text and "&" in text and "&amp;" not in text
    with pytest.warns(fonts.FontNote):
        css = render.font_css(fonts.find_cjk_face("serif", text=text), fonts.find_cjk_face("sans", text=text))
    assert "Droid" not in css and "Noto" in css


@pytest.mark.skipif(not DROID.is_file(), reason="fonts-droid-fallback is not installed")
def test_the_real_droid_sans_fallback_is_never_used():
    assert fonts._lacks(str(DROID), 0).startswith("数字、拉丁字母")
    for style in ("sans", "serif"):
        face = fonts.find_cjk_face(style)
        assert face.family != "Droid Sans Fallback" and fonts.missing(face, fonts.REQUIRED_TEXT) == ""
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
        assert "Droid Sans Fallback" in listed  # the test really ran with the font installed
