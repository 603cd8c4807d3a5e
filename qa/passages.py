"""Splitting a cleaned report into headed, sentence-window passages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.corpus import Document

CHUNKER_VERSION = "1"
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


def split(doc: Document, doc_index: int = 0) -> list[Passage]:
    """Passages of `doc`: sentence windows inside one paragraph, never across a heading."""
    passages: list[Passage] = []
    path: dict[int, str] = {}
    seen_numbered = False
    offset = 0
    for line in doc.text.split("\n"):
        line_start, offset = offset, offset + len(line) + 1
        body_start = line_start
        level = heading_level(line)
        if level is not None:
            seen_numbered = True
            # "（一）坚持党的领导,抓好法治建设。一是…": the heading is the first sentence.
            head_end = next((i + 1 for i, c in enumerate(line) if c in _SENTENCE_END), len(line))
            heading = line[:head_end].rstrip(_SENTENCE_END)
            path = {lvl: text for lvl, text in path.items() if lvl < level}
            path[level] = heading
            body_start = line_start + head_end
            if head_end == len(line):
                continue
        elif _is_bare_title(line):
            if not seen_numbered:
                continue  # title lines above the first heading name the document
            # A bare title under numbered headings is a sub-heading below them; the next
            # bare title replaces it rather than nesting deeper.
            path = {lvl: text for lvl, text in path.items() if lvl < BARE_LEVEL}
            path[BARE_LEVEL] = line
            continue
        section = " / ".join(path[lvl] for lvl in sorted(path))
        body = doc.text[body_start:line_start + len(line)]
        for start, end in _windows(sentences(body, body_start)):
            text = doc.text[start:end]
            lead = len(text) - len(text.lstrip())
            passages.append(Passage(doc_index, text.strip(), start + lead, start + lead + len(text.strip()), section))
    return passages
