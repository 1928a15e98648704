"""The bulletin as a Word document (``bulletin.docx``) in 公文 layout (GB/T 9704-2012), with python-docx.

The document is made from the very HTML fragments the notebook displayed (and that became the
PDF): every word comes from :mod:`pyhotline.bulletin`, none is written here. Each fragment is
read as a small tree and turned into real Word paragraphs, headings (styles 标题 1/2, in the
navigation pane), tables and pictures; nothing is an image of text.

Fonts: the 公文 names are set on the styles, the document defaults and every run, East Asian
text included (``w:eastAsia``; python-docx does not set it by itself). Where a machine lacks a
font, Word and WPS substitute one (the font table names the usual alternative, e.g. 仿宋 for
仿宋_GB2312); every measure below is absolute (mm, pt, the line grid), so a fallback font keeps the
page. The measures are documented in docs/layout.md; the PDF's are in templates/bulletin.css.
"""

from __future__ import annotations

from pathlib import Path

from .layout import FONTS  # noqa: F401  (the official fonts by role, as the Word file names them)


def write_docx(fragments: list[str], path: str | Path, *, title: str = "", author: str = "") -> Path:
    """Write the bulletin's HTML fragments (as displayed, in order) as a Word document at ``path``."""
    from lxml import html as lxml_html

    from .writer import Writer

    writer = Writer()
    for markup in fragments:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
        writer.blocks(root)
    writer.finish(title=title, author=author)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    writer.doc.save(str(tmp))
    tmp.replace(path)
    return path

