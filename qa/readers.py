"""Report files to text lines: web pages, plain text, Word and PDF."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from qa.corpus import UnreadableError

_SENTENCE_END = "。！？；:：!?;"


def decode(data: bytes, name: str = "") -> str:
    """Bytes to text: UTF-8 first, then GB (GB2312/GBK/GB18030) or Big5, then a detector.

    GB18030 decodes almost any bytes, Big5 reports included, so it cannot be tried blindly:
    text that is valid in both is read in the one whose characters are the common ones.
    A result that still looks like mojibake is logged as a warning.
    """
    import logging

    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableError(f"{name}: looks binary, not a text report")
    candidates = {}
    for encoding in ("utf-8-sig", "gb18030", "cp950"):  # cp950: Big5 as Windows writes it
        try:
            candidates[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig":
            break  # bytes that are valid UTF-8 are UTF-8
    if candidates:
        encoding, text = max(candidates.items(), key=lambda item: _common_share(item[1])[0])
    else:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise UnreadableError(f"{name}: unknown text encoding")
        encoding, text = best.encoding, str(best)
    share, counted = _common_share(text)
    if share < MOJIBAKE and counted >= 50:
        logging.getLogger(__name__).warning(
            "%s: read as %s, but only %.0f%% of its characters are common Chinese ones: it may be mojibake; "
            "save it as UTF-8", name, encoding, 100 * share)
    return text


MOJIBAKE = 0.85  # below this share of common characters, decoded text is taken for mojibake


def _common_share(text: str) -> tuple[float, int]:
    """The share of the non-ASCII characters of `text` that are common: frequent simplified or
    traditional characters (GB2312 level 1, Big5 level 1) or CJK punctuation; and how many were counted.

    Real reports score 0.99 or more; a Big5 report read as GB18030 (kana, box drawing, rare
    characters) 0.35.
    """
    counted = common = 0
    for char in text[:20_000]:
        if char > "\x7f" and not char.isspace():
            counted += 1
            common += char in _common_characters() or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef"
    return (common / counted if counted else 1.0), counted


@functools.cache
def _common_characters() -> frozenset[str]:
    chars = set()
    for lead in range(0xB0, 0xD8):  # GB2312 level 1: the 3,755 most used simplified characters
        chars.update(bytes([lead, trail]).decode("gb2312", "ignore") for trail in range(0xA1, 0xFF))
    for lead in range(0xA4, 0xC7):  # Big5 level 1: the 5,401 most used traditional characters
        for trail in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]:
            chars.add(bytes([lead, trail]).decode("cp950", "ignore"))
    chars.discard("")
    return frozenset(chars)


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
