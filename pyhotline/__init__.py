"""pyhotline: from 12345 hotline and mailbox records to the monthly supervision bulletin (督查通报)."""

from .errors import (
    BulletinError,
    FontError,
    InputError,
    MissingColumnError,
    MonthError,
    NotesError,
    PyhotlineError,
    SchemeError,
    UnknownUnitError,
)
from .io import load_letters, load_orders, load_units
from .metrics import parse_month
from .notes import Notes, load_notes
from .report import Dataset, MonthlyReport, appendix_table, load_dataset, monthly_report
from .scheme import Scheme, load_scheme
from .store import load_month
from .store.scheme_memory import load_store_scheme
from .period import PeriodReport, parse_period, period_report
from .period_load import load_period, period_notes
from .trends import trend_for

__version__ = "0.1.0"

__all__ = [
    "BulletinError", "Dataset", "FontError", "InputError", "MissingColumnError", "MonthError",
    "MonthlyReport", "Notes", "NotesError", "PyhotlineError", "Scheme", "SchemeError", "UnknownUnitError",
    "appendix_table", "load_dataset", "load_letters", "load_month", "load_notes", "load_orders", "load_scheme",
    "load_store_scheme", "load_units", "monthly_report",
    "parse_month", "PeriodReport", "load_period", "parse_period", "period_notes", "period_report", "trend_for",
]
