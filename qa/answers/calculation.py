"""Computed values: a rate ("行政复议维持率是多少" when the report states 维持13宗 and its whole, 办结43宗, but no
rate) and a sum of items the question names ("维持和驳回一共多少宗", each stated apart).

Only from stated figures, and only where their relation is certain: the part is the count the question's rate
names ("维持" of 维持率), the whole is the figure of the same unit before it in the same sentence whose following
figures add up to it exactly, the part among them ("办结43宗：维持13宗，驳回24宗，撤回5宗，部分撤销1宗").
A stated value always wins: a rate is computed only when no figure was given, a sum only when no clause states
the items' total. The answer says it is computed, shows the
formula with both operands (`Answer.calculation`) and the operands as `Answer.figures`, and states the rounding.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Callable

from qa.answers.answering import FIGURE_PASSAGES
from qa.results import Answer, Figure
from qa.retrieval.question import Question

# The rate asked and the word before it: "维持率", "维持的比例", "撤回占比".
_RATE = re.compile(r"(率|的比例|的比重|的占比|比例|占比|比重)")
# "一共", "合计": a sum asked; of items the question names apart ("维持和驳回一共多少宗") it may be computed.
SUM_ASKED = re.compile(r"一共|总共|合计|共计|总计|加起来|加在一起")
_FUNCTION = {"的", "被", "了", "是", "有", "多大", "多少", "已经", "其中", "数量", "数目", "个数"}  # "医院数量": 医院
_TOTAL = re.compile(r"共|总计|合计|总数|全部")  # before a whole: the sentence's total, its parts follow
# "集中办理事项由#增至": a pair of values (the first written as #) a thing went from and to, within one clause.
_FROM_TO = re.compile(r"(?P<subject>[^,，;；。]*?)(由|从)#\s*(增至|增加到|增长到|增长至|提高到|提高至|上升到|上升至|升至|"
                      r"降至|减少到|减少至|下降到|下降至|减至|降低到|降低至|压减至|精简至|缩减至|缩短至|扩大到|扩大至)\s*")
SENTENCE_RUN = 600  # characters a passage is read on to its sentence's end, at most
_ASIDE = re.compile(r"[(（][^)）]*[)）]")  # "(含上年度结转6宗)": a note on the figure before it, not a sibling


def rate(question: Question, answer: Answer, text_of: Callable[[str], str] | None = None) -> Answer | None:
    """`answer` with the rate or share computed from its evidence (with the sentences beside it in its passage),
    or None when the operands are not certain. Without evidence, from the best passages, each read on to its
    sentence's end in its report (`text_of`)."""
    from qa.reading.figures import extract
    from qa.textnorm import fold

    asked = _RATE.search(question.folded)
    if not asked or answer.figure or question.change:
        return None
    (part_words, whole_words), names = _operands_named(question.folded[:asked.start()])
    if not part_words:
        return None
    if answer.evidence:
        hit = next((h for h in answer.hits if answer.evidence in h.text), None)
        texts = [_beside_evidence(answer, hit)]
    else:
        # No sentence holds the question's words: the share's own word (比重) is in none. The operands may still
        # stand in one of the best passages, part and whole named as asked.
        texts = [(_to_sentence_end(h, text_of), h.start) for h in answer.hits[:FIGURE_PASSAGES]]
    for text, at in texts:
        folded = fold(text)
        if part_words[-1] + asked.group() in folded:
            return None  # the report states the rate asked ("财政自给率由上年的12.38%…"): never computed over it
        asides = [m.span() for m in _ASIDE.finditer(folded)]
        # Counts and amounts only: a rate of rates ("12.38% ÷ 1.4%") means nothing.
        found = [f for f in extract(text) if f.unit and not f.chinese and f.unit not in ("%", "‰")
                 and "百分点" not in f.unit and not any(a <= f.start < b for a, b in asides)]
        pairs = [(part, whole) for part in _parts(folded, found, part_words)
                 if (whole := _whole(folded, found, part, whole_words)) is not None]
        if pairs:
            break
    else:
        return None
    # Of parts named alike, the one whose whole is named most like the question's ("户籍迁入人口…其中女性20.94万人",
    # not "户籍迁出人口…其中女性1.93万人").
    part, whole = max(pairs, key=lambda pair: sum(w in _clause(folded, pair[1].start) for w in whole_words))
    # A share of a whole the question names is labelled as the question names both ("出口 ÷ 货物进出口总值"); a
    # rate, by the word before it and the report's word for its whole ("维持13宗 ÷ 办结43宗").
    labels = names if all(names) else (part_words[-1], "")
    return _computed(answer, all(names), labels, text, at, folded, part, whole)


def _to_sentence_end(hit, text_of: Callable[[str], str] | None) -> str:
    """A passage and what follows it up to its sentence's end: one cut at "；" (a line of a PDF) runs on ("…护理院3家；"
    then "基层医疗机构3181家，…其它卫生机构7家。")."""
    if text_of is None or hit.text.endswith("。"):
        return hit.text
    report = text_of(hit.source)
    end = report.find("。", hit.end, hit.end + SENTENCE_RUN)
    return hit.text if end < 0 else hit.text + report[hit.end:end + 1]


def _whole(folded: str, found: list, part, words: list[str]):
    """The figure `part` is certainly a part of: the nearest before it in its unit (named by `words`, when the
    question names the whole) that "其中" follows ("进出口总值4987.89亿元…。其中，出口3492.62亿元"), that its clause
    calls the total ("案件共17件,已结案13件"), or that the figures after it add up to, the part among them."""
    from qa.reading.figures import clause_start

    for whole in reversed([f for f in found if f.end <= part.start and f.unit == part.unit]):
        if words and not any(w in _clause(folded, whole.start) for w in words):
            continue  # the question names the whole: "占全国一般公共预算收入的比重"
        between = [f for f in found if whole.end <= f.start < part.start and f.unit == part.unit]
        of_which = "其中" in folded[whole.end:part.start] and not any(
            f.start < folded.rfind("其中", whole.end, part.start) for f in between)
        totalled = _TOTAL.search(folded[clause_start(folded, whole.start):whole.start]) and not between
        if of_which or totalled or _adds_up(folded, found, whole, part):
            return whole
        if words:
            return None
    return None


def _operands_named(head: str) -> tuple[tuple[list[str], list[str]], tuple[str, str]]:
    """The words of the part and of the whole a rate or share question names, and each as the question writes it
    (its places and years aside): "中央收入占全国收入的" → (中央 收入, 全国 收入); "户籍迁入人口中女性占多大" →
    (女性, 户籍 迁入 人口); "维持" → (维持, none named)."""
    from qa.reading.places import mentions
    from qa.retrieval.tokens import load_jieba

    def written(text: str) -> str:
        text = re.sub(r"\d+年|其中", "", text)
        for name, _ in mentions(text):  # the places it opens with ("深圳…户籍迁入人口"), not a name's ("上海科技")
            text = text.removeprefix(name)
        return re.sub(r"^[，,的]+|[，,的]+$", "", text)

    def words(text: str) -> list[str]:
        return [w for w in load_jieba().lcut(written(text)) if re.search(r"[\u4e00-\u9fff]", w)
                and w not in _FUNCTION and not re.fullmatch(r"占|多大|多少|几|所|的", w)]

    part, _, whole = head.rpartition("占") if "占" in head else (head, "", "")
    whole = re.sub(r"^(了|有)?(多少|多大|几成|几)?", "", whole)
    if not words(whole):
        tokens = load_jieba().lcut(part)
        inside = [i for i, t in enumerate(tokens) if t in ("中", "里", "当中", "之中")]
        if inside:  # "A中B": B's share of A
            whole, part = "".join(tokens[:inside[-1]]), "".join(tokens[inside[-1] + 1:])
    return (words(part), words(whole)), (written(part), written(whole))


def _parts(folded: str, found: list, words: list[str]) -> list:
    """The figures that may be the part asked, the last first: named right before it ("维持13宗"), else in its
    clause ("安排45.6亿元用于186个重点项目建设"), holding as many of the part's words as any."""
    from qa.reading.figures import clause_start

    last = words[-1]
    named = [f for f in found if folded[clause_start(folded, f.start):f.start].endswith(last)] \
        or [f for f in found if last in _clause(folded, f.start)]
    held = {id(f): sum(w in _clause(folded, f.start) for w in words) for f in named}
    # Only those naming as much of the part as the best: a figure naming less is another thing's.
    return sorted((f for f in named if held[id(f)] == max(held.values())), key=lambda f: -f.start)


def _clause(folded: str, position: int) -> str:
    from qa.reading.figures import clause_start

    end = re.search(r"[,，;；。!！?？]", folded[position:])
    return folded[clause_start(folded, position):position + (end.start() if end else len(folded))]


def _adds_up(folded: str, found: list, whole, part) -> bool:
    """The figures after `whole` in its unit add up to it, `part` among them ("办结43宗：维持13宗，驳回24宗…"); or the
    first of each part after it does, each part's own breakdown aside ("机构3344家。医院108家，其中，综合医院62家…；
    基层医疗机构3181家，其中…；专业公共卫生机构48家…；其它卫生机构7家")."""
    following = [f for f in found if f.start > whole.end and f.unit == whole.unit]
    leads = [f for f in following  # the first of its part: no figure before it since the last "；" or "。"
             if not any(g.start < f.start and not re.search(r"[;；。]", folded[g.end:f.start]) for g in following)]
    for siblings in (following, leads):
        total = 0.0
        for index, sibling in enumerate(siblings):
            total += sibling.value
            if abs(total - whole.value) < 1e-9 and part in siblings[:index + 1]:
                return True
            if total > whole.value:
                break
    return False


def _beside_evidence(answer: Answer, hit) -> tuple[str, int]:
    """The evidence with the sentences before and after it in its passage ("…总值4987.89亿元。" before "其中，出口…"),
    and where that text starts in the report (-1 when its passage is not among the hits)."""
    from qa.reading.passages import sentences

    if hit is None:
        return answer.evidence, -1
    start = hit.text.index(answer.evidence)
    spans = sentences(hit.text)
    at = next((i for i, (s, e) in enumerate(spans) if s <= start < e), None)
    if at is None:
        return answer.evidence, hit.start + start
    first, last = spans[max(at - 1, 0)][0], spans[min(at + 1, len(spans) - 1)][1]
    first, last = min(first, start), max(last, start + len(answer.evidence))
    return hit.text[first:last], hit.start + first


def change_between(question: Question, answer: Answer) -> Answer | None:
    """`answer` with the change computed from the from and to values its evidence states ("集中办理事项由116项增至
    433项" for "增加了多少项": 317项, 计算值 433项 − 116项), or None: no change asked, a figure given, not exactly
    one such pair whose subject the question names, or a change the other way than asked."""
    from qa.reading.figures import clause_start, extract
    from qa.textnorm import fold

    if not question.change or question.gap or answer.figure or not answer.evidence:
        return None
    text, folded = answer.evidence, fold(answer.evidence)
    found = extract(text)
    pairs = [(a, b, said) for a, b in zip(found, found[1:]) if a.unit and a.unit == b.unit and (said := _FROM_TO.fullmatch(
        folded[clause_start(folded, a.start):a.start] + "#" + folded[a.end:b.start]))]
    if len(pairs) != 1 or "分别" in folded:
        return None
    start, end, said = pairs[0]
    subject = said.group("subject")
    if not any(word in question.folded for word in _words(subject)):
        return None  # the pair is of another thing than asked
    change = end.value - start.value
    if question.change in (1, -1) and change * question.change <= 0:
        return None
    operands = [_operand(answer, text[f.start:f.end], f, subject) for f in (end, start)]
    shown = amount(operands, [1, -1]).lstrip("-")
    verb = "增加" if change > 0 else "减少"
    calculation = f"{subject}{verb}{shown}（计算值：{operands[0].text} − {operands[1].text}）"
    return dataclasses.replace(answer, figure=shown, calculation=calculation, figures=operands)


def _words(text: str) -> list[str]:
    from qa.retrieval.tokens import load_jieba

    return [w for w in load_jieba().lcut(text) if len(w) >= 2 and re.search(r"[\u4e00-\u9fff]", w)]


def _operand(answer: Answer, written: str, found, label: str, text: str | None = None, at: int = -1) -> Figure:
    """A figure of `answer`'s evidence (or of `text`, starting at `at` in its report) as an operand, its offsets
    where it stands in its report."""
    if text is None:
        hit = next((h for h in answer.hits if answer.evidence in h.text), None)
        text, at = answer.evidence, hit.start + hit.text.index(answer.evidence) if hit else 0
    return Figure(text=written, value=found.value, unit=found.unit, label=label, evidence=text,
                  start=max(at, 0) + found.start, end=max(at, 0) + found.end)


def _computed(answer: Answer, share: bool, labels: tuple[str, str], text: str, at: int, folded: str, part,
              whole) -> Answer:
    from qa.reading.figures import clause_start
    from qa.retrieval.tokens import load_jieba

    part_word, whole_word = labels
    whole_word = whole_word or (load_jieba().lcut(folded[clause_start(folded, whole.start):whole.start]) or [""])[-1]
    value = 100 * part.value / whole.value
    shown = f"{value:.1f}%"
    part_text, whole_text = text[part.start:part.end], text[whole.start:whole.end]
    operands = [_operand(answer, part_text, part, part_word, text, at),
                _operand(answer, whole_text, whole, whole_word, text, at)]
    named = f"{part_word}占比" if share else f"{part_word}率"  # "出口占比", "维持率"
    calculation = (f"{named} ≈ {shown}（计算值：{part_word}{part_text} ÷ {whole_word}{whole_text}，"
                   f"保留一位小数）")
    return dataclasses.replace(answer, figure=shown, figures=operands, calculation=calculation, evidence=text)


def total(question: Question, ask: Callable[[str], Answer]) -> Answer | None:
    """A sum of the items the question names apart ("维持和驳回一共多少宗"): the stated total when one clause
    names every item; else the sum of each item's stated figure (计算值), all in one unit and none a rate; else
    the items' figures without a sum. None: not such a question."""
    from qa.answers.answering import asked_items

    found = SUM_ASKED.search(question.folded)
    if not found or question.change or question.measure == "rate":
        return None
    apart = question.folded[:found.start()] + "分别" + question.folded[found.end():]
    items = asked_items(apart)
    if len(items) < 2:
        return None
    stated = ask(question.text)
    if len(stated.figures) == 1 and all(i in clause_before(stated.figures[0]) for i in items):
        return stated  # "维持和驳回共37宗": a stated total
    each = ask(apart)
    figures = each.figures
    if len(figures) != len(items) or len({f.unit for f in figures}) != 1 or figures[0].unit in ("%", "‰"):
        notice = "报告没有给出合计" + ("，下面是各项的数字。" if figures else "，也没有分别给出各项的数字。")
        return dataclasses.replace(each, notice=notice)
    shown = amount(figures, [1] * len(figures))
    named = "、".join(items[:-1]) + "和" + items[-1]
    calculation = f"{named}合计 {shown}（计算值：{' + '.join(f.text for f in figures)}）"
    return dataclasses.replace(each, figure=shown, calculation=calculation)


def clause_before(figure: Figure) -> str:
    """The words of a figure's clause before it, folded: "维持和驳回共" of "维持和驳回共37宗"."""
    from qa.reading.figures import clause_start
    from qa.textnorm import fold

    said = fold(figure.evidence)
    at = max(said.find(fold(figure.text)), 0)
    return said[clause_start(said, at):at]


def amount(figures: list[Figure], signs: list[int]) -> str:
    """The figures added with `signs` (+1, -1), in their unit as written, with as many decimals as the most
    precise ("13宗" + "24宗" → "37宗"; "7,820" − "11,792" of a 万元 table → "-3972万元"); a gap of percentages
    in points."""
    from qa.reading.figures import MULTIPLIERS

    written = [re.fullmatch(r"([\d,]+(?:\.\d+)?)(\D*)", f.text) for f in figures]
    if all(written) and len({w.group(2) for w in written}) == 1:
        # The numbers as written, in the unit they share: a table cell's value may or may not carry its 万.
        numbers = [float(w.group(1).replace(",", "")) for w in written]
        unit = written[0].group(2) or figures[0].unit
    else:
        unit = figures[0].unit
        scale = next((m for m in sorted(MULTIPLIERS, key=len, reverse=True) if unit.startswith(m) and unit != m), "")
        numbers = [f.value / (MULTIPLIERS[scale] if scale else 1) for f in figures]
    total = sum(sign * n for sign, n in zip(signs, numbers))
    decimals = max((len(d) for f in figures for d in re.findall(r"\.(\d+)", f.text)), default=0)
    return f"{total:.{decimals}f}{'个百分点' if unit == '%' else unit}"
