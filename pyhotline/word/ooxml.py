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
    fonts = element(rpr, "w:rFonts")
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    name = FONTS[role][0]
    for script in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{script}"), name)
    fonts.set(qn("w:hint"), "eastAsia")


#: The order ECMA-376 gives the children of the properties pyhotline writes: Word refuses a document
#: whose children are out of order ("unreadable content"), so each one is inserted in its place.
SEQUENCES = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
           "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
           "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
           "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
           "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl "
           "cs em lang eastAsianLayout specVanish oMath",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
             "tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark",
    "pBdr": "top left bottom right between bar",
    "tblCellMar": "top start left bottom end right",
}


def element(parent, tag: str, **attrs):
    """The ``tag`` child of ``parent`` (added in its schema place when missing), with ``attrs`` set."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        order = SEQUENCES.get(parent.tag.rpartition("}")[2], "").split()
        name = tag.partition(":")[2]
        later = {qn(f"w:{t}") for t in order[order.index(name) + 1:]} if name in order else set()
        following = next((c for c in parent if c.tag in later), None)
        if following is not None:
            following.addprevious(el)
        else:
            parent.append(el)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), str(v))
    return el


def snap_off(paragraph) -> None:
    """This paragraph ignores the document grid (masthead, title, tables, page numbers)."""
    element(paragraph._p.get_or_add_pPr(), "w:snapToGrid", val="0")


def bottom_rule(paragraph, *, color: str = "C00000", eighths: int = 16, space_pt: int = 11) -> None:
    """A rule under the paragraph, ``space_pt`` below its last line (11 pt ≈ the PDF's 4 mm)."""
    ppr = paragraph._p.get_or_add_pPr()
    border = element(ppr, "w:pBdr")
    element(border, "w:bottom", val="single", sz=eighths, space=space_pt, color=color)


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



def plain_cells(values) -> bool:
    """Each value is one ``<w:t>`` of its cell's run (not empty, no tab or line break)."""
    return all(values) and not any(c in v for v in values for c in "\t\n\r")


def copied_row(template, values):
    """A copy of the table row ``template`` (a ``<w:tr>`` of :func:`plain_cells` values, cells made one by one)
    with ``values`` as its cells' text: the XML python-docx writes for them, without its cost per cell
    (500 rows of 附件3 at 10M orders)."""
    import copy

    row = copy.deepcopy(template)
    space = qn("xml:space")
    for t, value in zip(row.iter(qn("w:t")), values, strict=True):
        t.text = value
        if len(value.strip()) < len(value):  # as python-docx's CT_R.add_t
            t.set(space, "preserve")
        else:
            t.attrib.pop(space, None)
    return row
