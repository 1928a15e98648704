"""Notes said once per environment: a font skipped because it lacks digits or Latin letters (Debian's Droid
Sans Fallback) is harmless once skipped, so :mod:`pyhotline.fonts` says so on the first run in a Python
environment, not on every run. Notes that matter (characters no font has, a configured font lacking glyphs)
are not recorded and are given every time."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path


def notes_file() -> Path:
    """Where the notes said are recorded (one hash a line): ``$PYHOTLINE_NOTES_FILE``, else
    ``$XDG_CACHE_HOME/pyhotline/font-notes`` (``~/.cache/pyhotline/font-notes``)."""
    if os.environ.get("PYHOTLINE_NOTES_FILE"):
        return Path(os.environ["PYHOTLINE_NOTES_FILE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pyhotline" / "font-notes"


def seen_before(message: str) -> bool:
    """Whether ``message`` was already said in this environment (Python prefix) by this user; records it
    when not. A file that cannot be read or written counts as not seen: the note is given."""
    key = hashlib.sha256(f"{sys.prefix}\n{message}".encode()).hexdigest()
    path = notes_file()
    try:
        if key in path.read_text(encoding="ascii").split():
            return True
    except (OSError, UnicodeError):
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="ascii") as fh:
            fh.write(key + "\n")
    except OSError:
        pass
    return False
