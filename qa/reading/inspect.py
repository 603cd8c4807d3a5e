"""How a file was read: characters, the share of its body that reached passages, headings, tables, metadata.

The body is measured against a second, plainer extraction of the same file (html-text
without table handling for web pages, pypdf for PDFs, the text runs of word/document.xml
for .docx, the lines as they are for text), so a reader that loses text shows it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from qa.reading.document import Document

WARN_BELOW = 0.9  # `qa build` and `qa add` warn when less of a file's body than this reached passages
# A date or time on a line of its own: a page's metadata, not its body.
_METADATA_VALUE = re.compile(r"^[\d\s:：/.年月日-]+$")
_NUMBER = re.compile(r"^-?\d[\d,.]*[%％]?$")


@dataclass(frozen=True)
class TableSummary:
    caption: str
    rows: int
    columns: int
    unit: str


@dataclass(frozen=True)
class Inspection:
    """What `qa inspect` prints for one file."""

    path: str
    characters: int  # characters of cleaned text read
    coverage: float  # share of the body's characters that reached passages (0–1)
    passages: int
    headings: list[str]  # the top two heading levels, in reading order ("一、…", "一、… / （一）…")
    tables: list[TableSummary]
    title: str
    region: str
    places: tuple[str, ...]  # the region and its parents
    year: str
    publisher: str
    published: str
    url: str
    missing: list[str] = field(default_factory=list)  # body lines that reached no passage, longest first


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text))


def _plain_lines(path: Path) -> list[str]:
    """The file's text by a plainer road than the reader's."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        from pypdf import PdfReader

        return [line for page in PdfReader(str(path)).pages for line in (page.extract_text() or "").splitlines()]
    if suffix == ".docx":
        import zipfile

        from lxml import etree

        with zipfile.ZipFile(path) as archive:
            root = etree.fromstring(archive.read("word/document.xml"))
        ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
        return ["".join(p.xpath(".//w:t/text()", namespaces=ns)) for p in root.iter(f"{{{ns['w']}}}p")]
    from qa.reading.readers import decode

    raw = decode(path.read_bytes(), path.name)
    if suffix in (".html", ".htm") or re.match(r"\s*(<!doctype html|<html)", raw[:200], re.IGNORECASE):
        import html_text

        return html_text.extract_text(raw, guess_layout=True).splitlines()
    return raw.splitlines()


def coverage(path: Path, doc: Document, passages) -> tuple[float, list[str]]:
    """Share of the body characters of `path` that reached `passages` (their text, sections or the title),
    and the body lines that did not.

    Body lines are the plain extraction's lines less page furniture and the boilerplate `clean` drops;
    a line of table cells counts when one passage holds its words and numbers in order.
    """
    from qa.reading.cleaning import _BOILERPLATE, _DATE, _LABEL, _SOURCE
    from qa.reading.furniture import is_page_number

    # Each passage squashed once: a line of cells is looked for in every passage.
    texts = [(p.text, _squash(p.text)) for p in passages]
    hay = "".join(squashed for _, squashed in texts) + "\n" \
        + "\n".join(_squash(s) for s in {p.section for p in passages}) + _squash(doc.title)
    reached = total = 0
    missing = []
    for line in _plain_lines(path):
        line = line.strip()
        size = len(_squash(line))
        if size < 4 or is_page_number(line) or _BOILERPLATE.search(line) or _LABEL.match(line) \
                or _METADATA_VALUE.match(line) or (len(line) < 80 and (_SOURCE.search(line) or _DATE.search(line))):
            continue
        if _cells_reached(line, texts, hay):
            reached += size
            total += size
            continue
        # Sentence by sentence: a heading's words stand in sections, its paragraph's in passages.
        for piece in re.split(r"(?<=[。；！？!?;])|\s[|｜]\s", line):
            squashed = _squash(piece)
            total += len(squashed)
            if squashed in hay:
                reached += len(squashed)
            elif squashed:
                missing.append(piece)
    return (reached / total if total else 1.0), sorted(missing, key=len, reverse=True)


def _cells_reached(line: str, texts: list[tuple[str, str]], hay: str) -> bool:
    """A line of table cells stands in one passage (of `texts`, each as written and squashed): its words
    anywhere in it, its numbers in order."""
    tokens = [t for t in re.split(r"[\s|｜]+", line) if _squash(t)]
    if len(tokens) < 2:
        return False
    words = [_squash(t) for t in tokens if not _NUMBER.match(t)]
    numbers = [unicodedata.normalize("NFKC", t).replace(",", "") for t in tokens if _NUMBER.match(t)]
    if not numbers:
        return all(w in hay for w in words)  # a header line: its labels stand over the row units
    for text, squashed in texts:
        if all(w in squashed for w in words):
            position = 0
            plain = unicodedata.normalize("NFKC", text).replace(",", "")
            for number in numbers:
                found = re.search(rf"(?<![\d.]){re.escape(number)}(?![\d.])", plain[position:])
                if not found:
                    break
                position += found.end()
            else:
                return True
    return False


def inspect(path: str | Path) -> Inspection:
    """Read one report file as `qa build` would and say how it went."""
    from qa.reading.passages import split
    from qa.reading.readers import read_blocks
    from qa.reading.cleaning import clean

    path = Path(path)
    reading = read_blocks(path)
    doc = clean(reading.blocks, source=path.name, title=reading.title, url=reading.url)
    passages = split(doc)
    share, missing = coverage(path, doc, passages)
    headings = []
    for passage in passages:
        top = " / ".join(passage.section.split(" / ")[:2])
        if top and top not in headings:
            headings.append(top)
    return Inspection(
        path=str(path), characters=len(doc.text), coverage=share, passages=len(passages), headings=headings,
        tables=[TableSummary(t["caption"], t["rows"], len(t["columns"]), t["unit"]) for t in doc.tables],
        title=doc.title, region=doc.region, places=tuple(doc.places), year=doc.year, publisher=doc.publisher,
        published=doc.published, url=doc.url, missing=missing[:10])


def describe(report: Inspection) -> str:
    """The inspection as lines for a terminal."""
    place = " < ".join(report.places) or "(none found)"
    lines = [
        report.path,
        f"  title      {report.title}",
        f"  region     {place}",
        f"  year       {report.year or '(none found)'}",
        f"  publisher  {report.publisher or '-'}   published {report.published or '-'}",
        f"  url        {report.url or '-'}",
        f"  read       {report.characters} characters, {report.passages} passages, "
        f"{report.coverage:.1%} of the body in passages",
    ]
    if report.coverage < WARN_BELOW:
        lines.append(f"  WARNING    less than {WARN_BELOW:.0%} of the body reached passages")
    lines += [f"  missing    {m[:70]}" for m in report.missing[:5]]
    lines.append(f"  headings   {len(report.headings)}")
    lines += [f"    {h[:70]}" for h in report.headings[:30]]
    lines.append(f"  tables     {len(report.tables)}")
    lines += [f"    {t.caption or '(no caption)'}: {t.rows} rows × {t.columns} columns"
              + (f" ({t.unit})" if t.unit else "") for t in report.tables]
    return "\n".join(lines)
