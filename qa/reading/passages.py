"""Splitting a cleaned report into headed, sentence-window passages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.reading.document import Document

CHUNKER_VERSION = "21"  # reading and splitting: a new version reads every file again
MAX_CHARS = 160  # a window closes before it grows past this; long sentences split at commas

_CN_NUM = "一二三四五六七八九十百零〇"
# (marker pattern, level): 一、 > （一） > 1. > （1）
_NUMBERED = [
    (re.compile(rf"^[{_CN_NUM}]+\s*[、.．]"), 1),
    (re.compile(rf"^[（(]\s*[{_CN_NUM}]+\s*[)）]"), 2),
    (re.compile(r"^\d{1,2}\s*[.．、](?!\d)"), 3),
    (re.compile(r"^[（(]\s*\d{1,2}\s*[)）]"), 4),
]
_SENTENCE_END = "。！？；!?;"
_SENTENCE = re.compile(rf"[^{_SENTENCE_END}]*[{_SENTENCE_END}]+[”’\"』」)）]*|[^{_SENTENCE_END}]+$")
_BARE_TITLE_MAX = 40
# A chart's or table's caption ("图3 2021—2025年粮食产量（万吨）"): it names what stands under it, never a part.
_CAPTION = re.compile(r"^\s*(附?图|附?表)\s*\d")
# An appendix ("附表12", "附件2"): it ends the body, whose last heading is not its section.
APPENDIX = re.compile(r"^\s*附(表|件|图)\s*[\d一二三四五六七八九十]*\s*$")
BARE_LEVEL = 9  # below every numbered level
PART_LEVEL = 0  # above them: a bare title right over a run of numbered headings


@dataclass(frozen=True)
class Passage:
    """A few sentences of one paragraph, with where they stand."""

    doc: int  # position of the document in the index's document list
    text: str
    start: int
    end: int
    section: str


def heading_level(line: str) -> int | None:
    """The level of a numbered heading line, or None."""
    for pattern, level in _NUMBERED:
        if pattern.match(line):
            return level
    return None


def _is_bare_title(line: str) -> bool:
    """A short line of words ending no sentence; not a row of numbers ("大鹏新区5.05 2.58 2.47") or a unit note
    in brackets ("（万人）"), which a table left behind."""
    return len(line) <= _BARE_TITLE_MAX and not re.search(rf"[{_SENTENCE_END},，:：]\s*$", line) \
        and not re.search(r"\d[\d.,]*\s+\d", line) and not re.fullmatch(r"\s*[（(][^）)]*[)）]\s*", line)


def sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences in `text`, long ones cut at commas."""
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while end - start > MAX_CHARS:
            cut = max(text.rfind(c, start, start + MAX_CHARS) for c in ",，、")
            cut = cut + 1 if cut > start else start + MAX_CHARS
            spans.append((start, cut))
            start = cut
        if text[start:end].strip():
            spans.append((start, end))
    return [(offset + s, offset + e) for s, e in spans]


def _windows(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    for start, end in spans:
        if windows and end - windows[-1][0] <= MAX_CHARS:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _is_heading(head: str) -> bool:
    """A numbered line's first sentence is a heading when it is short and states no figure.

    "（一）坚持党的领导,抓好法治建设。一是…" opens with a heading; "1.国内增值税56378亿元，同比增长8%。"
    is an item of a list, body text with its number.
    """
    from qa.reading.figures import extract

    # Counts in Chinese numerals name things in titles ("十件民生实事"); written figures state results.
    return len(head) <= _BARE_TITLE_MAX and not any(f.unit and not f.chinese for f in extract(head))


def _heading_end(line: str) -> int | None:
    """Where the heading a numbered line opens with ends (its first sentence), or None when the line
    opens with none: not numbered, or a list item stating figures."""
    if heading_level(line) is None:
        return None
    end = next((i + 1 for i, c in enumerate(line) if c in _SENTENCE_END), len(line))
    return end if _is_heading(line[:end].rstrip(_SENTENCE_END)) else None


def split(doc: Document, doc_index: int = 0) -> list[Passage]:
    """Passages of `doc`: sentence windows inside one paragraph, never across a heading; one per table row.

    Every character of the body reaches a passage: a heading through the section of the passages under
    it, or, when nothing stands under it, as a passage of its own.
    """
    passages: list[Passage] = []
    path: dict[int, str] = {}
    bare: dict[int, int] = {}  # level -> where its heading line starts, for headings nothing stands under yet
    offset = 0

    def section() -> str:
        return " / ".join(path[lvl] for lvl in sorted(path))

    def emit(start: int, end: int, where: str) -> None:
        text = doc.text[start:end]
        lead = len(text) - len(text.lstrip())
        passages.append(Passage(doc_index, text.strip(), start + lead, start + lead + len(text.strip()), where))
        bare.clear()

    def emit_heading(level: int) -> None:
        emit(bare[level], bare[level] + len(path[level]), " / ".join(path[x] for x in sorted(path) if x < level))

    def set_heading(level: int, heading: str, start: int) -> None:
        nonlocal path
        if 1 < level < BARE_LEVEL and BARE_LEVEL in path and BARE_LEVEL not in bare \
                and not any(0 < above < level for above in path):
            # "2024年工作回顾", its paragraphs, then "（一）…" with no "一、" above: the bare title heads the run (a
            # bare line over "一、" is a byline or a greeting more often than a part).
            path = {PART_LEVEL: path[BARE_LEVEL]}
        deepest = max(bare, default=-1)
        if deepest >= level:
            # Replaced before anything stood under it: its words become a passage, whose section
            # carries the headings above it.
            emit_heading(deepest)
        path = {lvl: text for lvl, text in path.items() if lvl < level}
        path[level] = heading
        bare[level] = start

    lines = doc.text.split("\n")
    for number, line in enumerate(lines):
        line_start, offset = offset, offset + len(line) + 1
        if not line.strip():
            continue
        table = doc.table_at(line_start)
        if table is not None:
            # A table row is one unit, under its caption, whatever its length.
            caption, where = table["caption"], section()
            if caption and not where.endswith(caption):
                where = f"{where} / {caption}" if where else caption
            emit(line_start, line_start + len(line), where)
            continue
        body_start = line_start
        level = heading_level(line)
        head_end = _heading_end(line)
        if head_end is not None:
            # "（一）坚持党的领导,抓好法治建设。一是…": the heading is the first sentence.
            set_heading(level, line[:head_end].rstrip(_SENTENCE_END), line_start)
            body_start = line_start + head_end
            if not line[head_end:].strip():
                continue
        elif level is None and _is_bare_title(line) and _is_heading(line):
            if line in doc.title:
                continue  # the lines of the document's title name the document
            # A bare title is a sub-heading below every numbered level, the next one replacing it; right
            # above a numbered heading it is a part's title over them all ("2025年省十件民生实事" / "一、…").
            following = next((n for n in lines[number + 1:] if n.strip()), "")
            part = _heading_end(following) is not None and not _CAPTION.match(line) or APPENDIX.match(line)
            set_heading(PART_LEVEL if part else BARE_LEVEL, line, line_start)
            continue
        where = section()
        body = doc.text[body_start:line_start + len(line)]
        for start, end in _windows(sentences(body, body_start)):
            emit(start, end, where)
    if bare:
        emit_heading(max(bare))
    return passages
