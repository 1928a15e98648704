"""Turning the bulletin's HTML parts into Word paragraphs, headings, tables and pictures."""

from __future__ import annotations

import datetime as dt

import base64
import io

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .layout import (
    BODY_SIZE, CELL_MARGIN, CHART_BASELINE_GAP, CHART_GAP, CHART_HEIGHT, CHAR_SPACING_TWENTIETHS, FONTS,
    LANDSCAPE_MARGINS, LINE_PITCH, LINE_PITCH_TWIPS, LEFT, MASTHEAD_SIZE, PAGE, PAGE_NUMBER_GAP, PAGE_NUMBER_SIZE,
    RED, TABLE_SIZE, TEXT_HEIGHT, TEXT_WIDTH, TITLE_SIZE, TOP, column_widths, picture_size,
)
from .ooxml import (Span, bottom_rule, classes, copied_row, element, page_field, plain_cells, set_run_fonts, snap_off,
                    spans)

class Writer:
    def __init__(self) -> None:
        self.doc = Document()
        self._styles()
        self._page_setup(self.doc.sections[0], landscape=False)
        self._footers()
        self.landscape = False
        #: the next block starts a page (a landscape section after another, the second table of 附件1), as
        #: the PDF's break-before: the paragraph's own page break before, never a break at the end of the
        #: last paragraph (that may be a title whose content is in a table: it would be left alone)
        self.break_before = False
        self.last_block = None

    # -- set-up
    def _styles(self) -> None:
        styles = self.doc.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = rpr_default.find(qn("w:rFonts"))
        for attr in list(fonts.attrib):
            del fonts.attrib[attr]
        name = FONTS["body"][0]
        for script in ("ascii", "hAnsi", "eastAsia", "cs"):
            fonts.set(qn(f"w:{script}"), name)
        for tag in ("w:sz", "w:szCs"):
            rpr_default.find(qn(tag)).set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
        lang = rpr_default.find(qn("w:lang"))
        lang.set(qn("w:eastAsia"), "zh-CN")
        ppr_default = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
        element(ppr_default, "w:spacing", after=0, line=LINE_PITCH_TWIPS, lineRule="exact")

        normal = styles["Normal"]
        set_run_fonts(normal.element, "body")
        normal.font.size = BODY_SIZE
        # 28 characters in 156 mm: 16 pt characters 0.25 pt closer (15.75 pt each; Word's character grid
        # alone would do, but LibreOffice gives a 16 pt character two cells of a 15.79 pt grid)
        element(normal.element.get_or_add_rPr(), "w:spacing", val=CHAR_SPACING_TWENTIETHS)
        self._plain(normal, LINE_PITCH)
        normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

        for style_name, role, level in (("Heading 1", "heading1", 0), ("Heading 2", "heading2", 1)):
            style = styles[style_name]
            set_run_fonts(style.element, role)
            f = style.font
            f.size, f.bold, f.italic = BODY_SIZE, False, False
            rpr = style.element.get_or_add_rPr()
            color = rpr.find(qn("w:color"))
            if color is not None:
                rpr.remove(color)
            self._plain(style, LINE_PITCH)
            style.paragraph_format.first_line_indent = Pt(2 * BODY_SIZE.pt)
            style.paragraph_format.keep_with_next = True

        title = styles["Title"]
        set_run_fonts(title.element, "title")
        rpr = title.element.get_or_add_rPr()
        for tag in ("w:color", "w:spacing", "w:kern"):
            el = rpr.find(qn(tag))
            if el is not None:
                rpr.remove(el)
        ppr = title.element.get_or_add_pPr()
        for tag in ("w:pBdr", "w:contextualSpacing"):
            el = ppr.find(qn(tag))
            if el is not None:
                ppr.remove(el)
        title.font.size = TITLE_SIZE
        self._plain(title, Pt(TITLE_SIZE.pt * 1.5))
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

        settings = self.doc.settings.element
        theme_lang = settings.find(qn("w:themeFontLang"))
        if theme_lang is not None:
            theme_lang.set(qn("w:eastAsia"), "zh-CN")
        self._font_table()

    @staticmethod
    def _plain(style, line) -> None:
        pf = style.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = line

    def _font_table(self) -> None:
        """Declare the fonts used, each with its usual substitute (``w:altName``) and the GB2312 charset."""
        from lxml import etree

        part = next(p for p in self.doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
        root = etree.fromstring(part.blob)
        for name, alt in FONTS.values():
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
            etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")
            etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern" if "黑" in name else "roman")
            etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "variable")
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _page_setup(self, section, *, landscape: bool) -> None:
        width, height = PAGE
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = height, width
            m = LANDSCAPE_MARGINS
            section.top_margin, section.bottom_margin = m["top"], m["bottom"]
            section.left_margin, section.right_margin = m["left"], m["right"]
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = width, height
            section.top_margin, section.left_margin = TOP, LEFT
            section.right_margin = Mm(width.mm - LEFT.mm - TEXT_WIDTH.mm)
            section.bottom_margin = Mm(height.mm - TOP.mm - TEXT_HEIGHT.mm)
        section.header_distance = Mm(15)
        # the footer's single 14 pt line (exactly 14 pt high) starts PAGE_NUMBER_GAP below the text area
        section.footer_distance = Mm(section.bottom_margin.mm - PAGE_NUMBER_GAP.mm - PAGE_NUMBER_SIZE.mm)
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        for attr in list(grid.attrib):
            del grid.attrib[attr]
        # A line grid of 22 lines. The 28 characters a line come from the body's character spacing, not
        # from a character grid: LibreOffice gives every character larger than a grid cell two cells
        # (titles, masthead), whatever the paragraph's snapToGrid says (docs/layout.md).
        if not landscape:
            grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))

    def _footers(self) -> None:
        """Page numbers: odd pages right, even pages left, one character in from the edge of the 版心."""
        self.doc.settings.odd_and_even_pages_header_footer = True
        section = self.doc.sections[0]
        for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            p = footer.paragraphs[0]
            p.alignment = align
            pf = p.paragraph_format
            pf.space_before = pf.space_after = Pt(0)
            pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, PAGE_NUMBER_SIZE
            pf.first_line_indent = Pt(0)
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                pf.right_indent = PAGE_NUMBER_SIZE
            else:
                pf.left_indent = PAGE_NUMBER_SIZE
            snap_off(p)
            page_field(p, "page_number")

    def finish(self, *, title: str, author: str) -> None:
        props = self.doc.core_properties
        props.title, props.author, props.last_modified_by = title, author, author
        props.comments = props.keywords = props.subject = ""
        props.revision = 1
        # python-docx's template says it was made and saved on 2013-12-23: this document is made now
        props.created = props.modified = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
        # python-docx's template carries a preview image of another document
        pkg = self.doc.part.package
        for rel_id, rel in list(pkg.rels.items()):
            if rel.reltype.endswith("/thumbnail"):
                del pkg.rels[rel_id]

    # -- paragraphs
    def paragraph(self, spans: list[Span] | str, *, role: str = "body", style: str | None = None, size=None,
                  align=None, indent: bool = True, color=None, bold: bool | None = None):
        p = self.doc.add_paragraph(style=style)
        if self.break_before:
            p.paragraph_format.page_break_before = True
            self.break_before = False
        if isinstance(spans, str):
            spans = [Span(spans)]
        for span in spans:
            if span.brk:
                p.add_run().add_break()
                continue
            r = p.add_run(span.text)
            set_run_fonts(r._r, role)
            if size is not None:
                r.font.size = size
            if span.bold or bold:
                r.bold = True
            if color is not None:
                r.font.color.rgb = color
        if align is not None:
            p.alignment = align
        elif style is None and any(span.brk for span in spans):  # a styled paragraph (the centred Title) keeps its own
            # lines ended by a manual break are spread to the full width in a justified paragraph
            # (Word and LibreOffice alike: "注 意 ： 未 导 入 …"): such a paragraph is set flush left
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if indent and style is None:
            p.paragraph_format.first_line_indent = Pt(2 * BODY_SIZE.pt)
        elif not indent:
            p.paragraph_format.first_line_indent = Pt(0)
        return p

    def blocks(self, el) -> None:
        """Each block-level child of ``el`` as the Word element it is."""
        for child in el:
            if not isinstance(child.tag, str):
                continue
            tag, cls = child.tag, classes(child)
            if tag in ("p", "h1", "h2", "h3", "figure"):
                self.last_block = tag
            if tag == "header" and "masthead" in cls:
                self.masthead(child)
            elif tag == "h1":
                # off the line grid, or LibreOffice gives each 33 pt title line two grid lines
                snap_off(self.paragraph(spans(child), role="title", style="Title", size=TITLE_SIZE))
                self.paragraph("", indent=False)  # one line below the title
            elif tag == "section":
                self.attachment_section(child)
            elif tag == "h2" and "appendix-title" in cls:
                p = self.paragraph(spans(child), role="title", size=TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER,
                                   indent=False)
                p.paragraph_format.line_spacing = Pt(TITLE_SIZE.pt * 1.5)
                p.paragraph_format.keep_with_next = True  # CSS: h2 { break-after: avoid }
                p.paragraph_format.space_after = Mm(3)  # CSS: h2.appendix-title { margin: 0 0 3mm }
                snap_off(p)
            elif tag == "h2":
                self.paragraph(spans(child), role="heading1", style="Heading 1")
            elif tag == "h3":
                self.paragraph(spans(child), role="heading2", style="Heading 2")
            elif tag == "p" and "attachment-ref" in cls:
                self.paragraph(spans(child), role="heading1", indent=False).paragraph_format.keep_with_next = True
            elif tag == "p" and "note" in cls:
                p = self.paragraph(spans(child), size=TABLE_SIZE, indent=False)
                p.paragraph_format.line_spacing = Pt(TABLE_SIZE.pt * 1.35)
                snap_off(p)
            elif tag == "p" and "attachments" in cls:
                self.paragraph(spans(child)).paragraph_format.space_before = LINE_PITCH  # one line below the text
            elif tag == "p":
                self.paragraph(spans(child))
            elif tag == "div" and "attachments" in cls:
                self.attachments(child)
            elif tag == "table" and "evaluation" in cls:
                self.evaluation_table(child)
                self.last_block = "evaluation"
            elif tag == "table" and "chart-grid" in cls:
                self.chart_grid(child)
            elif tag == "figure":
                self.figure(child, width=TEXT_WIDTH)
            else:
                self.blocks(child)

    def masthead(self, el) -> None:
        for child in el:
            cls = classes(child)
            if "publication" in cls:
                p = self.paragraph(spans(child), role="title", size=MASTHEAD_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER,
                                   indent=False, color=RED)
                p.paragraph_format.line_spacing = Pt(MASTHEAD_SIZE.pt * 1.4)
                for r in p.runs:
                    element(r._r.get_or_add_rPr(), "w:spacing", val=int(MASTHEAD_SIZE.pt * 0.2 * 20))
                snap_off(p)
            elif "issue" in cls:
                self.paragraph(spans(child), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
            elif "meta" in cls:
                parts = [s.text_content() for s in child]
                p = self.paragraph("\t".join(parts), indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
                p.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
                bottom_rule(p)
                p.paragraph_format.space_after = LINE_PITCH  # one line between the red rule and the title

    def attachments(self, el) -> None:
        """附件说明: 附件：1. … with each further item aligned under the first item's name."""
        lead = el.find("span")
        items = [d.text_content() for d in el.iter("div") if not len(d)]
        head = lead.text_content() if lead is not None else "附件："
        for i, item in enumerate(items):
            p = self.paragraph((head if i == 0 else "") + item, indent=False)
            pf = p.paragraph_format
            pf.left_indent = Pt((2 + len(head)) * BODY_SIZE.pt)
            pf.first_line_indent = Pt(-len(head) * BODY_SIZE.pt) if i == 0 else Pt(0)
            if i == 0:
                pf.space_before = LINE_PITCH  # one line below the text

    def attachment_section(self, el) -> None:
        """附件1/2 on landscape pages, as in the PDF."""
        if not self.landscape:
            section = self.doc.add_section(WD_SECTION.NEW_PAGE)
            self._page_setup(section, landscape=True)
            self.landscape = True
        else:
            self.break_before = True
        self.blocks(el)

    def evaluation_table(self, el) -> None:
        caption = el.find("caption")
        head = [th.text_content() for th in el.iter("th")]
        rows = [([td.text_content() for td in tr.iter("td")], classes(tr)) for tr in el.find("tbody")]
        if self.last_block == "evaluation":  # each unit type's table on its own page (CSS: table + table)
            self.break_before = True
        if caption is not None:
            p = self.paragraph(caption.text_content(), role="heading1", indent=False, size=Pt(12))
            p.paragraph_format.keep_with_next = True
            p.paragraph_format.line_spacing = Pt(20)
        self._pending_break()
        table = self.doc.add_table(rows=1 + len(rows), cols=len(head))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        margins = element(table._tbl.tblPr, "w:tblCellMar")
        for side in ("left", "right"):
            element(margins, f"w:{side}", w=int(CELL_MARGIN.twips), type="dxa")
        # landscape: the 版心 turned; each column as its longest cell, a long unit name wrapping (layout.column_widths)
        widths = [Mm(w) for w in column_widths(head, [v for v, _ in rows], TEXT_HEIGHT.mm, TABLE_SIZE.pt)]
        for column, width in zip(table.columns, widths):  # the grid (LibreOffice, WPS) and each cell (Word)
            column.width = width
        table_rows = list(table.rows)  # python-docx lists every row anew on each table.rows[i]: 500 rows at 10M
        tr_pr = table_rows[0]._tr.get_or_add_trPr()
        element(tr_pr, "w:tblHeader", val="true")
        made = {}  # a data row of plain cells per fill: the later ones are its copies with their text
        for r_i, (values, cls) in enumerate([(head, {"head"})] + rows):
            row = table_rows[r_i]
            shade = {"grade-B": "FFF6D8", "grade-C": "FDE6D6", "grade-D": "F9CFC4"}
            fill = "E8EDF5" if "head" in cls else next((shade[c] for c in cls if c in shade), None)
            plain = r_i and plain_cells(values)
            if plain and fill in made:
                row._tr.getparent().replace(row._tr, copied_row(made[fill], values))
                continue
            element(row._tr.get_or_add_trPr(), "w:cantSplit", val="true")
            cells = row.cells  # python-docx computes the list anew on every access
            for c_i, value in enumerate(values):
                cell = cells[c_i]
                cell.width = widths[c_i]
                # centred in the row's height as the PDF's cells (a wrapped name makes a row two lines high)
                element(cell._tc.get_or_add_tcPr(), "w:vAlign", val="center")
                p = cell.paragraphs[0]
                p.paragraph_format.first_line_indent = Pt(0)
                p.paragraph_format.line_spacing = Pt(TABLE_SIZE.pt * 1.15)
                p.alignment = WD_ALIGN_PARAGRAPH.LEFT if (c_i == 0 and r_i) else WD_ALIGN_PARAGRAPH.CENTER
                snap_off(p)
                run = p.add_run(value)
                set_run_fonts(run._r, "heading1" if r_i == 0 else "body")
                run.font.size = TABLE_SIZE
                if fill:
                    element(cell._tc.get_or_add_tcPr(), "w:shd", val="clear", color="auto", fill=fill)
            if plain:
                made[fill] = row._tr
        self.paragraph("", indent=False).paragraph_format.line_spacing = Pt(8)

    def _pending_break(self) -> None:
        """A table cannot carry a page break before: a hairline paragraph before it does."""
        if self.break_before:
            self.paragraph("", indent=False).paragraph_format.line_spacing = Pt(1)

    def chart_grid(self, el) -> None:
        """附件2: one borderless table, two charts a row as in the PDF (each at most CHART_HEIGHT high, a row
        never split across pages), so that the 附件 title and the first row share a page."""
        rows = [tr.findall(".//figure") for tr in el.findall(".//tr")]
        if not rows:
            return
        self._pending_break()
        table = self.doc.add_table(rows=len(rows), cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        width = Mm(TEXT_HEIGHT.mm / 2 - 4)  # the landscape 版心 halved, 2 mm padding each side (CSS)
        for row, figures in zip(table.rows, rows):
            element(row._tr.get_or_add_trPr(), "w:cantSplit", val="true")
            cells = row.cells
            for i, fig in enumerate(figures):
                cells[i].width = Mm(TEXT_HEIGHT.mm / 2)
                self.figure(fig, width=width, container=cells[i], max_height=CHART_HEIGHT)

    def figure(self, el, *, width, container=None, max_height=None) -> None:
        """A chart and its caption, spaced as the PDF's figure.chart: the picture on a line (WeasyPrint sets an
        image on the text's baseline, about 3 mm above the line's bottom), the caption 1 mm below, then 4 mm
        in a chart grid (6 mm under a lone chart, 4 mm above it)."""
        img = el.find(".//img")
        caption = el.find(".//figcaption")
        target = container if container is not None else self.doc
        src = img.get("src", "") if img is not None else ""
        after = CHART_GAP if container is not None else Mm(6)
        if src.startswith("data:image/png;base64,"):
            p = target.paragraphs[0] if container is not None else self.paragraph("", indent=False)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            pf = p.paragraph_format
            pf.first_line_indent = Pt(0)
            pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
            pf.space_before = Mm(0) if container is not None else Mm(4)
            pf.space_after = CHART_BASELINE_GAP
            # a lone chart keeps with its caption; in a grid the row does not split (in a table, Word would keep
            # the whole row with the next one)
            pf.keep_with_next = container is None
            snap_off(p)
            png = base64.b64decode(src.split(",", 1)[1])
            p.add_run().add_picture(io.BytesIO(png), **picture_size(png, width, max_height))
        if caption is not None:
            p = target.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            pf = p.paragraph_format
            pf.first_line_indent = Pt(0)
            pf.line_spacing = Pt(TABLE_SIZE.pt * 1.6)
            pf.space_before, pf.space_after = Mm(1), after
            snap_off(p)
            r = p.add_run(caption.text_content())
            set_run_fonts(r._r, "body")
            r.font.size = TABLE_SIZE
