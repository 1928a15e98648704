"""Small WordprocessingML helpers python-docx has no API for: East Asian fonts, grid, borders, fields,
the font table; and reading the inline content of the bulletin's HTML parts."""

from __future__ import annotations

from dataclasses import dataclass

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from .layout import FONTS, PAGE_NUMBER_SIZE

def set_run_fonts(rpr_parent, role: str) -> None:
    """Name the role's font for every script of a run or style (``w:eastAsia`` included); theme fonts removed."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    name = FONTS[role][0]
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), name)
    fonts.set(qn("w:hint"), "eastAsia")


def element(parent, tag: str, **attrs):
    """The ``tag`` child of ``parent`` (added when missing), with ``attrs`` set (w: namespace)."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        parent.append(el)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), str(v))
    return el


def snap_off(paragraph) -> None:
    """This paragraph ignores the document grid (masthead, title, tables, page numbers)."""
    element(paragraph._p.get_or_add_pPr(), "w:snapToGrid", val="0")


def bottom_rule(paragraph, *, color: str = "C00000", eighths: int = 16) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    border = element(ppr, "w:pBdr")
    element(border, "w:bottom", val="single", sz=eighths, space=4, color=color)


def page_field(paragraph, role: str) -> None:
    """``— PAGE —`` as runs with a PAGE field (Word and WPS update it on every page)."""
    def run(text: str | None = None, fld: str | None = None, instr: str | None = None):
        r = paragraph.add_run(text or "")
        set_run_fonts(r._r, role)
        r.font.size = PAGE_NUMBER_SIZE
        if fld:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), fld)
            r._r.append(el)
        if instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            r._r.append(el)
        return r

    run("— ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" —")


@dataclass
class Span:
    text: str
    bold: bool = False
    brk: bool = False


def spans(el, bold: bool = False) -> list[Span]:
    """The inline content of an element: text runs (bold inside ``.lead``/``b``/``strong``) and line breaks."""
    out: list[Span] = []
    if el.text:
        out.append(Span(el.text, bold))
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            out.append(Span("", brk=True))
        elif tag in ("img", "style", "script"):
            pass
        else:
            inner_bold = bold or tag in ("b", "strong") or "lead" in (child.get("class") or "").split()
            out.extend(spans(child, inner_bold))
        if child.tail:
            out.append(Span(child.tail, bold))
    return out


def classes(el) -> set[str]:
    return set((el.get("class") or "").split())

