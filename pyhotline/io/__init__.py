"""Reading platform exports: work orders, letters and the units registry.

The accepted format is documented in ``docs/input-format.md``. Readers accept
CSV (UTF-8, UTF-8 with BOM, GB18030/GBK, detected), XLSX and Parquet, find the
header row below any title rows, map header variants to the documented names,
keep only the documented columns (personal columns such as 来电人, 联系电话 and
诉求内容 are dropped right here and never travel further), parse and check
every value, and raise :class:`~pyhotline.errors.InputError` naming file, row
and column for anything wrong.

Internally columns carry English names; values stay as the platform writes
them (派单, 满意, 县直单位 ...).

One module per job, in the order data goes through them:

- :mod:`.formats` (with :mod:`.csvfile`, :mod:`.excel`): raw files to tables of cells;
- :mod:`.columns`: the documented columns, header variants, the header row;
- :mod:`.values`, :mod:`.times`: cells to typed values, each bad cell reported;
- :mod:`.registry`: the units registry and name resolution;
- :mod:`.loaders`: :func:`load_orders`, :func:`load_letters`, :func:`load_units`;
- :mod:`.problems`: raising or gathering problems (``collecting``), :class:`FileQuality`.
"""

from .columns import (
    FLAG_VALUES,
    HEADER_ALIASES,
    LETTER_COLUMNS,
    LOCAL_TIMEZONE,
    ORDER_COLUMNS,
    PERSONAL_HEADERS,
    UNIT_COLUMNS,
    VISITED,
    Column,
    normalize_text,
)
from .csvfile import _read_csv_arrow
from .excel import _read_xlsx
from .formats import read_table
from .loaders import direct_with_unit_warning, load_letters, load_orders, load_units, visited_open_warning
from .problems import MAX_ROWS_PER_PROBLEM, FileQuality, _warn_or_fail, collecting
from .registry import Registry
from .times import EARLIEST, LATEST, USUAL_DATETIME, _usual_times_side_by_side, parse_datetimes

__all__ = [
    "EARLIEST",
    "FLAG_VALUES",
    "HEADER_ALIASES",
    "LATEST",
    "LETTER_COLUMNS",
    "LOCAL_TIMEZONE",
    "MAX_ROWS_PER_PROBLEM",
    "ORDER_COLUMNS",
    "PERSONAL_HEADERS",
    "UNIT_COLUMNS",
    "USUAL_DATETIME",
    "VISITED",
    "Column",
    "FileQuality",
    "Registry",
    "collecting",
    "direct_with_unit_warning",
    "load_letters",
    "load_orders",
    "load_units",
    "normalize_text",
    "parse_datetimes",
    "read_table",
    "visited_open_warning",
]
