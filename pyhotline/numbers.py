"""Exact rounding and the bulletin's number formats.

Official figures are rounded half-up with :mod:`decimal`; floats never carry
a published figure.
"""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, localcontext


def quantize(value: Decimal, decimals: int, mode: str = ROUND_HALF_UP) -> Decimal:
    """Round ``value`` to ``decimals`` places with the given :mod:`decimal` mode."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=mode)


def percent(numerator: int, denominator: int, decimals: int = 2, mode: str = ROUND_HALF_UP) -> Decimal:
    """``numerator / denominator`` as a percentage, rounded to ``decimals`` places.

    A zero denominator gives 0 (nothing to rate, nothing wrong).
    """
    if denominator == 0:
        return quantize(Decimal(0), decimals, mode)
    with localcontext() as ctx:
        ctx.prec = 50
        exact = Decimal(int(numerator)) * 100 / Decimal(int(denominator))
    return quantize(exact, decimals, mode)


def plain(value: Decimal | int | None, *, keep_zeros: bool = False) -> str:
    """Print a figure the way the bulletin does: as rounded with ``keep_zeros`` (84.20, 100.00; the
    scheme's ``rounding.keep_trailing_zeros``, true unless the scheme says false), else without trailing
    zeros (97.90 -> 97.9, 100.00 -> 100, the 平江 reference). Callers pass the scheme's setting
    (:func:`printers`); the bare default serves scheme values such as weights and deductions ("0.3")."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    if keep_zeros:
        return text[1:] if text.startswith("-") and not value else text
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def pct(value: Decimal | None, *, keep_zeros: bool = False) -> str:
    """A percentage as printed: ``20.88%``, ``97.9%``, ``100%`` (``100.00%`` with ``keep_zeros``);
    ``—`` when not applicable."""
    return "—" if value is None else plain(value, keep_zeros=keep_zeros) + "%"


def printers(scheme):
    """``(pct, plain)`` printing as ``scheme`` says (``rounding.keep_trailing_zeros``): for a module
    that prints several figures of one scheme, ``pct, plain = printers(scheme)``."""
    from functools import partial

    zeros = bool(getattr(scheme, "keep_trailing_zeros", True))
    return partial(pct, keep_zeros=zeros), partial(plain, keep_zeros=zeros)


def unit_type_label(group: str) -> str:
    """A 单位类型 as every displayed place writes it (text, appendix, charts, evaluation.xlsx): the scheme's
    name with full-width brackets, 乡镇(街道) -> 乡镇（街道）. Computing keeps the scheme's spelling."""
    return str(group).replace("(", "（").replace(")", "）")


#: Width of a chart's row label, in display units (a CJK or other wide character counts 2, others 1).
LABEL_WIDTH = 28
ELLIPSIS = "…"


def display_width(text: str) -> int:
    """Display units of ``text``: 2 for a wide or full-width character (``unicodedata.east_asian_width``
    W or F: Chinese, full-width brackets), 1 for any other."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def chart_label(name: str, width: int = LABEL_WIDTH) -> str:
    """``name`` as a chart's row label: unchanged when it fits ``width`` display units, else its start
    cut so that, with "…", it fits (a 10,000-character category gives a label as wide as a short one)."""
    name = str(name)
    if len(name) * 2 <= width or display_width(name) <= width:
        return name
    room, used, out = width - display_width(ELLIPSIS), 0, []
    for ch in name:
        w = display_width(ch)
        if used + w > room:
            break
        out.append(ch)
        used += w
    return "".join(out) + ELLIPSIS
