"""Report files to text lines: web pages, plain text, Word and PDF."""

from __future__ import annotations

import functools
import itertools
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from qa.reading.blocks import Block, Table
from qa.reading.document import UnreadableError
from qa.reading.tables import unspace

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


# Elements that hold no report text; a saved page's site chrome.
_CHROME = ("script", "style", "noscript", "nav", "header", "footer", "form", "head", "select", "button")
_PLACEHOLDER = re.compile(r"^\s*\u2063T(\d+)\u2063\s*$")  # stands where a table was, until its rows are read
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->")


@dataclass(frozen=True)
class Reading:
    """A report file as read: text lines and tables in reading order, and what the file says about itself."""

    blocks: list[Block]
    title: str = ""  # the title the file names (HTML <title>/<h1>), "" when it names none
    url: str = ""  # where a saved web page came from


def _html(raw: str) -> Reading:
    """A web page as a browser shows it: inline runs joined into their block, tables as tables.

    html-text does the block/inline layout (one `<span>` per run, as Word exports, reads as one line).
    """
    import html_text
    from bs4 import BeautifulSoup
    from lxml import etree

    from qa.reading.tables import CELL_BREAK, grid_blocks, html_table_grid, is_layout, mark_cell_breaks, \
        split_pipe_tables, tab_rows

    saved = _SAVED_FROM.search(raw[:2000])
    tree = html_text.parse_html(raw)
    title = " ".join(" ".join(tree.xpath("//title//text()")).split())
    url = saved.group(1) if saved else next(iter(tree.xpath(
        "//link[@rel='canonical']/@href | //meta[@property='og:url']/@content")), "")
    # Both the page's <title> and its first big heading may carry the site's name; `clean` picks the part
    # that stands as a line of the report.
    heading = next((" ".join(h.text_content().split()) for h in tree.iter("h1", "h2") if h.text_content().strip()), "")
    title = " | ".join(t for t in (title, heading) if t)
    for element in list(tree.iter(*_CHROME)):
        element.drop_tree()
    for element in tree.iter():
        element.text = element.text and mark_cell_breaks(element.text)
        element.tail = element.tail and mark_cell_breaks(element.tail)
    grids = []
    # Innermost tables only: sites lay whole pages out in tables around the ones that hold data.
    for table in [t for t in tree.iter("table") if not t.xpath(".//table")]:
        grid = html_table_grid(BeautifulSoup(etree.tostring(table, encoding="unicode"), "html.parser").table)
        if is_layout(grid):
            continue  # a page laid out in one: its paragraphs stay paragraphs
        marker = etree.Element("p")
        marker.text = f"\u2063T{len(grids)}\u2063"
        grids.append(grid)
        table.getparent().replace(table, marker)
    blocks: list[Block] = []
    lines: list[str] = []  # text lines since the last table, read for tab-separated rows when it comes

    def flush() -> None:
        found = [line for line in lines if line]
        # Only where tabs separate cells: a line of links "首页 | 新闻" is no table.
        blocks.extend(split_pipe_tables(tab_rows(found)) if any(CELL_BREAK in line for line in found) else found)
        lines.clear()

    for line in html_text.extract_text(tree, guess_layout=True).splitlines():
        placeholder = _PLACEHOLDER.match(line)
        if not placeholder:
            lines.append(unspace(line))
            continue
        flush()
        before = [b for b in blocks[-6:] if isinstance(b, str) and b]
        blocks += [b if isinstance(b, Table) else unspace(b)
                   for b in grid_blocks(grids[int(placeholder.group(1))], before=before)]
    flush()
    return Reading([b for b in blocks if b], title=title, url=url)


def _markdown(lines: list[str]) -> list[str]:
    """Markdown marks off: "# 标题" and "**一、岁入部分**" read as their words."""
    return [_MD_MARKS.sub("", line) for line in lines]


_MD_MARKS = re.compile(r"^\s{0,3}#{1,6}\s+|\*\*|__|<br\s*/?>")


def _pdf(path: Path) -> list[Block]:
    from qa.reading.furniture import remove_furniture
    from qa.reading.tables import read_pdf

    pages = read_pdf(path)
    blocks: list[Block] = []
    for page in remove_furniture(pages):
        blocks += page
    return unwrap(blocks)


def unwrap(blocks: list[Block]) -> list[Block]:
    """Join PDF lines that the page width broke, so paragraphs are whole again.

    A line continues the one before when that one ran to the full width of the
    page without ending a sentence, and neither starts with a list marker.
    """
    from qa.reading.passages import heading_level

    lines = [b for b in blocks if isinstance(b, str) and b.strip()]
    if not lines:
        return [b for b in blocks if not isinstance(b, str)]
    full = _full_width(lines)
    joined: list[Block] = []
    blank = False  # a blank line ends a paragraph (text files)
    for block in blocks:
        if not isinstance(block, str):
            joined.append(block)
            continue
        line = block.strip()
        if not line:
            blank = True
            continue
        previous = joined[-1] if joined and isinstance(joined[-1], str) and not blank else ""
        if _wrapped(previous, full) and heading_level(line) is None:
            joined[-1] = previous + line
        else:
            joined.append(line)
        blank = False
    return joined


def _full_width(lines: list[str]) -> int:
    lengths = sorted(len(line.strip()) for line in lines)
    return lengths[int(0.9 * (len(lengths) - 1))]


def _wrapped(line: str, full: int) -> bool:
    """A line the width broke: it runs to the full width without ending a sentence, and is no row of numbers
    ("156.23 114.82 21.54 …（万人）", a table's line that the paragraph after it does not continue)."""
    words = sum("\u4e00" <= c <= "\u9fff" for c in line)
    return bool(line) and len(line) >= 0.8 * full and line[-1] not in _SENTENCE_END and words >= 0.2 * len(line)


def hard_wrapped(lines: list[str]) -> bool:
    """A text file whose paragraphs run over several lines of one width (text copied from a PDF), not one line
    each: most of its full-width lines end mid-sentence."""
    lines = [line.strip() for line in lines if line.strip() and "|" not in line]
    if len(lines) < 10:
        return False
    full = _full_width(lines)
    wide = [line for line in lines if len(line) >= 0.8 * full]
    return sum(_wrapped(line, full) for line in wide) > 0.5 * len(wide)


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


def read_blocks(path: Path) -> Reading:
    """The text lines and tables of a report file, in reading order."""
    from qa.reading.limits import check_archive
    from qa.reading.tables import mark_cell_breaks, read_docx

    suffix = path.suffix.lower()
    try:
        if suffix in (".docx", ".pdf"):
            check_archive(path)  # a zip bomb or a 10,000-page PDF is refused before it is unpacked
        if suffix == ".docx":
            return Reading([b if isinstance(b, Table) else unspace(b) for b in read_docx(path)])
        if suffix == ".pdf":
            return Reading(_pdf(path))
        if suffix == ".doc":
            return Reading(_doc(path))
    except UnreadableError:
        raise
    except Exception as err:  # a damaged file of any of these formats
        raise UnreadableError(f"{path.name}: cannot read this {suffix} file ({type(err).__name__})") from err
    raw = decode(path.read_bytes(), path.name)
    if suffix in (".html", ".htm") or re.match(r"\s*(<!doctype html|<html)", raw[:200], re.IGNORECASE):
        return _html(raw)
    lines = [unspace(mark_cell_breaks(line)) for line in raw.splitlines()]
    if suffix == ".md":
        lines = _markdown(lines)
    blocks = _text_blocks(raw.splitlines(), markdown=suffix == ".md")
    return Reading(unwrap(blocks) if hard_wrapped(lines) else blocks)


def _text_blocks(printed: list[str], *, markdown: bool) -> list[Block]:
    """A text file's lines as blocks: tables without rules read while the spaces between their cells stand,
    then pipe and tab tables among the other lines, spaces next to Chinese dropped."""
    from qa.reading.tables import mark_cell_breaks, split_pipe_tables, tab_rows, unruled_tables

    def clean(line: str) -> str:
        line = unspace(mark_cell_breaks(line))
        return _markdown([line])[0] if markdown else line

    blocks: list[Block] = []
    for is_table, group in itertools.groupby(unruled_tables(printed), key=lambda b: isinstance(b, Table)):
        run = list(group)
        blocks += run if is_table else split_pipe_tables(tab_rows([clean(line) for line in run]))
    return blocks
