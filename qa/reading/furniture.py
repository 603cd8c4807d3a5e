"""Page furniture out: page numbers, running headers and footers, numbers a page break glued to the text."""

from __future__ import annotations

import re
from collections import Counter

from qa.reading.blocks import Block

# "- 1 -", "— 2 —", "第 3 页", "第3页 共5页", "3/5", "Page 3", "3", a lone number between paragraphs.
PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－~·\s]*\d{1,4}[-—–－~·\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$",
    re.IGNORECASE,
)
_EDGE = 2  # lines at the top and at the bottom of a page where running headers and footers stand


def is_page_number(line: str) -> bool:
    return bool(PAGE_NUMBER.match(line))


def _shape(line: str) -> str:
    """A line with its digits blanked: "第3页" and "第4页" are the same running footer."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def remove_furniture(pages: list[list[Block]]) -> list[list[Block]]:
    """The pages without page numbers and the header/footer lines repeated on most pages.

    A line counts as running when the same line (digits aside) stands at the top or
    bottom of at least half the pages, and there are at least three pages.
    """
    edges: Counter[str] = Counter()
    for page in pages:
        lines = [b for b in page if isinstance(b, str) and b.strip()]
        edges.update({_shape(line) for line in lines[:_EDGE] + lines[-_EDGE:]})
    running = {shape for shape, n in edges.items() if len(pages) >= 3 and n >= len(pages) / 2}
    cleaned = []
    for number, page in enumerate(pages, 1):
        texts = [i for i, b in enumerate(page) if isinstance(b, str) and b.strip()]
        edge = set(texts[:_EDGE] + texts[-_EDGE:])
        kept = [b for i, b in enumerate(page) if not isinstance(b, str) and b is not None or i in texts and not (
            i in edge and (is_page_number(b) or _shape(b) in running))]
        lines = [i for i, b in enumerate(kept) if isinstance(b, str)]
        if lines:
            kept[lines[0]] = _unglue(kept[lines[0]], number, first=True)
            kept[lines[-1]] = _unglue(kept[lines[-1]], number, first=False)
        cleaned.append(kept)
    return cleaned


def _unglue(line: str, number: int, *, first: bool) -> str:
    """ "2实际利用外资…" at the top of page 2 (or "…。3" at the foot of page 3): the page number, not a figure."""
    glued = str(number)
    if first and re.match(rf"{glued}(?=[\u4e00-\u9fff])(?![\u4e00-\u9fff]*[个件项人元年月日万亿%])", line):
        return line[len(glued):]
    if not first and re.search(rf"(?<=[。；！？])\s*{glued}$", line):
        return line[: -len(glued)].rstrip()
    return line
