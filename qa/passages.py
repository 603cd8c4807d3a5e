"""Splitting a cleaned report into headed, sentence-window passages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.corpus import Document

CHUNKER_VERSION = "2"
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
BARE_LEVEL = 9  # below every numbered level


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
    return len(line) <= _BARE_TITLE_MAX and not re.search(rf"[{_SENTENCE_END},，:：]\s*$", line)


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
    from qa.figures import extract

    return len(head) <= _BARE_TITLE_MAX and not any(f.unit for f in extract(head))


def _table_at(doc: Document, position: int) -> dict | None:
    return next((t for t in doc.tables if t["start"] <= position <= t["end"]), None)


def split(doc: Document, doc_index: int = 0) -> list[Passage]:
    """Passages of `doc`: sentence windows inside one paragraph, never across a heading; one per table row."""
    passages: list[Passage] = []
    path: dict[int, str] = {}
    bare_unused = None  # a bare title line no passage has stood under yet, as (start, text)
    offset = 0

    def emit(start: int, end: int, section: str) -> None:
        text = doc.text[start:end]
        lead = len(text) - len(text.lstrip())
        passages.append(Passage(doc_index, text.strip(), start + lead, start + lead + len(text.strip()), section))

    def section() -> str:
        return " / ".join(path[lvl] for lvl in sorted(path))

    for line in doc.text.split("\n"):
        line_start, offset = offset, offset + len(line) + 1
        if not line.strip():
            continue
        table = _table_at(doc, line_start)
        if table is not None:
            # A table row is one unit, under its caption, whatever its length.
            caption = table["caption"]
            where = section()
            if caption and not where.endswith(caption):
                where = f"{where} / {caption}" if where else caption
            emit(line_start, line_start + len(line), where)
            bare_unused = None
            continue
        body_start = line_start
        level = heading_level(line)
        head_end = next((i + 1 for i, c in enumerate(line) if c in _SENTENCE_END), len(line))
        if level is not None and _is_heading(line[:head_end].rstrip(_SENTENCE_END)):
            # "（一）坚持党的领导,抓好法治建设。一是…": the heading is the first sentence.
            if bare_unused is not None:  # a title-like line that headed nothing is text of its own
                emit(bare_unused[0], bare_unused[0] + len(bare_unused[1]), section())
                bare_unused = None
            path = {lvl: text for lvl, text in path.items() if lvl < level}
            path[level] = line[:head_end].rstrip(_SENTENCE_END)
            body_start = line_start + head_end
            if head_end == len(line) or not line[head_end:].strip():
                continue
        elif level is None and _is_bare_title(line):
            if line in doc.title:
                continue  # the lines of the document's title name the document
            if bare_unused is not None:  # two title-like lines in a row: the first heads nothing
                emit(bare_unused[0], bare_unused[0] + len(bare_unused[1]), section())
            # A bare title is a sub-heading below every numbered level; the next one replaces it.
            path = {lvl: text for lvl, text in path.items() if lvl < BARE_LEVEL}
            path[BARE_LEVEL] = line
            bare_unused = (line_start, line)
            continue
        bare_unused = None
        where = section()
        body = doc.text[body_start:line_start + len(line)]
        for start, end in _windows(sentences(body, body_start)):
            emit(start, end, where)
    if bare_unused is not None:
        path.pop(BARE_LEVEL, None)
        emit(bare_unused[0], bare_unused[0] + len(bare_unused[1]), section())
    return passages
