"""Comparisons: "红桥区和荔湾区哪个行政复议案件多", "2022年比2021年多多少": each side answered on its own, then one
line naming the larger and the difference, computed only from the two stated figures and labelled as computed.

A question compares when it names two or more places (or years) and asks which is more, or how much more. Each
side is asked as its own question (the side's name, the thing asked, "是多少"), from its own report and evidence.
A side the reports do not answer is named as such; the other sides are still answered. The difference is given
only when both figures are stated in the same unit.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Callable

from qa.results import Answer
from qa.retrieval.question import Question

_WHICH = re.compile(r"哪个|哪一个|哪里|谁")
_MORE = re.compile(r"(更)?(多|少|高|低|大|小|快|慢)")
_HOW_MUCH = re.compile(r"比.{1,12}?(多|少|高|低|快|慢)(了)?(多少|几)")
_TOGETHER = re.compile(r"(相比|对比|比较|相较)")
# The words that join or compare the sides, dropped from each side's own question.
_GLUE = re.compile(r"^[和与跟同及、,，\s]+|[和与跟同及、,，\s]+$")
_CUES = re.compile(r"(哪个|哪一个|谁)(更)?(多|少|高|低|大|小|快|慢)?|(相比|对比|比较|相较)(之下)?|"
                   r"比(?=.{0,12}?(多|少|高|低|快|慢))|(更)?(多|少|高|低|快|慢)(了)?(多少|几)?[?？]?$|[?？]$")


def sides(question: Question) -> tuple[str, ...]:
    """The places (or years) a comparison question sets side by side; () when it compares nothing."""
    text = question.folded
    if not (_WHICH.search(text) and _MORE.search(text) or _HOW_MUCH.search(text) or _TOGETHER.search(text)):
        return ()
    if len(question.place_names) >= 2:
        return question.place_names
    if len(question.years) >= 2:
        return tuple(f"{y}年" for y in question.years)
    return ()


def side_question(question: str, side: str, others: tuple[str, ...]) -> str:
    """One side's own question: "红桥区和荔湾区哪个行政复议案件多" → "红桥区行政复议案件是多少"."""
    body = question
    for name in (side, *others):
        body = body.replace(name, " ")
    body = _CUES.sub(" ", body)
    body = re.sub(r"\s+", "", _GLUE.sub("", body.strip()))
    body = _GLUE.sub("", body)
    return f"{side}{body}是多少"


def compare(question: str, asked: Question, ask: Callable[[str], Answer]) -> Answer | None:
    """The comparison's answer: each side's own answer (`Answer.sides`), and the line naming the larger and the
    difference (`Answer.calculation`) when both are stated in one unit. None: not a comparison."""
    named = sides(asked)
    if not named:
        return None
    asked_sides = [side_question(question, side, tuple(n for n in named if n != side)) for side in named]
    answers = [dataclasses.replace(ask(q), understood=q) for q in asked_sides]
    given = [(side, a) for side, a in zip(named, answers) if a.figure and len(a.figures) == 1]
    missing = [side for side, a in zip(named, answers) if not (a.figure and len(a.figures) == 1)]
    notice = f"报告中没有找到{'、'.join(missing)}的这个数字。" if missing else ""
    calculation = None
    units = {a.figures[0].unit for _, a in given}
    if len(given) == 2 and len(units) == 1 and all(a.figures[0].value is not None for _, a in given):
        (first, a), (second, b) = given
        x, y = a.figures[0], b.figures[0]
        unit = x.unit
        if x.value == y.value:
            calculation = f"{first}和{second}相同，都是{x.text}"
        else:
            (high, hi), (low, lo) = sorted([(first, x), (second, y)], key=lambda s: -s[1].value)
            gap = _number(hi.value - lo.value, unit)
            calculation = f"{high}（{hi.text}）比{low}（{lo.text}）多{gap}（计算值：{hi.text} − {lo.text}）"
    figures = [a.figures[0] for _, a in given]
    return Answer(question, None, "", figures=figures, hits=[h for a in answers for h in a.hits[:2]],
                  answered=bool(given), notice=notice, sides=answers, calculation=calculation)


def _number(value: float, unit: str) -> str:
    """A computed amount in the figures' unit, as few digits as it needs: 21宗; a gap of percentages in points."""
    from qa.reading.figures import MULTIPLIERS

    scale = next((m for m in sorted(MULTIPLIERS, key=len, reverse=True) if unit.startswith(m) and unit != m), "")
    shown = value / MULTIPLIERS[scale] if scale else value
    text = f"{shown:.2f}".rstrip("0").rstrip(".")
    return f"{text}{'个百分点' if unit == '%' else unit}"
