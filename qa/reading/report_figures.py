"""Every figure a report states, with its section, label and sentence: a browsable table of the report."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.reading.document import Document
    from qa.reading.passages import Passage

_CLAUSE_END = re.compile(r"[,，;；:：。!！?？()（）]")


@dataclass(frozen=True)
class ReportFigure:
    """One figure as the report states it."""

    section: str  # heading path of its passage
    label: str  # the words before it in its clause ("维持"), or after it when it opens the clause
    figure: str  # as written: "13宗"
    sentence: str  # the sentence it stands in
    start: int  # offsets of the figure in the document's cleaned text
    end: int


def _label(sentence: str, start: int, end: int, previous: int) -> str:
    """The clause's words before the figure (after any figure before it), else the words after it."""
    before = max([m.end() for m in _CLAUSE_END.finditer(sentence, 0, start)] + [previous])
    label = sentence[before:start].strip(" 、和及与")[-20:]
    if label or previous > before - 1 > 0:
        return label  # empty right after another figure ("95%98%"): the caller repeats that one's label
    after = _CLAUSE_END.search(sentence, end)
    return sentence[end:after.start() if after else len(sentence)].strip()[:12]


def figures_in(passages: list[Passage]) -> list[ReportFigure]:
    """The figures of `passages`, in reading order."""
    from qa.reading.figures import extract
    from qa.reading.passages import sentences

    found = []
    for passage in passages:
        for s, e in sentences(passage.text):
            raw = passage.text[s:e]
            sentence = raw.strip()
            offset = passage.start + s + (len(raw) - len(raw.lstrip()))
            previous = 0
            for f in extract(sentence):
                label = _label(sentence, f.start, f.end, previous) or (found[-1].label if found else "")
                previous = f.end
                found.append(ReportFigure(section=passage.section, label=label,
                                          figure=sentence[f.start:f.end], sentence=sentence,
                                          start=offset + f.start, end=offset + f.end))
    return found


def document_figures(document: Document) -> list[ReportFigure]:
    """Every figure `document` states (its text split into passages as the index splits it)."""
    from qa.reading.passages import split

    if not document.text:
        raise ValueError(f"{document.source}: this store keeps no report text; "
                         f"run `python -m qa figures` on the report file instead")
    return figures_in(split(document))


# The header row in Chinese, as the app's figures table names its columns.
CHINESE = {"section": "章节", "label": "项目", "figure": "数字", "sentence": "原句", "start": "起", "end": "止"}


def to_csv(figures: list[ReportFigure], *, chinese: bool = False) -> str:
    """The figures as CSV text with a header row (section, label, figure, sentence, start, end; with `chinese`,
    章节, 项目, 数字, 原句, 起, 止); a cell a spreadsheet would take for a formula ("=HYPERLINK(…)" in a report)
    starts with `'`."""
    from qa import spreadsheet

    names = {f.name: CHINESE[f.name] if chinese else f.name for f in fields(ReportFigure)}
    return spreadsheet.to_csv(({names[k]: v for k, v in asdict(f).items()} for f in figures), list(names.values()))
