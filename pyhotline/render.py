"""Turning an executed bulletin notebook into HTML (nbconvert) and PDF (WeasyPrint).

The HTML is self-contained and offline: no scripts, images embedded, no code,
no prompts, no parameter cells. Its fonts are named by family (the reader's
system supplies them); the PDF embeds a CJK font found by :mod:`pyhotline.fonts`.
"""

from __future__ import annotations

import copy
import logging
from importlib import resources
from pathlib import Path

import nbformat

REMOVED_TAGS = {"parameters", "injected-parameters", "remove"}
#: Output types that are never part of the bulletin (warnings, prints).
DROPPED_OUTPUTS = {"stream", "error"}


def _template(name: str) -> str:
    return (resources.files("pyhotline") / "templates" / name).read_text(encoding="utf-8")


def clean_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep only what the bulletin shows: display outputs of code cells not tagged for removal."""
    nb = copy.deepcopy(nb)
    kept = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type != "code" or tags & REMOVED_TAGS:
            continue
        cell.outputs = [o for o in cell.get("outputs", []) if o.get("output_type") not in DROPPED_OUTPUTS]
        if cell.outputs:
            kept.append(cell)
    nb.cells = kept
    return nb


def notebook_to_html(nb: nbformat.NotebookNode | str | Path, *, title: str) -> str:
    """The bulletin page: nbconvert's basic HTML of the displayed outputs, wrapped in our page."""
    from html import escape

    from nbconvert import HTMLExporter

    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb), as_version=4)
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(clean_notebook(nb))
    return (
        _template("page.html")
        .replace("{{title}}", escape(title))
        .replace("{{css}}", _template("bulletin.css"))
        .replace("{{body}}", body)
    )


def font_css(serif, sans) -> str:
    """CSS binding the page's text to the CJK fonts found (for WeasyPrint).

    A system font is used by its family name (fontconfig knows it); a
    packaged or configured file is declared with @font-face under its own
    family name, so the PDF names the real font it embeds.
    """
    rules = []
    for face in {serif.path: serif, sans.path: sans}.values():
        if face.source != "system":
            rules.append(f'@font-face {{ font-family: "{face.family}"; src: url("{face.path.as_uri()}"); }}')
    # GB/T 9704 layout (docs/layout.md): each role's 公文 fonts first, then the font found
    first = {"serif": f'"{serif.family}", "{sans.family}", serif', "sans": f'"{sans.family}", "{serif.family}", sans-serif'}
    for selector, role, kind in OFFICIAL_SELECTORS:
        names = ", ".join(f'"{name}"' for name in OFFICIAL_FAMILIES[role])
        rules.append(f"{selector} {{ font-family: {names}, {first[kind]}; }}")
    return "\n".join(rules) + "\n"


#: The 公文 fonts by role, as CSS families (the Word file names the first of each, pyhotline.word.FONTS).
OFFICIAL_FAMILIES = {
    "body": ("仿宋_GB2312", "仿宋", "FangSong", "STFangsong"),
    "title": ("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S"),
    "heading1": ("黑体", "STHeiti"),
    "heading2": ("楷体_GB2312", "楷体", "KaiTi", "STKaiti"),
    "page_number": ("宋体", "SimSun", "STSong"),
}
#: Which elements of the page take which role, and the style of the found font that follows.
OFFICIAL_SELECTORS = (
    ("body, table, figcaption, .note, .masthead .meta", "body", "serif"),
    ("h2, th, p.attachment-ref, table.evaluation caption", "heading1", "sans"),
    ("h3", "heading2", "serif"),
    ("h1.title, .masthead .publication, h2.appendix-title", "title", "serif"),
    ("@page", "page_number", "serif"),
)


def visible_text(html: str) -> str:
    """The characters a reader sees on the page (markup, styles and embedded data left out), so the
    font chosen for it covers exactly those (:func:`pyhotline.fonts.find_cjk_face`'s ``text``)."""
    import re
    from html import unescape

    stripped = re.sub(r"<(style|script)\b.*?</\1>|data:[^\"' )]+", "", html, flags=re.S | re.I)
    return unescape(re.sub(r"<[^>]+>", "", stripped))


def embed_font(html: str) -> str:
    """Make the page show Chinese on any machine: a subset of the CJK sans font (only the characters
    the page uses, ~60 KB as WOFF) embedded in the page's CSS. The PDF is made from the page
    without it (it embeds full fonts of its own)."""
    import base64
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    from .fonts import find_cjk_face

    visible = visible_text(html)
    face = find_cjk_face("sans", text=visible)
    # Bounding boxes are not recomputed (the full font's are valid, only larger), and OpenType layout
    # and vertical metrics are left out: horizontal Chinese text needs neither, and their closure is
    # most of the subsetting time (0.25 s instead of 0.65 s, ~60 KB instead of ~125 KB).
    font = TTFont(str(face.path), fontNumber=face.index, lazy=True, recalcBBoxes=False,
                  recalcTimestamp=False)  # the source font's head.modified: the same page, byte for byte, every run
    options = subset.Options()
    options.flavor, options.hinting, options.layout_features = "woff", False, []
    options.drop_tables += ["GSUB", "GPOS", "BASE", "vhea", "vmtx", "VORG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=visible + "0123456789%—－·（）：；，。、")
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff"
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    rule = (
        f'@font-face {{ font-family: "pyhotline CJK"; src: url(data:font/woff;base64,{data}) format("woff"); }}\n'
        'body, h1, h2, table, figcaption, .masthead .meta, .note, .lead '
        '{ font-family: "pyhotline CJK", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; }\n'
        '.masthead .publication, h1.title { font-family: "Noto Serif CJK SC", "SimSun", "pyhotline CJK", serif; }\n'
    )
    return html.replace("</style>", rule + "</style>", 1)


def html_to_pdf(html: str, path: str | Path, *, base_url: str | Path | None = None) -> Path:
    """Write the PDF of the bulletin page, embedding a CJK font (A4, page numbers)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from .fonts import find_cjk_face

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    font_config = FontConfiguration()  # @font-face rules only load through one shared configuration
    text = visible_text(html)  # the fonts must cover what the page shows: digits and Latin as well as Chinese
    fonts = CSS(string=font_css(find_cjk_face("serif", text=text), find_cjk_face("sans", text=text)),
                font_config=font_config)
    HTML(string=html, base_url=str(base_url) if base_url else None).write_pdf(
        str(path), stylesheets=[fonts], font_config=font_config
    )
    return Path(path)
