"""Report files to text lines: web pages, plain text, Word and PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from qa.corpus import UnreadableError

_SENTENCE_END = "。！？；:：!?;"


def decode(data: bytes, name: str = "") -> str:
    """Bytes to text: UTF-8 first, then GBK-family pages, then a detector."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableError(f"{name}: looks binary, not a text report")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableError(f"{name}: unknown text encoding")
    return str(best)


def _html(raw: str) -> tuple[str, list[str]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "form", "head"]):
        tag.decompose()
    heading = soup.find(["h1", "h2"])
    if heading and heading.get_text(strip=True):
        title = heading.get_text(" ", strip=True)
    return title, soup.get_text("\n").splitlines()


def _docx(path: Path) -> list[str]:
    import docx

    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += ["，".join(cell.text.strip() for cell in row.cells) for row in table.rows]
    return lines


_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
# PDF text puts spaces around Latin letters and digits in Chinese ("维持 13 宗"); Chinese has none.
_CJK_SPACE = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")


def _pdf(path: Path) -> list[str]:
    from pypdf import PdfReader

    lines: list[str] = []
    for page in PdfReader(str(path)).pages:
        lines += (page.extract_text() or "").splitlines()
    return unwrap([_CJK_SPACE.sub("", line) for line in lines])


def unwrap(lines: list[str]) -> list[str]:
    """Join PDF lines that the page width broke, so paragraphs are whole again.

    A line continues the one before when that one ran to the full width of the
    page without ending a sentence, and neither is a heading.
    """
    from qa.passages import heading_level

    lines = [line.strip() for line in lines if line.strip()]
    if not lines:
        return []
    lengths = sorted(len(line) for line in lines)
    full = lengths[int(0.9 * (len(lengths) - 1))]
    joined: list[str] = []
    for line in lines:
        previous = joined[-1] if joined else ""
        wrapped = len(previous) >= 0.8 * full and previous[-1] not in _SENTENCE_END
        if wrapped and heading_level(line) is None and heading_level(previous) is None:
            joined[-1] = previous + line
        else:
            joined.append(line)
    return joined


def _doc(path: Path) -> list[str]:
    """Old Word files need a converter on the machine: antiword, or LibreOffice headless."""
    if shutil.which("antiword"):
        result = subprocess.run(["antiword", "-m", "UTF-8.txt", str(path)], capture_output=True, timeout=120)
        if result.returncode == 0:
            return decode(result.stdout, path.name).splitlines()
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office:
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([office, "--headless", "--convert-to", "txt:Text", "--outdir", out, str(path)],
                           capture_output=True, timeout=300)
            converted = Path(out) / (path.stem + ".txt")
            if converted.is_file():
                return decode(converted.read_bytes(), path.name).splitlines()
    raise UnreadableError(f"{path.name}: .doc needs a converter: apt-get install antiword (or libreoffice)")


def read_lines(path: Path) -> tuple[str, list[str]]:
    """(title if the file names one, text lines) of a report file."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".docx":
            return "", _docx(path)
        if suffix == ".pdf":
            return "", _pdf(path)
        if suffix == ".doc":
            return "", _doc(path)
    except UnreadableError:
        raise
    except Exception as err:  # a damaged file of any of these formats
        raise UnreadableError(f"{path.name}: cannot read this {suffix} file ({type(err).__name__})") from err
    raw = decode(path.read_bytes(), path.name)
    if suffix in (".html", ".htm") or re.match(r"\s*(<!doctype html|<html)", raw[:200], re.IGNORECASE):
        return _html(raw)
    return "", raw.splitlines()
