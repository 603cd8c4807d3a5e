"""Answering a question from retrieved passages: the figure, its evidence, or an honest no."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable

from qa.reading.figures import UNITS, Found, base_unit, clause_start, extract, kind_of, same_unit
from qa.retrieval.glossary import translate
from qa.reading.passages import sentences
from qa.retrieval.question import Question
from qa.results import Answer, Figure, Hit
from qa.textnorm import fold

# Below this share of the question's keyword weight, the evidence does not answer it.
MIN_COVERAGE = 0.55
# A figure needs this much keyword support around it (0–1) to be given.
MIN_SUPPORT = 0.3
# A figure is given only when it beats the next best by this much.
MARGIN = 0.03
FIGURE_PASSAGES = 3  # figures are looked for in the best few passages only
# A keyword's pull on a figure: times INHERITED per clause boundary between them,
# halved over DISTANCE characters. Tuned on dev, held-out and paraphrase sets (README).
INHERITED = 0.9
DISTANCE = 40
COVERED = 0.2  # weight of the evidence sentence's share of the question's keywords in a figure's score
CONTEXT = 0.4  # a keyword only in the section heading or title: the topic of every figure under it
# For a keyword's pull on a figure, a list comma separates as much as a clause end.
_BOUNDARY = re.compile(r"[,，;；:：。!！?？()（）、]")
_LIST_GLUE = re.compile(r"^[、,，和及与以及\s]*$")
_LEAD = re.compile(r"^[^,，;；。:：\d]*$")
_CHANGE_FROM = re.compile(r"(由|从)[^,，;；。]*$|原列\s*$|原为\s*$")
_CHANGE_TO = re.compile(r"(由|从)[^,，;；。]*\d[^,，;；。]*(至|到|为|成)\s*$|改列为\s*$|调整为\s*$")
_UNIT_SET = frozenset(UNITS)
# A unit a table states in a column header: "本年收费金额（单位：万元）", "产量（万吨）".
_HEADER_UNIT = re.compile(r"单位\s*[:：]\s*([^\s)）;；,，]+)|[（(]([^（()）\d]{1,6})[)）]\s*$")


@dataclass(frozen=True)
class Sentence:
    hit: Hit
    rank: int
    start: int  # offsets in the document
    end: int
    text: str  # as written
    folded: str
    context: str  # folded section and title, which the sentence's words inherit
    coverage: float


@dataclass(frozen=True)
class Candidate:
    sentence: Sentence
    found: Found  # offsets inside the sentence
    score: float
    support: float


def _parts(keywords: Iterable[str]) -> dict[str, list[str]]:
    """The shorter words inside each keyword: "体制改革" → 体制, 改革."""
    from qa.retrieval.tokens import load_jieba

    jieba = load_jieba()
    return {kw: [p for p in jieba.lcut_for_search(kw) if len(p) >= 2 and p != kw] for kw in keywords}


def _presence(kw: str, parts: list[str], text: str) -> float:
    """1 when `kw` is in `text`; a share below 1 when only its parts are ("体制机制改革")."""
    if kw in text:
        return 1.0
    return 0.8 * sum(p in text for p in parts) / len(parts) if parts else 0.0


def _names(text: str, words: tuple[str, ...]) -> bool:
    """`text` names one of the places or years (4-digit strings, matched as years, 民國 ones too) asked."""
    from qa.reading.places import years

    written = {str(y) for y in years(text)}
    return any(w in written if re.fullmatch(r"\d{4}", w) else w in text for w in words)


def _sentences(hits: list[Hit], weights: dict[str, float], must_name: dict[str, tuple[str, ...]]) -> list[Sentence]:
    """Every sentence of the hits, with the share of the question's keyword weight it covers.

    A table row is one sentence (its row name and cells belong together); a sentence of a report
    that counts only where it names the place or year asked is left out unless it does.
    """
    whole = sum(weights.values()) or 1.0
    parts = _parts(weights)
    found = []
    for rank, hit in enumerate(hits):
        context, read = _read(hit.text, hit.section, hit.title, bool(hit.table))
        for start, end, text, folded in read:
            if hit.source in must_name:
                # The subject of "…；集装箱吞吐量76.9万标准箱" stands at the head of the whole sentence.
                full = hit.text[hit.text.rfind("。", 0, start) + 1:end]
                if not _names(fold(full + " " + hit.section), must_name[hit.source]):
                    continue
            covered = sum(w * _presence(kw, parts[kw], folded + " " + context) for kw, w in weights.items())
            found.append(Sentence(hit, rank, hit.start + start, hit.start + start + len(text),
                                  text, folded, context, covered / whole))
    return found


@functools.lru_cache(maxsize=1024)  # the same passages answer many questions; folding is most of reading them
def _read(text: str, section: str, title: str, table: bool) -> tuple[str, tuple[tuple[int, int, str, str], ...]]:
    """A passage's folded section and title, and its sentences: (start, end, as written, folded).
    A table row is one sentence."""
    context = fold(f"{section} {title}")
    spans = [(0, len(text))] if table else sentences(text)
    return context, tuple((start, end, (written := text[start:end].strip()), fold(written)) for start, end in spans)


def _support(sentence: Sentence, found: Found, weights: dict[str, float], nouns: frozenset[str]) -> float:
    """How strongly the question's keywords point at this figure (0–1).

    A keyword in the figure's own clause ("维持13宗"), or the noun right after it
    ("35个执法单位"), names what it counts. Keywords of earlier clauses are the
    sentence's topic ("行政复议…, 维持13宗, 驳回24宗"), shared by the figures
    after them and fading with each clause crossed.
    """
    text = sentence.folded
    bounds = [m.start() for m in _BOUNDARY.finditer(text)]
    total = whole = 0.0
    for kw, weight in weights.items():
        whole += weight
        if kw not in text and kw in sentence.context:
            total += weight * CONTEXT  # the section's topic ("一般公共预算收入情况"), shared by all its figures
            continue
        best = 0.0
        for match in re.finditer(re.escape(kw), text):
            if match.end() <= found.start:
                crossed = sum(match.end() <= b < found.start for b in bounds)
                strength = INHERITED ** crossed / (1 + (found.start - match.end()) / DISTANCE)
            elif match.start() >= found.end:
                crossed = sum(found.end <= b < match.start() for b in bounds)
                counted = kw in nouns and match.start() - found.end <= 2  # "35个执法单位"
                strength = 0.0 if crossed else 1.0 if counted else 0.5
            else:
                strength = 0.0
            best = max(best, strength)
        total += weight * best
    return total / (whole or 1.0)


def _change_bonus(text: str, found: Found, question: Question) -> float:
    """In "由116项增至433项" the end value is the answer, unless the start is asked for."""
    before = text[clause_start(text, found.start):found.start]
    if _CHANGE_TO.search(before):  # the "to" value
        return -0.3 if question.origin else 0.3
    if _CHANGE_FROM.search(before):  # the "from" value
        return 0.3 if question.origin else -0.3 if question.revised or "原列" not in before else 0.0
    return 0.0


def _kind_fit(sentence: Sentence, found: Found, question: Question) -> float | None:
    """The quantity asked, not its neighbour: a change for "增长了多少" (in its direction), a level for
    "是多少", a share only for "占…比重", a per-person value only for "人均". None: not what is asked."""
    kind, direction = kind_of(sentence.folded, found)
    # "人均…增长4.6%" is a change per person: 人均 in the clause counts whatever the kind.
    per_person = "人均" in sentence.folded[clause_start(sentence.folded, found.start):found.start]
    if bool(question.change) != (kind == "change") or (kind == "share") > question.share \
            or per_person > question.per_person:
        return None
    if question.change in (1, -1) and direction != question.change:
        return -0.4  # "增长" asked, "下降" written: the cue may be the sentence's other figure's
    return 0.2 if kind == "change" or kind == "share" and question.share or per_person else 0.0


def _year_penalty(sentence: Sentence, question: Question) -> float:
    """A sentence (or its section) that names only years other than the one asked is about them."""
    from qa.reading.places import years

    if not question.years:
        return 0.0
    named = set(years(sentence.folded)) or set(years(fold(sentence.hit.section)))
    return -0.4 if named and not named & set(question.years) else 0.0


def _cell_unit(sentence: Sentence, found: Found) -> str:
    """The unit of a table cell written without one: its column header's, else its row's unit cell, else
    the table's."""
    text = sentence.folded
    clause = text[clause_start(text, found.start):found.start]
    stated = _HEADER_UNIT.search(clause.strip())
    if stated:
        return stated.group(1) or stated.group(2)
    row_name = text.split("：", 1)[0]
    in_row = [u for u in row_name.split() if u in _UNIT_SET or base_unit(u) in _UNIT_SET]
    return in_row[-1] if in_row else sentence.hit.unit


def _unasked(question: Question, text: str, found: Found) -> int:
    """Characters of the figure's own clause that the question does not use: "地方一般公共预算本级收入"
    names a narrower subject than "一般公共预算收入" asks for."""
    clause = text[clause_start(text, found.start):found.start]
    return sum(1 for c in clause if "\u4e00" <= c <= "\u9fff" and c not in question.folded)


def _a_part(text: str, found: Found) -> bool:
    """In a breakdown after its total ("其中，中央一般公共预算收入81119亿元"): a part, not the whole."""
    opening = text.rfind("其中", 0, found.start)
    return opening >= 0 and not re.search(r"[。；;]", text[opening:found.start])


def _candidates(sents: list[Sentence], question: Question, weights: dict[str, float]) -> list[Candidate]:
    candidates = []
    for sentence in sents:
        if sentence.rank >= FIGURE_PASSAGES or sentence.coverage < MIN_COVERAGE:
            continue
        held = sum(kw in sentence.folded or kw in sentence.context for kw in weights)
        if held < min(2, len(weights)):
            continue  # one word in common ("原列") is not the thing asked about ("国库署岁出原列")
        for found in extract(sentence.text):
            if sentence.hit.table and not found.unit:
                found = Found(found.start, found.end, found.value, _cell_unit(sentence, found), found.chinese)
            fit = _kind_fit(sentence, found, question)
            agreement = same_unit(question.unit, found.unit)
            # "三次", "三个": counts in words are figures only when their unit is what is asked.
            if fit is None or found.chinese and agreement < 1:
                continue
            support = _support(sentence, found, weights, question.nouns)
            score = support + 0.5 * agreement + 0.2 * sentence.hit.score - 0.05 * sentence.rank \
                + COVERED * sentence.coverage
            unknown = sentence.hit.table and not found.unit  # a table cell whose unit no header states
            if question.unit and agreement == 0 and not unknown:
                score -= 0.6
            if not base_unit(found.unit) and not unknown:
                score -= 0.3  # a bare number ("12一件事") is rarely what is asked
            score += fit - 0.1 * found.chinese - 0.1 * _a_part(sentence.folded, found)
            score -= min(0.2, 0.02 * _unasked(question, sentence.folded, found))
            score += _change_bonus(sentence.folded, found, question) + _year_penalty(sentence, question)
            candidates.append(Candidate(sentence, found, score, support))
    return sorted(candidates, key=lambda c: -c.score)


def _figure(c: Candidate, found: Found | None = None, label: str = "") -> Figure:
    found = found or c.found
    s = c.sentence
    text = s.text[found.start:found.end]
    if not label and s.hit.table:
        # A cell is named by its row and its column: "行政许可 本年处理决定数量".
        column = s.text[clause_start(s.text, found.start):found.start].strip()
        label = f"{s.text.split('：', 1)[0]} {column}".strip()
    if not label:
        label = s.text[clause_start(s.text, found.start):found.start].strip()[-12:]
    return Figure(text=text, value=found.value, unit=found.unit, label=label, evidence=s.text,
                  start=s.start + found.start, end=s.start + found.end)


def _anchored(item: str, question: str, *, first: bool) -> int:
    """How much of an item's edge the question repeats: its start, or for the first item its end.

    List items carry the words around the list ("…事项网上办", "一次办比例"); the
    item itself sits at the edge that touches its neighbours.
    """
    if first:
        return max((n for n in range(len(item), 0, -1) if item[-n:] in question), default=0)
    return max((n for n in range(len(item), 0, -1) if item[:n] in question), default=0)


def _respectively(c: Candidate, question: Question) -> tuple[list[Figure], bool] | None:
    """Figures of an "A、B、C分别X、Y、Z" list that the question asks about.

    Returns (figures, aligned); None when the figure is not in such a list.
    aligned is False when items and figures do not pair up one to one.
    """
    text = c.sentence.folded
    marker = text.rfind("分别", 0, c.found.start)
    if marker < 0:
        return None
    figures = [f for f in extract(c.sentence.text) if f.start > marker]
    run: list[Found] = []
    for f in figures:
        # Before the first figure a verb phrase may stand ("分别开展联合检查35次"); between
        # figures only list glue ("、", "和", or nothing where the capture lost it).
        glue = text[run[-1].end:f.start] if run else text[marker + 2:f.start]
        if not (_LIST_GLUE.match(glue) if run else _LEAD.match(glue)):
            break
        run.append(f)
    if len(run) < 2 or c.found not in run:
        return None
    # "12、15件": the last unit counts for the bare numbers before it.
    carried = next((f.unit for f in reversed(run) if f.unit), "")
    run = [f if f.unit else Found(f.start, f.end, f.value, carried) for f in run]
    opening = clause_start(text, marker)
    items = [i for i in re.split(r"、|和|及|与", text[opening:marker]) if i.strip()]
    if len(items) != len(run):
        subject = text[opening:marker].strip()
        return [_figure(c, f, label=subject) for f in run], False
    # Items carry words around them ("…事项网上办", "一次办比例"): match on the longest shared run.
    asked = translate(question.folded)
    overlaps = [_anchored(item.strip(), asked, first=i == 0) for i, item in enumerate(items)]
    named = [i for i, n in enumerate(overlaps) if n >= 2 and n == max(overlaps)]
    chosen = named if len(named) == 1 and not question.respectively else range(len(run))
    return [_figure(c, run[i], label=items[i].strip()[-8:]) for i in chosen], True


def _where(hit: Hit) -> dict[str, str]:
    return {"title": hit.title, "source": hit.source, "section": hit.section}


def _figure_answer(text: str, question: Question, sents: list[Sentence], weights: dict[str, float],
                   shown: list[Hit]) -> Answer | None:
    """The answer with its figure(s), or None when no figure is clearly the one asked for."""
    ranked = _candidates(sents, question, weights)
    if not ranked:
        return None
    best, s = ranked[0], ranked[0].sentence
    if s.coverage < MIN_COVERAGE or best.support < MIN_SUPPORT or best.score < MIN_SUPPORT:
        return None
    listed = _respectively(best, question)
    if listed is None:
        written = s.text[best.found.start:best.found.end]
        rival = next((c for c in ranked[1:] if c.sentence.text[c.found.start:c.found.end] != written), None)
        if rival and rival.score > best.score - MARGIN:
            # Two figures fit about as well: show the sentence rather than pick one.
            return Answer(text, None, s.text, hits=shown, answered=True, **_where(s.hit))
        figures = [_figure(best)]
    else:
        figures, aligned = listed
        if not aligned:  # items and figures don't pair up: show the clause, don't guess
            return Answer(text, None, s.text, figures=figures, hits=shown, answered=True, **_where(s.hit))
    joined = "、".join(f.text for f in figures)
    return Answer(text, joined, s.text, figures=figures, hits=shown, answered=True, **_where(s.hit))


def answer(question: Question, hits: list[Hit], *, weights: dict[str, float],
           must_name: dict[str, tuple[str, ...]] | None = None, k: int = 5, by_document: bool = False) -> Answer:
    """Answer `question` from the passages retrieved for it, best first.

    With `by_document`, a question whose figure differs between the reports among the best
    passages is answered report by report (`Answer.by_document`), each from its own passages
    in the same pool.
    """
    must_name = must_name or {}
    result = _answer(question, hits, weights=weights, must_name=must_name, k=k)
    if not by_document or not result.figure:
        return result
    each = [result]
    # Only reports among the best few passages can hold a competing figure.
    for source in dict.fromkeys(h.source for h in hits[:FIGURE_PASSAGES + 1] if h.source != result.source):
        own = [h for h in hits if h.source == source]
        other = _answer(question, own, weights=weights, must_name=must_name, k=k)
        if other.figure and other.figure != result.figure:
            each.append(other)
    if len(each) == 1:
        return result
    return Answer(question.text, None, "", hits=result.hits, answered=True, by_document=each)


def _answer(question: Question, hits: list[Hit], *, weights: dict[str, float],
            must_name: dict[str, tuple[str, ...]], k: int) -> Answer:
    text = question.text
    shown = hits[:k]
    sents = _sentences(hits[:max(k, FIGURE_PASSAGES)], weights, must_name)
    if not sents or not weights:
        return Answer(text, None, "", hits=shown)
    best = max(sents, key=lambda s: (s.coverage + 0.3 * s.hit.score - 0.05 * s.rank, -s.rank))
    if best.coverage < MIN_COVERAGE:
        return Answer(text, None, "", hits=shown)
    figured = _figure_answer(text, question, sents, weights, shown) if question.quantity else None
    return figured or Answer(text, None, best.text, hits=shown, answered=True, **_where(best.hit))


def describe(answer: Answer) -> str:
    """The answer as a few lines for a terminal."""
    if answer.by_document:
        return "各报告的数字不同:\n" + "\n".join(describe(a) for a in answer.by_document)
    lines = [answer.notice] if answer.notice else []
    if answer.figure:
        lines.append(f"答案: {answer.figure}")
    elif not answer.answered:
        lines.append("报告中没有找到这个问题的答案。")
    if answer.evidence:
        lines.append(f"依据: {answer.evidence}")
        lines.append(f"出处: {answer.title} · {answer.section or '正文'} ({answer.source})")
    if not answer.answered and answer.hits:
        lines.append("最接近的段落:")
        lines += [f"  [{h.score:.3f}] {h.text}" for h in answer.hits[:3]]
    return "\n".join(lines)
