"""The values the public API returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hit:
    """One retrieved passage, as written in its report."""

    text: str
    score: float  # fused relevance in [0, 1]; higher is better
    title: str
    source: str  # path relative to the corpus folder
    section: str  # heading path, e.g. "一、推进法治政府建设情况"
    start: int  # character offsets in the cleaned document text
    end: int
    published: str = ""
    publisher: str = ""
    region: str = ""  # the district or county the report is about
    year: str = ""  # the year it reports on
    table: str = ""  # when the passage is one row of a table: the table's caption ("" for running text)
    unit: str = ""  # the unit that table states for its cells ("万元"), when it does


@dataclass(frozen=True)
class Figure:
    """A figure copied from a report.

    `value` is the number as written times its 万/亿 multiplier; a percentage
    keeps its written number (98% -> value 98.0, unit "%").
    """

    text: str  # as written: "13宗", "98%", "1000余次", "23.9万件"
    value: float
    unit: str  # "宗", "%", "万件"…
    label: str  # what it counts, e.g. "维持"
    evidence: str  # the clause it stands in
    start: int  # offsets of `text` in the cleaned document text
    end: int
    qualifier: str = ""  # how the report qualifies it, just before `text`: "超" (超1亿人次), "约", "近"

    @property
    def stated(self) -> str:
        """`text` with the report's qualifier ("超1亿人次"), for people."""
        return self.qualifier + self.text


@dataclass(frozen=True)
class Answer:
    """What `ask` returns: the figure(s), the evidence and where it stands."""

    question: str
    figure: str | None  # the figure as written, or None when the report does not say
    evidence: str  # the sentence the answer comes from ("" when nothing relevant)
    figures: list[Figure] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    title: str = ""
    source: str = ""
    section: str = ""
    answered: bool = False  # False: the reports do not answer this question
    notice: str = ""  # something the asker should know, e.g. that a long question was cut
    # Reports that give different figures for the question, each answered on its own;
    # then `figure` is None rather than one of them picked silently.
    by_document: list[Answer] = field(default_factory=list)
    # The question as answered: completed from the conversation when it leaned on it ("那驳回呢" after
    # "行政复议维持多少宗" → "行政复议驳回多少宗"), else the question itself.
    understood: str = ""
    # A comparison ("红桥区和荔湾区哪个…多"): each side's own answer, and the line naming the larger and the
    # difference, computed from the sides' stated figures and labelled 计算值 (None when not computed).
    sides: list[Answer] = field(default_factory=list)
    calculation: str | None = None
    # A question asking for an enumeration ("存在哪些问题"): its items as the report gives them, in order.
    items: list[str] = field(default_factory=list)
    item_starts: list[int] = field(default_factory=list)  # where each item starts in its report

    @property
    def stated(self) -> str | None:
        """`figure` with the report's qualifier ("超1亿人次" where `figure` is "1亿人次"), for people."""
        if self.figure and len(self.figures) == 1:
            return self.figures[0].qualifier + self.figure
        return self.figure

    @property
    def text(self) -> str:
        """A one-line answer for people."""
        if self.by_document:
            return "；".join(f"{a.title}：{a.stated}" for a in self.by_document)
        if self.calculation:  # computed: its figures are the operands; the line says so and shows them
            return self.calculation
        if self.figures:
            return "、".join(f.stated for f in self.figures)
        if self.answered:
            return self.evidence
        return "报告中没有找到这个问题的答案。"
