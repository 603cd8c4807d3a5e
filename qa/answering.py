"""Answering a question from retrieved passages: the figure, its evidence, or an honest no."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from qa.figures import Found, base_unit, extract, same_unit
from qa.glossary import translate
from qa.passages import sentences
from qa.question import Question, analyse
from qa.results import Answer, Figure, Hit
from qa.textnorm import fold

if TYPE_CHECKING:
    from qa.knowledge import KnowledgeBase

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
_CLAUSE_END = re.compile(r"[,，;；:：。!！?？()（）]")
# For a keyword's pull on a figure, a list comma separates as much as a clause end.
_BOUNDARY = re.compile(r"[,，;；:：。!！?？()（）、]")
_LIST_GLUE = re.compile(r"^[、,，和及与以及\s]*$")
_LEAD = re.compile(r"^[^,，;；。:：\d]*$")
_CHANGE_FROM = re.compile(r"(由|从)[^,，;；。]*$")
_CHANGE_TO = re.compile(r"(由|从)[^,，;；。]*\d[^,，;；。]*(至|到|为|成)\s*$")


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


def _clause_start(text: str, position: int) -> int:
    """Where the clause holding `position` begins."""
    return max((m.end() for m in _CLAUSE_END.finditer(text, 0, position)), default=0)


def _weights(kb: KnowledgeBase, keywords: Iterable[str]) -> dict[str, float]:
    """IDF of each keyword over the passages: rare words decide, common ones barely count."""
    total = max(len(kb), 1)
    return {kw: math.log(1 + (total - (df := kb.document_frequency(kw)) + 0.5) / (df + 0.5)) for kw in keywords}


def _parts(keywords: Iterable[str]) -> dict[str, list[str]]:
    """The shorter words inside each keyword: "体制改革" → 体制, 改革."""
    from qa.tokens import load_jieba

    jieba = load_jieba()
    return {kw: [p for p in jieba.lcut_for_search(kw) if len(p) >= 2 and p != kw] for kw in keywords}


def _presence(kw: str, parts: list[str], text: str) -> float:
    """1 when `kw` is in `text`; a share below 1 when only its parts are ("体制机制改革")."""
    if kw in text:
        return 1.0
    return 0.8 * sum(p in text for p in parts) / len(parts) if parts else 0.0


def _sentences(hits: list[Hit], weights: dict[str, float]) -> list[Sentence]:
    """Every sentence of the hits, with the share of the question's keyword weight it covers."""
    whole = sum(weights.values()) or 1.0
    parts = _parts(weights)
    found = []
    for rank, hit in enumerate(hits):
        context = fold(f"{hit.section} {hit.title}")
        for start, end in sentences(hit.text):
            text = hit.text[start:end].strip()
            folded = fold(text)
            covered = sum(w * _presence(kw, parts[kw], folded + " " + context) for kw, w in weights.items())
            found.append(Sentence(hit, rank, hit.start + start, hit.start + start + len(text),
                                  text, folded, context, covered / whole))
    return found


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
        if kw not in text and kw in sentence.context:
            continue  # names the report or section ("红桥区"), not the figure
        whole += weight
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
    before = text[_clause_start(text, found.start):found.start]
    if _CHANGE_TO.search(before):  # the "to" value
        return -0.3 if question.origin else 0.3
    if _CHANGE_FROM.search(before):  # the "from" value
        return 0.3 if question.origin else -0.3
    return 0.0


def _candidates(sents: list[Sentence], question: Question, weights: dict[str, float]) -> list[Candidate]:
    candidates = []
    for sentence in sents:
        if sentence.rank >= FIGURE_PASSAGES:
            continue
        figures = extract(sentence.text)
        for found in figures:
            support = _support(sentence, found, weights, question.nouns)
            unit = base_unit(found.unit)
            agreement = same_unit(question.unit, found.unit)
            score = support + 0.5 * agreement + 0.2 * sentence.hit.score - 0.05 * sentence.rank
            if question.unit and agreement == 0:
                score -= 0.6
            if not unit:
                score -= 0.3  # a bare number ("12一件事") is rarely what is asked
            score += _change_bonus(sentence.folded, found, question)
            candidates.append(Candidate(sentence, found, score, support))
    return sorted(candidates, key=lambda c: -c.score)


def _figure(c: Candidate, found: Found | None = None, label: str = "") -> Figure:
    found = found or c.found
    s = c.sentence
    text = s.text[found.start:found.end]
    if not label:
        label = s.text[_clause_start(s.text, found.start):found.start].strip()[-12:]
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
    clause_start = _clause_start(text, marker)
    items = [i for i in re.split(r"、|和|及|与", text[clause_start:marker]) if i.strip()]
    if len(items) != len(run):
        subject = text[clause_start:marker].strip()
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


def answer(kb: KnowledgeBase, text: str, *, k: int = 5, doc=None) -> Answer:
    """Answer `text` from the passages `kb` retrieves for it.

    Across several reports, a question that names none of them and gets a different
    figure from each is answered report by report (`Answer.by_document`).
    """
    from qa.knowledge import MAX_QUERY

    if len(text) > MAX_QUERY:
        cut = dataclasses.replace(answer(kb, text[:MAX_QUERY], k=k, doc=doc), question=text)
        return dataclasses.replace(cut, notice=f"问题过长，只按前{MAX_QUERY}个字回答。")
    result = _answer(kb, text, k=k, doc=doc)
    if doc is not None or not result.figure or len(kb.documents) < 2 or kb.named_documents(text):
        return result
    each = [result]
    # Only reports among the best few passages can hold a competing figure.
    nearby = result.hits[:FIGURE_PASSAGES + 1]
    for source in dict.fromkeys(h.source for h in nearby if h.source != result.source):
        other = _answer(kb, text, k=k, doc=source)
        if other.figure and other.figure != result.figure:
            each.append(other)
    if len(each) == 1:
        return result
    return Answer(text, None, "", hits=result.hits, answered=True, by_document=each)


def _answer(kb: KnowledgeBase, text: str, *, k: int, doc) -> Answer:
    question = analyse(text)
    hits = kb.search(text, max(k, FIGURE_PASSAGES), doc=doc)
    shown = hits[:k]
    weights = _weights(kb, question.keywords)
    sents = _sentences(hits, weights)
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
    lines = []
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
