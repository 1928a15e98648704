"""bulletin.docx printed by LibreOffice, as on an office machine without the official fonts, and the page plan
of a PDF: shared by tests/test_word.py, tests/test_bulletin.py and tests/test_county2.py (issue 13: the Word
file prints with the same layout as the PDF)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

needs_libreoffice = pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm")),
                                       reason="LibreOffice (soffice) or poppler-utils is not installed")


def libreoffice_pdf(docx: Path, out: Path) -> Path:
    """Convert with LibreOffice, the official fonts standing in for by the packaged Noto CJK (as on an
    office machine without them), in a private profile."""
    from pyhotline import word
    from pyhotline.fonts import find_cjk_face

    out.mkdir(parents=True, exist_ok=True)
    fonts = out / "fonts"
    fonts.mkdir(exist_ok=True)
    serif, sans = find_cjk_face("serif"), find_cjk_face("sans")
    for face in (serif, sans):
        link = fonts / face.path.name
        if not link.exists():
            link.symlink_to(face.path)
    aliases = "".join(
        f'<alias binding="same"><family>{name}</family><prefer><family>{sans.family if "黑" in name else serif.family}'
        "</family></prefer></alias>"
        for name, _ in word.FONTS.values()
    )
    conf = out / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd"><fontconfig>'
        f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>{fonts}</dir>'
        f"<cachedir>{out / 'fc-cache'}</cachedir>{aliases}</fontconfig>",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "HOME": str(out)}
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), str(docx)],
        check=True, env=env, capture_output=True, timeout=300,
    )
    return out / (docx.stem + ".pdf")


def page_plan(pdf: Path) -> list[str]:
    """Each page as "portrait"/"landscape", with the attachment it opens ("landscape 附件2"): a line reading
    附件N alone (LibreOffice writes "附件 2", WeasyPrint "附件2")."""
    from pypdf import PdfReader

    plan = []
    for page in PdfReader(pdf).pages:
        box = page.mediabox
        kind = "portrait" if float(box.width) < float(box.height) else "landscape"
        opens = re.findall(r"^\s*(附件\s*\d)\s*$", page.extract_text(), re.M)
        plan.append(kind + "".join(" " + re.sub(r"\s+", "", o) for o in opens))
    return plan


def render_pages(pdf: Path, pages: list[int], out: Path) -> list[Path]:
    """The pages as PNG (poppler's pdftoppm, 50 dpi), to be looked at."""
    for n in pages:
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", str(n), "-l", str(n), str(pdf), str(out / f"{pdf.stem}-{n}")],
                       check=True, timeout=120)
    return sorted(out.glob(f"{pdf.stem}-*.png"))
