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

from qa.answers.calculation import amount, clause_before
from qa.reading.places import NATION
from qa.results import Answer
from qa.retrieval.question import Question

_WHICH = re.compile(r"哪个|哪一个|哪里|谁|哪年|哪一年")
_MORE = re.compile(r"(更)?(多|少|高|低|大|小|快|慢)")
_HOW_MUCH = re.compile(r"比.{1,12}?(多|少|高|低|快|慢)(了)?(多少|几)")
_TOGETHER = re.compile(r"(相比|对比|比较|相较)")
# The words that join or compare the sides, dropped from each side's own question.
_GLUE = re.compile(r"^[和与跟同及、,，\s]+|[和与跟同及、,，\s]+$")
_CUES = re.compile(r"(哪个|哪一个|谁|哪年|哪一年)(区|县|市|省|城市|地方|年|年度)?(\w{0,2}得)?(更)?(多|少|高|低|大|小|快|慢)?|"
                   r"(相比|对比|比较|相较)(之下)?|"
                   r"比(?![例率重])(?=.{0,12}?(多|少|高|低|快|慢))|(更)?(多|少|高|低|快|慢)(了)?(多少|几)?[?？]?$|[?？]$")


def sides(question: Question) -> tuple[str, ...]:
    """The places (or years) a comparison question sets side by side; () when it compares nothing."""
    text = question.folded
    if not (_WHICH.search(text) and _MORE.search(text) or _HOW_MUCH.search(text) or _TOGETHER.search(text)):
        return ()
    names = [as_written(name, question.text) for name in question.place_names]
    # "广东和全国哪个高": 全国 a side too (how much higher than 全国 a report may state itself: "高于全国0.7个百分点")
    if len(names) == 1 and NATION in question.text and NATION not in names and _WHICH.search(text):
        names = sorted([*names, NATION], key=question.text.find)
    if len(names) >= 2:
        return _named_whole(tuple(names), question.text)
    if len(question.years) >= 2:
        written = re.findall(r"(?:19|20)\d\d\s*年度?|(?:民[國国]\s*)?\d{2,3}\s*年度?", question.text)
        if len(written) == len(question.years):
            return _named_whole(tuple(written), question.text)
        return tuple(f"{y}年" for y in question.years)
    return ()


# What ends a side's name: the word joining it to the next side, or the cue asking which.
_SIDE_END = re.compile(r"[和与跟同及、,，。?？\s]|哪|谁|相比|对比|比较|相较|比|(更)?(多|少|高|低|快|慢)了?(多少|几)")


def _named_whole(names: tuple[str, ...], text: str) -> tuple[str, ...]:
    """Each side as the question names it, up to the word joining it to the next side or the cue, when that is a
    few characters: "上海市科委" (not 上海市), "2026年预算数" and "2025年执行数" (not the years alone)."""
    whole = []
    for name in names:
        at = text.find(name)
        end = _SIDE_END.search(text, at + len(name)) if at >= 0 else None
        tail = text[at + len(name):end.start()] if end else ""
        whole.append(name + tail if 0 < len(tail) <= SIDE_TAIL and not any(n in tail for n in names) else name)
    return tuple(whole)


SIDE_TAIL = 4  # characters a side's name may run on after its place or year: 科委, 预算数


def _claimed_once(named: tuple[str, ...], answers: list[Answer]) -> list[Answer]:
    """The sides' answers, where one figure given for two sides stays only with the side its evidence names (and
    with none when that is not one side): 焦作's figure is never 西安's too."""
    def spot(answer: Answer):
        return (answer.source, answer.figures[0].start) if answer.figure and len(answer.figures) == 1 else None

    def unsure(side: str, answer: Answer, keep: bool) -> Answer:
        shared = spot(answer) and sum(spot(a) == spot(answer) for a in answers) > 1
        return dataclasses.replace(answer, figure=None, figures=[]) if shared and not keep else answer

    answers = [unsure(side, a, side in a.evidence) for side, a in zip(named, answers)]
    return [unsure(side, a, False) for side, a in zip(named, answers)]


def as_written(name: str, text: str) -> str:
    """A place as `text` writes it: "西安" for 西安市 in "西安和焦作…", "昌吉州" for 昌吉回族自治州, "江西全省"; `name` when
    `text` does not name it."""
    if name in text:
        return name
    prefix = next((name[:n] for n in range(len(name) - 1, 1, -1) if name[:n] in text), "")
    if not prefix:
        return name
    suffix = re.match(r"全?[省市县区州]", text[text.index(prefix) + len(prefix):])  # "江西全省"
    return prefix + (suffix.group() if suffix else "")


def side_question(question: str, side: str, others: tuple[str, ...]) -> str:
    """One side's own question: "红桥区和荔湾区哪个行政复议案件多" → "红桥区行政复议案件是多少"."""
    body = question
    for name in (side, *others):
        body = body.replace(name, "\0")
    body = re.sub(r"\0\s*[和与跟同及、,，]\s*(?=\0)", "", body).replace("\0", " ")  # "西安和焦作" as one gap
    body = _CUES.sub(" ", body)
    body = re.sub(r"\s+", "", _GLUE.sub("", body.strip()))
    body = _GLUE.sub("", body)
    return f"{side}{body}" + ("" if re.search(r"多少|几", body) else "是多少")


def compare(question: str, asked: Question, ask: Callable[[str], Answer]) -> Answer | None:
    """The comparison's answer: each side's own answer (`Answer.sides`), and the line naming the larger and the
    difference (`Answer.calculation`) when both are stated in one unit. None: not a comparison."""
    named = sides(asked)
    if not named:
        return None
    asked_sides = [side_question(question, side, tuple(n for n in named if n != side)) for side in named]
    answers = _claimed_once(named, [dataclasses.replace(ask(q), understood=q) for q in asked_sides])
    given = [(side, a) for side, a in zip(named, answers) if a.figure and len(a.figures) == 1]
    missing = [side for side, a in zip(named, answers) if not (a.figure and len(a.figures) == 1)]
    notice = f"报告中没有找到{'、'.join(missing)}的这个数字。" if missing else ""
    calculation = figure = None
    figures = [a.figures[0] for _, a in given]
    units = {a.figures[0].unit for _, a in given}
    if len(given) == 2 and len(units) == 1 and all(a.figures[0].value is not None for _, a in given):
        (first, a), (second, b) = given
        x, y = a.figures[0], b.figures[0]
        if x.value == y.value:
            calculation = f"{first}和{second}相同，都是{x.text}"
        else:
            (high, hi), (low, lo) = sorted([(first, x), (second, y)], key=lambda s: -s[1].value)
            gap = amount([hi, lo], [1, -1])
            more = "高" if hi.unit in ("%", "‰") else "多"  # a rate is higher by points, a count more
            calculation = f"{high}（{hi.text}）比{low}（{lo.text}）{more}{gap}（计算值：{hi.text} − {lo.text}）"
            how = _HOW_MUCH.search(asked.folded)
            if how and (high == named[0]) == (how.group(1) in "多高快"):
                # "A比B少多少" asks the difference itself; asked the other way round, the line above answers.
                figure, figures = gap, [hi, lo]
    return Answer(question, figure, "", figures=figures, hits=[h for a in answers for h in a.hits[:2]],
                  answered=bool(given), notice=notice, sides=answers, calculation=calculation)


# "城镇居民人均可支配收入比农村居民多多少": two items of one report, the second named by the words that differ.
_ITEMS_GAP = re.compile(r"^(?P<x>.+?)[比较](?P<y>.+?)(?P<how>多出|高出|多|少|高|低)了?(多少|几)")
# "前20%家庭和后20%家庭的平均财富相差多少": two items, what they share after the second ("的平均财富"), no direction.
_ITEMS_APART = re.compile(r"^(?P<x>.+?)[和与跟](?P<y>.+?)(之间)?(?P<how>相差|差距|差)(是|为|有)?了?(多少|几)")


def difference(question: Question, ask: Callable[[str], Answer], counterpart: Callable[[str, str], str]
               ) -> Answer | None:
    """How much one item exceeds another the question names ("X比Y多多少", items rather than places or years):
    a stated difference when its clause names the other item, else the difference of the two stated figures
    (计算值), both of one unit; else what the question alone gets. `counterpart(words, question)` is the other
    item's own question, `question` with `words` in place of the words they resemble. None: not such a question.
    """
    found = _ITEMS_GAP.match(question.folded) or _ITEMS_APART.match(question.folded)
    if not found or len(question.place_names) > 1 or len(question.years) > 1 \
            or re.fullmatch(r"(上年|去年|上一年|同期|上年同期)", found["y"]):
        return None
    stated = ask(question.text)
    if stated.figure and len(stated.figures) == 1:
        clause = clause_before(stated.figures[0])
        if re.search("比|差", clause) and found["y"][:2] in clause:  # "…比农村居民高出16692元": the report's own
            return stated
    item, shared = found["y"], ""
    if found.re is _ITEMS_APART and "的" in item:
        item, shared = item.rsplit("的", 1)
        shared = "的" + shared
    first = found["x"] + shared + "是多少"
    # What the items share is named after the second: each item with it is a question of its own.
    second = item + shared + "是多少" if shared else counterpart(item, first)
    a, b = ask(first), ask(second)
    if not (a.figure and b.figure and len(a.figures) == len(b.figures) == 1):
        return stated
    x, y = a.figures[0], b.figures[0]
    if x.unit != y.unit or (a.source, x.start) == (b.source, y.start):  # one unit, two figures
        return stated
    if found.re is _ITEMS_APART:
        (hi, lo), said = sorted((x, y), key=lambda f: -f.value), f"{found['x']}与{found['y']}相差"
    else:
        more = found["how"] in ("多出", "高出", "多", "高")
        (hi, lo), said = (x, y) if more else (y, x), f"{found['x']}比{found['y']}{found['how']}"
    gap = amount([hi, lo], [1, -1])
    calculation = f"{said}{gap}（计算值：{hi.text} − {lo.text}）"
    sides = [dataclasses.replace(a, understood=first), dataclasses.replace(b, understood=second)]
    return dataclasses.replace(a, figure=gap, figures=[hi, lo], calculation=calculation, sides=sides)
