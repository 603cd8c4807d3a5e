"""Input limits: how much a report file may unpack to, and how many passages a question may ask for.

The limits on files are set by environment variables, for the rare corpus that needs more:
`QA_MAX_UNPACKED_MB` (XML inside a .docx, default 50) and `QA_MAX_PAGES` (pages of a PDF, default 500).
"""

from __future__ import annotations

import operator
import os
from pathlib import Path

MAX_K = 100  # passages a search or question may ask for
MAX_UNPACKED_MB = 50  # megabytes of XML a .docx may unpack to: a 300-page report is about 5
MAX_PAGES = 500  # pages of a PDF


def check_k(k) -> int:
    """`k` as an int when it is a whole number from 1 to MAX_K; else a ValueError saying so."""
    try:
        if isinstance(k, bool):
            raise TypeError
        value = operator.index(k)
    except TypeError:
        raise ValueError(f"k must be a whole number from 1 to {MAX_K}, not {k!r}") from None
    if not 1 <= value <= MAX_K:
        raise ValueError(f"k must be from 1 to {MAX_K}, not {value}")
    return value


def _limit(variable: str, default: int) -> int:
    value = os.environ.get(variable, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise ValueError(f"{variable}={value!r} is not a whole number: unset it or give one") from None


def check_archive(path: str | Path, *, max_unpacked_mb: int | None = None, max_pages: int | None = None) -> None:
    """Refuse a .docx that unpacks to more XML than the limit, or a PDF of more pages.

    Raises `qa.reading.document.UnreadableError` naming the size found, the limit and how to raise it.
    Both checks read only the file's directory (zip entries, PDF page tree), not its content.
    Other formats pass.
    """
    from qa.reading.document import UnreadableError

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        import zipfile

        limit = max_unpacked_mb if max_unpacked_mb is not None else _limit("QA_MAX_UNPACKED_MB", MAX_UNPACKED_MB)
        try:
            with zipfile.ZipFile(path) as archive:
                # zipfile never reads past an entry's declared size, so these sizes bound what parsing reads.
                unpacked = sum(info.file_size for info in archive.infolist() if info.filename.endswith((".xml", ".rels")))
        except (zipfile.BadZipFile, OSError) as err:
            raise UnreadableError(f"{path.name}: not a readable .docx ({err})") from err
        if unpacked > limit * 1_000_000:
            raise UnreadableError(f"{path.name}: unpacks to {unpacked / 1e6:.0f} MB of XML, over the limit of "
                                  f"{limit} MB; set QA_MAX_UNPACKED_MB to read it anyway")
    elif suffix == ".pdf":
        from pypdf import PdfReader

        limit = max_pages if max_pages is not None else _limit("QA_MAX_PAGES", MAX_PAGES)
        try:
            pages = len(PdfReader(str(path)).pages)
        except Exception as err:  # pypdf raises many types for damaged files
            raise UnreadableError(f"{path.name}: not a readable .pdf ({type(err).__name__})") from err
        if pages > limit:
            raise UnreadableError(f"{path.name}: {pages} pages, over the limit of {limit}; "
                                  "set QA_MAX_PAGES to read it anyway")
