"""Input limits: how much a report file may unpack to, and how many passages a question may ask for (and that it
is a str).

The limits on files are set by environment variables, for the rare corpus that needs more:
`QA_MAX_UNPACKED_MB` (all the parts of a .docx together, default 100), `QA_MAX_PART_MB` (one part, default 50),
`QA_MAX_RATIO` (how many times its packed size one part may unpack to, default 100) and `QA_MAX_PAGES` (pages of a
PDF, default 500).
"""

from __future__ import annotations

import operator
import os
from pathlib import Path

MAX_K = 100  # passages a search or question may ask for
# python-docx loads every part a .docx links (XML, images, fonts) into memory, so every part counts.
MAX_UNPACKED_MB = 100  # megabytes a .docx may unpack to, all parts: the wild set's largest is 3.5 (fonts and XML)
MAX_PART_MB = 50  # megabytes one part may unpack to: a 300-page report's document.xml is about 5
# Unpacked over packed size of one part above RATIO_FROM bytes: real document.xml reach 18.5 (a table-heavy
# budget), a zip bomb's part thousands.
MAX_RATIO = 100
RATIO_FROM = 1_000_000
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


def check_question(question) -> str:
    """`question` when it is a str; else a ValueError saying so (`None` would fail deep inside with a TypeError)."""
    if not isinstance(question, str):
        raise ValueError(f"question must be a str, not {type(question).__name__}")
    return question


def _limit(variable: str, default: int) -> int:
    value = os.environ.get(variable, "")
    try:
        return int(value) if value else default
    except ValueError:
        raise ValueError(f"{variable}={value!r} is not a whole number: unset it or give one") from None


def check_archive(path: str | Path, *, max_unpacked_mb: int | None = None, max_part_mb: int | None = None,
                  max_ratio: int | None = None, max_pages: int | None = None) -> None:
    """Refuse a .docx that unpacks to too much, or a PDF of too many pages.

    A .docx is refused when all its parts together (any name, any case: XML, images, fonts) unpack to more
    than `max_unpacked_mb`, one part to more than `max_part_mb`, or one part of over a megabyte to more than
    `max_ratio` times its packed size. Raises `qa.reading.document.UnreadableError` naming the size found,
    the limit and how to raise it. Both checks read only the file's directory (zip entries, PDF page tree),
    not its content. Other formats pass.
    """
    from qa.reading.document import UnreadableError

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        _check_docx(path, total=_given(max_unpacked_mb, "QA_MAX_UNPACKED_MB", MAX_UNPACKED_MB),
                    part=_given(max_part_mb, "QA_MAX_PART_MB", MAX_PART_MB),
                    ratio=_given(max_ratio, "QA_MAX_RATIO", MAX_RATIO))
    elif suffix == ".pdf":
        from pypdf import PdfReader

        limit = _given(max_pages, "QA_MAX_PAGES", MAX_PAGES)
        try:
            pages = len(PdfReader(str(path)).pages)
        except Exception as err:  # pypdf raises many types for damaged files
            raise UnreadableError(f"{path.name}: not a readable .pdf ({type(err).__name__})") from err
        if pages > limit:
            raise UnreadableError(f"{path.name}: {pages} pages, over the limit of {limit}; "
                                  "set QA_MAX_PAGES to read it anyway")


def _given(value: int | None, variable: str, default: int) -> int:
    return value if value is not None else _limit(variable, default)


def _check_docx(path: Path, *, total: int, part: int, ratio: int) -> None:
    """The .docx rules of `check_archive`, from the zip's central directory."""
    import zipfile

    from qa.reading.document import UnreadableError

    try:
        with zipfile.ZipFile(path) as archive:
            # zipfile never reads past an entry's declared size, so these sizes bound what any reader unpacks.
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as err:
        raise UnreadableError(f"{path.name}: not a readable .docx ({err})") from err
    for member in members:
        size = member.file_size
        if size > part * 1_000_000:
            raise UnreadableError(f"{path.name}: its part {member.filename} unpacks to {size / 1e6:.0f} MB, over "
                                  f"the limit of {part} MB a part; set QA_MAX_PART_MB to read it anyway")
        if size > RATIO_FROM and size > ratio * max(member.compress_size, 1):
            raise UnreadableError(f"{path.name}: its part {member.filename} unpacks to {size / 1e6:.0f} MB from "
                                  f"{member.compress_size / 1e6:.2f} MB, over {ratio} times its packed size (a zip "
                                  f"bomb?); set QA_MAX_RATIO to read it anyway")
    unpacked = sum(member.file_size for member in members)
    if unpacked > total * 1_000_000:
        raise UnreadableError(f"{path.name}: unpacks to {unpacked / 1e6:.0f} MB, over the limit of {total} MB; "
                              "set QA_MAX_UNPACKED_MB to read it anyway")
