"""Every figure a report states, with its section, label and sentence: a browsable table of the report."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.reading.document import Document
    from qa.reading.passages import Passage

_CLAUSE_END = re.compile(r"[,，;；:：。!！?？()（）]")
_ASIDE = re.compile(r"[(（][^()（）]*[)）]")  # "(GDP)": a note inside the clause, not its end
# Words that say how a figure moves or stands, not what it counts: a label of these alone ("精简至", "同比增长",
# "分别比上年增长") is given the thing counted from its sentence.
_CUE = (r"由|从|自|至|到|达到|达|为|是|有|共计|共|合计|累计|约|近|超过|超|余|分别|同比|比上年|较上年|比|较|增至|减至|降至|"
        r"升至|增加|减少|增长|下降|提高|降低|上升|上涨|下跌|回落|精简|压减|新增|推动|完善|完成|组织|开展|实现|占|其中|其余|"
        r"全年|全区|全市|全县|全省|全国")
_BARE = re.compile(rf"(?:{_CUE}|年|的|了|和|及|与|等|[、\s\d.%])*")
_LEADS = re.compile(r"(?:等|共|共计|、)\s*$")
_DOING = re.compile(r"进行|开展|建立|实施|完成|获得|获评|入选|新设|参加|参与|通过|纳入|达到")  # ends the thing named
_HEAD_END = re.compile(rf"由|从|自|比上年|较上年|同比|分别|增至|减至|降至|升至|增加|减少|增长|下降|提高|降低|精简|达到")
# Measure words that count things; the words right after such a figure name them ("4家区属单位", "35个执法单位").
_COUNTING = frozenset("个 家 项 名 件 场 条 所 类 支 座 部 份 期 批 位 处 户 套 台 辆 篇 本 册 门 间 块 张 宗 起".split())
_NAMED = re.compile(rf"^(?!{_CUE})[\u4e00-\u9fff《》“”]+")


@dataclass(frozen=True)
class ReportFigure:
    """One figure as the report states it."""

    section: str  # heading path of its passage
    label: str  # what it counts: the thing named right after a counting figure ("4家区属单位"), else the words
    #             before it in its clause ("维持"), with the sentence's subject when those only say how it moves
    figure: str  # as written: "13宗"
    sentence: str  # the sentence it stands in
    start: int  # offsets of the figure in the document's cleaned text
    end: int


def _before(sentence: str, start: int, previous: int) -> str:
    """The clause's words before the figure (after any figure before it; notes in brackets skipped)."""
    masked = _ASIDE.sub(lambda m: "\0" * len(m.group()), sentence[:start])
    begin = max([m.end() for m in _CLAUSE_END.finditer(masked)] + [previous])
    return masked[begin:start].replace("\0", "").strip(" 、和及与")[-20:].lstrip(" 、和及与")


def _counted(sentence: str, end: int, unit: str) -> str:
    """The thing a counting figure counts when its name follows it ("4家区属单位新设公职律师" → "区属单位")."""
    if unit not in _COUNTING:
        return ""
    named = _NAMED.match(sentence[end:])
    name = _DOING.split(named.group())[0].split("的")[0][:10] if named else ""
    return name if len(name) >= 2 else ""


def _head(label: str) -> str:
    """What a figure's label names, without how it moves: "行政许可事项由2021年的" → "行政许可事项"."""
    head = _HEAD_END.split(label)[0].strip(" 、和及与")
    return "" if _BARE.fullmatch(head) else head.split("的")[-1][-12:]


def _label(sentence: str, found, previous: int, earlier: str) -> str:
    """What the figure counts: see `ReportFigure.label`. `earlier`: the label of the figure before it in the
    sentence, whose subject a label saying only how the figure moves takes ("行政许可事项 精简至")."""
    before = _before(sentence, found.start, previous)
    if not before and previous and earlier:
        return earlier  # right after another figure ("95%98%"): that one's label
    if before and not _BARE.fullmatch(before):
        # "…等10项工作流程", "执法单位、共751名行政执法人员": the words before lead up to the thing named after.
        return (_LEADS.search(sentence[:found.start]) and _counted(sentence, found.end, found.unit)) or before
    if head := _head(earlier):
        return f"{head} {before}".strip()
    if counted := _counted(sentence, found.end, found.unit):
        return counted
    after = _CLAUSE_END.search(sentence, found.end)
    words = sentence[found.end:after.start() if after else len(sentence)].strip()[:12]
    return " ".join(x for x in (before, words) if x)


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
            previous, earlier = 0, ""
            for f in extract(sentence):
                earlier = _label(sentence, f, previous, earlier)
                if _BARE.fullmatch(earlier):  # nothing in the sentence names it (a torn table's lone cell)
                    earlier = passage.section.split(" / ")[-1] or earlier
                previous = f.end
                found.append(ReportFigure(section=passage.section, label=earlier,
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
