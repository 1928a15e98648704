"""Finding a font that shows Chinese, for charts (and anything else that draws text).

Where the font comes from, in this order:

1. **Configured**: the ``path=`` argument, else the environment variable
   ``PYHOTLINE_CJK_FONT`` (a .otf/.ttf/.ttc/.otc file). A configured font is
   used for both styles. A configured path that does not exist, cannot be
   read or has no Chinese glyphs raises :class:`~pyhotline.errors.FontError`
   naming it: an explicit setting that is wrong is never silently ignored.
2. **System**: fonts known to matplotlib's font list or to fontconfig
   (``fc-list :lang=zh``; catches fonts installed after matplotlib built its
   cache) whose family is one of :data:`SANS_FAMILIES` / :data:`SERIF_FAMILIES`
   (Noto / Source Han first).
3. **Packaged**: the Noto Sans / Noto Serif CJK SC files shipped by the
   ``mplfonts`` package (a dependency). Its ``SimHei.ttf`` is never used
   (licence).

The requested style wins over the source: for ``"serif"``, a system serif,
then the packaged serif, and only then the sans fonts (system, packaged) —
and the other way round for ``"sans"``. Serif suits the body text of official
documents, sans suits charts.

Every candidate must cover what will be drawn (:data:`REQUIRED`: Chinese,
the ASCII digits, Latin letters and the punctuation the bulletin and the
charts use; for collections, the face is chosen with ``fontNumber``). An
incomplete font — Debian's ``fonts-droid-fallback`` has Chinese but no digits
or Latin letters — is skipped with a :class:`FontNote` warning saying what it
lacks (once per environment: :mod:`pyhotline.font_notes`), and the search goes on (in the end to the packaged Noto CJK). Callers
that know their strings pass them as ``text=``: a font is then chosen that
also covers those (a unit name with a rare character), falling back to the
best complete font with a note naming the characters no font has. A
configured font that lacks part of :data:`REQUIRED` is a :class:`FontError`.

Nothing found is a :class:`FontError` with what was searched and how to set
``PYHOTLINE_CJK_FONT`` — text is never rendered as boxes. Look-ups are cached;
:func:`clear_cache` forgets them (tests, or after installing a font).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import string
import subprocess
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from .errors import FontError

ENV_VAR = "PYHOTLINE_CJK_FONT"
#: What every font used must show, by what the user would miss (the message names the missing part).
REQUIRED = {
    "中文": "通报督查县镇街道局办结率满意综合指标值排名等级评价超期",
    "数字": string.digits,
    "拉丁字母": string.ascii_letters,
    "标点": "％%（）、，：—.+-",
}
REQUIRED_TEXT = "".join(REQUIRED.values())

SANS_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
)
SERIF_FAMILIES = (
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "Noto Serif SC",
    "AR PL UMing CN",
    "AR PL UMing TW",
)
FAMILIES = {"sans": SANS_FAMILIES, "serif": SERIF_FAMILIES}
PACKAGED_FILES = {"sans": "NotoSansCJKsc-Regular.otf", "serif": "NotoSerifCJKsc-Regular.otf"}
EXCLUDED_FILES = {"simhei.ttf"}  # mplfonts ships it; its licence does not allow our use

_GENERIC = {"sans": "sans-serif", "serif": "serif"}
_STYLE_NAMES = {"sans": "无衬线（黑体类）", "serif": "衬线（宋体类）"}


@dataclass(frozen=True)
class CJKFont:
    """A font face that covers Chinese: file, face number (collections), family, where it came from."""

    path: Path
    index: int
    family: str
    style: str  # "sans" or "serif"; for a configured font, the style asked for
    source: str  # "configured", "system" or "packaged"
    skipped: tuple[str, ...] = ()  # the fonts passed over before this one, each with what it lacks


class FontNote(UserWarning):
    """A font was passed over because it lacks glyphs (or no font has some characters of a text)."""


# ---------------------------------------------------------------- public API
def find_cjk_font(style: str = "sans", path: str | Path | None = None) -> Path:
    """The file of a font that shows Chinese (see the module doc for the search order).

    ``style`` is ``"sans"`` (charts) or ``"serif"`` (body text); when no font of
    that style exists the other style is used. ``path`` (or the environment
    variable ``PYHOTLINE_CJK_FONT``) names the font explicitly.
    """
    return find_cjk_face(style, path).path


def find_cjk_face(style: str = "sans", path: str | Path | None = None, *, text: str = "") -> CJKFont:
    """Like :func:`find_cjk_font`, with the face number and family name.

    ``text``: the strings that will be drawn; the font chosen covers them too
    when any candidate does (see the module doc).
    """
    style = _check_style(style)
    if path is not None and str(path).strip():
        configured: tuple[str, str] | None = (os.fspath(path), "参数 path=")
    elif os.environ.get(ENV_VAR, "").strip():
        configured = (os.environ[ENV_VAR].strip(), f"环境变量 {ENV_VAR}")
    else:
        configured = None
    face = _find(style, configured)
    extra = "".join(sorted(set(missing(face, text))))
    return _find(style, configured, extra) if extra else face


def missing(face: CJKFont, text: str) -> str:
    """The characters of ``text`` that the face has no glyph for (spaces and control characters aside)."""
    cmap = _charmap(str(face.path), face.index)
    return "".join(c for c in text if ord(c) not in cmap and not _invisible(c))


def use_cjk_font(style: str = "sans", path: str | Path | None = None, *, text: str = "") -> str:
    """Make matplotlib draw Chinese with a CJK font; returns its family name.

    Registers the font with matplotlib, puts its family first in
    ``font.family`` (followed by the generic family, so a glyph the CJK font
    lacks still falls back) and first in ``font.sans-serif`` (or
    ``font.serif``), and turns ``axes.unicode_minus`` off. Call it *after*
    ``seaborn.set_theme()``, which resets fonts.
    """
    import matplotlib as mpl

    style = _check_style(style)
    face = find_cjk_face(style, path)
    family = _register(str(face.path), face.index)
    generic = _GENERIC[style]
    listed = [f for f in mpl.rcParams[f"font.{generic}"] if f != family]
    mpl.rcParams[f"font.{generic}"] = [family, *listed]
    mpl.rcParams["font.family"] = [family, generic]
    mpl.rcParams["axes.unicode_minus"] = False
    return family


def clear_cache() -> None:
    """Forget cached look-ups (after installing a font, or in tests)."""
    _find.cache_clear()
    _charmap.cache_clear()
    _register.cache_clear()


# ---------------------------------------------------------------- search
def _check_style(style: str) -> str:
    style = {"sans-serif": "sans"}.get(style, style)
    if style not in FAMILIES:
        raise ValueError(f"字体风格“{style}”无效，应为 \"sans\"（无衬线）或 \"serif\"（衬线）")
    return style


@functools.lru_cache(maxsize=64)
def _find(style: str, configured: tuple[str, str] | None, extra: str = "") -> CJKFont:
    """The first candidate covering :data:`REQUIRED` and ``extra``; if none covers ``extra``, the first
    covering :data:`REQUIRED`, with a note naming the characters left uncovered."""
    if configured is not None:
        face = _configured_font(*configured, style=style)
        if extra and missing(face, extra):
            _note(f"配置的字体 {face.path} 缺少字符“{missing(face, extra)}”的字形，这些字符可能显示为方框")
        return face
    other = "serif" if style == "sans" else "sans"
    rejected: list[str] = []
    complete: CJKFont | None = None
    for wanted in (style, other):
        for candidate in [*_system_candidates(wanted), *_packaged_candidates(wanted)]:
            if Path(candidate.path).name.lower() in EXCLUDED_FILES:
                continue
            lacks = _lacks(str(candidate.path), candidate.index)
            if lacks:
                rejected.append(f"{candidate.path}（{candidate.family}，缺少{lacks}）")
                continue
            if complete is None:
                complete = candidate
            if not missing(candidate, extra):
                return _chosen(candidate, rejected)
    if complete is not None:  # only reached with ``extra``: no font has all of it
        _note(f"没有字体含字符“{missing(complete, extra)}”的字形，这些字符可能显示为方框")
        return _chosen(complete, rejected)
    raise FontError(_not_found_message(style, rejected))


def _chosen(face: CJKFont, rejected: list[str]) -> CJKFont:
    """The face with the fonts passed over before it; each incomplete font is noted once."""
    incomplete = tuple(rejected)
    for reason in incomplete:  # harmless once the font is skipped: said once per environment, not every run
        _note(f"字体 {reason}，不使用；改用 {face.path}（{face.family}）（此说明在本环境只显示一次）", once=True)
    return CJKFont(face.path, face.index, face.family, face.style, face.source, incomplete)


def _note(message: str, *, once: bool = False) -> None:
    """Warn with ``message`` once per process; ``once``: once per environment and user (:mod:`.font_notes`)."""
    from .font_notes import seen_before

    if message in _NOTED:
        return
    _NOTED.add(message)
    if not (once and seen_before(message)):
        warnings.warn(message, FontNote, stacklevel=3)


_NOTED: set[str] = set()


def _configured_font(text: str, source: str, *, style: str) -> CJKFont:
    path = Path(text).expanduser()
    if not path.is_file():
        raise FontError(
            f"{source} 指定的中文字体文件不存在：{path}。"
            f"请改为一个存在的 .otf/.ttf/.ttc 字体文件，或取消该设置以自动查找系统字体。"
        )
    try:
        from matplotlib import ft2font

        faces = ft2font.FT2Font(str(path)).num_faces
    except Exception as exc:  # not a font FreeType can read
        raise FontError(f"{source} 指定的文件 {path} 不是可读取的字体文件（{exc}）。") from exc
    covering = [i for i in range(faces) if not _lacks(str(path), i)]
    if not covering:
        if not any(_covers(str(path), i, REQUIRED["中文"]) for i in range(faces)):
            raise FontError(
                f"{source} 指定的字体 {path} 不含中文字形（没有“通”“报”等字），"
                f"无法显示中文。请改为中文字体，例如 Noto Sans CJK SC 或思源黑体。"
            )
        raise FontError(
            f"{source} 指定的字体 {path} 缺少{_lacks(str(path), 0)}的字形，图表和通报中的这些字符会显示为方框。"
            f"请改为完整的中文字体，例如 Noto Sans CJK SC 或思源黑体。"
        )
    families = {i: _family_of(str(path), i) for i in covering}
    rank = {name: n for n, name in enumerate(FAMILIES[style] + FAMILIES["serif" if style == "sans" else "sans"])}
    index = min(covering, key=lambda i: (rank.get(families[i], len(rank)), i))
    return CJKFont(path, index, families[index], style, "configured")


def _system_candidates(style: str) -> list[CJKFont]:
    """Installed fonts of the style's known families, best first (family order, then regular weight)."""
    from matplotlib import font_manager

    rank = {name: n for n, name in enumerate(FAMILIES[style])}
    found: dict[tuple[str, int], tuple[tuple, CJKFont]] = {}
    # mplfonts' files land in matplotlib's list once registered: they are not system fonts
    packaged = tuple(os.path.join(os.path.realpath(d), "") for d in _packaged_dirs())

    def add(path: str, index: int, family: str, weight: object, italic: bool) -> None:
        key = (os.path.realpath(path), index)
        if packaged and key[0].startswith(packaged):
            return
        order = (rank[family], abs(_weight(weight) - 400), italic, key)
        if key not in found or order < found[key][0]:
            found[key] = (order, CJKFont(Path(path), index, family, style, "system"))

    for entry in font_manager.fontManager.ttflist:
        if entry.name in rank:
            add(entry.fname, getattr(entry, "index", 0), entry.name, entry.weight, entry.style != "normal")
    for path, index, names in _fontconfig_fonts():
        family = next((n for n in names if n in rank), None)
        if family is None or (os.path.realpath(path), index) in found:
            continue
        try:
            from matplotlib import ft2font

            prop = font_manager.ttfFontProperty(ft2font.FT2Font(path, face_index=index))
        except Exception:
            continue
        add(path, index, family, prop.weight, prop.style != "normal")
    return [font for _, font in sorted(found.values(), key=lambda item: item[0])]


def _fontconfig_fonts() -> list[tuple[str, int, list[str]]]:
    """(file, face index, family names) of the fonts fontconfig knows to cover Chinese."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        done = subprocess.run(
            [fc_list, "-f", "%{file}|%{index}|%{family}\n", ":lang=zh"],
            capture_output=True, text=True, timeout=15, check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    fonts = []
    for line in done.stdout.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[0]:
            continue
        try:
            index = int(parts[1] or 0)
        except ValueError:
            continue
        fonts.append((parts[0], index, [n.strip() for n in parts[2].split(",")]))
    return fonts


def _packaged_dirs() -> list[Path]:
    """The mplfonts package's font folders (found without importing it), if installed."""
    try:
        spec = importlib.util.find_spec("mplfonts")
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(base) / "fonts" for base in spec.submodule_search_locations]


def _packaged_candidates(style: str) -> list[CJKFont]:
    """The mplfonts package's Noto CJK SC file of the style, if installed."""
    for folder in _packaged_dirs():
        path = folder / PACKAGED_FILES[style]
        if path.is_file():
            family = "Noto Sans CJK SC" if style == "sans" else "Noto Serif CJK SC"
            return [CJKFont(path, 0, family, style, "packaged")]
    return []


@functools.lru_cache(maxsize=64)
def _charmap(path: str, index: int) -> frozenset[int]:
    """The code points face ``index`` of the font file maps (empty if FreeType cannot read it)."""
    from matplotlib import ft2font

    try:
        return frozenset(ft2font.FT2Font(path, face_index=index).get_charmap())
    except Exception:
        return frozenset()


def _covers(path: str, index: int, text: str = REQUIRED_TEXT) -> bool:
    """Does face ``index`` of the font file map every character of ``text``?"""
    cmap = _charmap(path, index)
    return all(ord(char) in cmap for char in text)


def _lacks(path: str, index: int) -> str:
    """What part of :data:`REQUIRED` the face misses, in words (empty when it covers everything)."""
    cmap = _charmap(path, index)
    parts = []
    for name, chars in REQUIRED.items():
        gone = [c for c in chars if ord(c) not in cmap]
        if gone:
            parts.append(name if len(gone) > len(chars) // 2 else f"{name}（{''.join(gone)}）")
    return "、".join(parts)


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}


def _family_of(path: str, index: int) -> str:
    from matplotlib import font_manager, ft2font

    return font_manager.ttfFontProperty(ft2font.FT2Font(path, face_index=index)).name


@functools.lru_cache(maxsize=32)
def _register(path: str, index: int) -> str:
    """Add the font file to matplotlib's font list (once) and return the face's family name."""
    from matplotlib import font_manager

    real = os.path.realpath(path)
    known = any(os.path.realpath(e.fname) == real for e in font_manager.fontManager.ttflist)
    if not known:
        font_manager.fontManager.addfont(path)
    return _family_of(path, index)


def _weight(value: object) -> int:
    if isinstance(value, (int, float)):
        return int(value)
    from matplotlib import font_manager

    return int(font_manager.weight_dict.get(str(value).lower(), 400))


def _not_found_message(style: str, rejected: list[str]) -> str:
    wanted = "、".join(FAMILIES[style] + FAMILIES["serif" if style == "sans" else "sans"])
    packaged = "、".join(PACKAGED_FILES.values())
    text = (
        f"找不到能显示中文的字体（需要{_STYLE_NAMES[style]}字体，缺少时也接受另一风格），"
        f"图表中的中文会显示为方框，因此停止。已查找："
        f"① 配置的字体：参数 path= 与环境变量 {ENV_VAR} 均未设置；"
        f"② 系统字体（matplotlib 字体列表与 fontconfig 的 fc-list :lang=zh）中的 {wanted}：均未找到；"
        f"③ mplfonts 包自带的 {packaged}：未安装或文件缺失。"
    )
    if rejected:
        text += "以下字体不完整，已跳过：" + "；".join(rejected) + "。"
    text += (
        f"解决办法：安装中文字体（如 Debian/Ubuntu：sudo apt-get install fonts-noto-cjk），"
        f"或 pip install mplfonts，或设置环境变量 {ENV_VAR} 为一个中文字体文件的路径，"
        f"例如 export {ENV_VAR}=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc。"
    )
    return text
