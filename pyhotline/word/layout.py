"""The measures of the bulletin's page in 公文 layout (GB/T 9704-2012; docs/layout.md), for the DOCX."""

from __future__ import annotations

from docx.shared import Mm, Pt, RGBColor

#: Fonts by role: the 公文 name first, then the alternative Word/WPS substitute when it is missing.
FONTS = {
    "body": ("仿宋_GB2312", "仿宋"),
    "title": ("方正小标宋简体", "宋体"),
    "heading1": ("黑体", "SimHei"),
    "heading2": ("楷体_GB2312", "楷体"),
    "page_number": ("宋体", "SimSun"),
}
RED = RGBColor(0xC0, 0x00, 0x00)
PAGE = (Mm(210), Mm(297))
TOP, LEFT = Mm(37), Mm(28)  # 天头, 订口
TEXT_WIDTH, TEXT_HEIGHT = Mm(156), Mm(225)  # 版心
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
MASTHEAD_SIZE = Pt(42)  # 初号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
TABLE_SIZE = Pt(10.5)  # 5号
LINES, CHARS = 22, 28
#: 225 mm / 22 lines in twips, as Word writes it (579 twips = 28.95 pt).
LINE_PITCH_TWIPS = int(TEXT_HEIGHT.twips / LINES)
LINE_PITCH = Pt(LINE_PITCH_TWIPS / 20)
#: Character spacing of body text in twentieths of a point: -0.25 pt, 28 × 15.75 pt ≤ 156 mm.
CHAR_SPACING_TWENTIETHS = -5
#: The page number's line starts 7 mm below the 版心; Word measures the footer from the page's bottom edge.
PAGE_NUMBER_GAP = Mm(7)
#: Landscape attachment pages: the portrait 版心 turned (225 × 156 mm), the binding edge at the top.
LANDSCAPE_MARGINS = {"top": Mm(28), "bottom": Mm(26), "left": Mm(37), "right": Mm(35)}
#: Charts in 附件2 at most 110 mm high, as the PDF's `.chart-grid figure.chart img { max-height: 110mm }`.
CHART_HEIGHT = Mm(110)
#: Below a chart's picture, as in the PDF: the image sits on the baseline of a 28.95 pt line of 16 pt text
#: (about 3 mm of the line below it); under each caption 4 mm (`.chart-grid figure.chart { margin: 0 0 4mm }`).
CHART_BASELINE_GAP = Mm(3)
CHART_GAP = Mm(4)
#: Table cells' left and right margins (the PDF's `padding: 0.2mm 0.8mm`).
CELL_MARGIN = Mm(0.8)


def text_width_mm(text: str, size_pt: float) -> float:
    """About how wide ``text`` sets on one line: a Chinese character or full-width mark one em, anything else
    0.55 em (digits, Latin letters, %, - and : of the tables' numbers and times)."""
    em = size_pt * 25.4 / 72
    return sum(em if ord(c) >= 0x2E80 else 0.55 * em for c in text)


#: The unit name's column keeps a name of up to this many characters on one line (CSS ``min-width: 13em`` of
#: ``table.evaluation td:first-child``); a longer name wraps rather than squeezing the numbers.
NAME_MIN_CHARS = 13


def column_widths(head: list[str], rows: list[list[str]], total_mm: float, size_pt: float) -> list[float]:
    """Column widths in mm as the PDF's automatic table layout gives them: each column as wide as its longest
    cell on one line (a header may wrap, three characters a line), what is left shared equally. When that does
    not fit, the first column (the unit's name) gives way, down to ``NAME_MIN_CHARS`` characters a line (its
    name wraps), so that "100.00%", "97.78%" or "不合格" never split; only past that are all narrower in
    proportion."""
    em = size_pt * 25.4 / 72
    slack = 2 * CELL_MARGIN.mm + 0.8
    need = []
    for i, name in enumerate(head):
        longest = max((text_width_mm(r[i], size_pt) for r in rows if i < len(r)), default=0.0)
        need.append(max(longest, min(text_width_mm(name, size_pt), 3 * em)) + slack)
    spare = total_mm - sum(need)
    if spare < 0 and need:
        floor = min(need[0], NAME_MIN_CHARS * em + slack)
        need[0] = max(floor, need[0] + spare)
        spare = total_mm - sum(need)
    if spare < 0:
        return [n * total_mm / sum(need) for n in need]
    return [n + spare / len(need) for n in need]


def picture_size(png: bytes, width, max_height) -> dict:
    """A picture's size for python-docx: ``width``, or less so that it is at most ``max_height`` high (CSS
    max-height), from the PNG's own size (its IHDR)."""
    import struct

    w, h = struct.unpack(">II", png[16:24])
    if max_height is not None and width * h / w > max_height:
        return {"height": max_height}
    return {"width": width}
