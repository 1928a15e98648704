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
