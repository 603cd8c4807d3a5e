"""Asking: a question → the searcher's pool of passages → the `Answer` (figure, evidence, source) or an honest no."""

from __future__ import annotations

import dataclasses
from typing import Iterable

from qa.answers.answering import answer
from qa.answers.calculation import change_between, rate, total
from qa.answers.comparison import compare, difference
from qa.answers.conversation import complete, opening_scope, understand
from qa.reading.limits import check_k
from qa.results import Answer
from qa.retrieval.question import MAX_QUERY, Question
from qa.retrieval.searcher import Searcher

POOL_ANSWER = 20  # passages `ask` reads: its figures, and each report's own when reports differ


def ask(searcher: Searcher, question: str, *, k: int = 5, doc: str | Iterable[str] | None = None,
        history: Iterable[str] = ()) -> Answer:
    """Answer `question` with the exact figure and its evidence, or say the reports don't.

    `history`: the conversation's earlier questions, oldest first; a question that leans on them ("那驳回呢")
    is answered as completed from them (`Answer.understood`). One retrieval: the per-report answers of a
    question whose figure differs between reports come from the same pool of passages.
    """
    k = check_k(k)
    history = list(history)
    understood = understand(question, history, searcher.analyse, searcher.similarity) if history \
        else question
    result = _ask(searcher, understood, k=k, doc=doc)
    carried = _in_the_conversations_report(searcher, question, history[-1], result, k=k, doc=doc) \
        if history and understood == question else None
    return dataclasses.replace(carried or result, question=question,
                               understood=carried.understood if carried else understood)


def _in_the_conversations_report(searcher: Searcher, question: str, before: str, result: Answer, *, k: int,
                                 doc: str | Iterable[str] | None) -> Answer | None:
    """A question naming no place or year, after one that opens with them ("淮安市洪泽区2024年…" then "解读信息发布了
    几条"), that on its own is answered from another report than the one before: asked in that place and year, when
    that answers it from the report before (`Answer.understood` says so). None: nothing to carry."""
    asked = searcher.analyse(question, words=False)
    if len(searcher.documents) < 2 or asked.places or asked.years:
        return None
    scope = opening_scope(before, searcher.place_aliases)
    if not scope:
        return None
    previous = _ask(searcher, before, k=k, doc=doc)
    if not previous.source or previous.source == result.source:
        return None
    completed = scope + question
    again = _ask(searcher, completed, k=k, doc=doc)
    if not (again.figure and again.source == previous.source):
        return None
    return dataclasses.replace(again, understood=completed)


def _ask(searcher: Searcher, question: str, *, k: int, doc: str | Iterable[str] | None) -> Answer:
    asked = searcher.analyse(question)
    compared = compare(question, asked, lambda side: _ask(searcher, side, k=k, doc=doc))
    if compared is not None:
        return compared

    def single(part: str) -> Answer:
        return _single(searcher, part, k=k, doc=doc)

    computed = total(asked, single) or difference(asked, single, lambda words, first: complete(
        f"那{words}呢", first, searcher.analyse, searcher.similarity))
    return computed if computed is not None else _single(searcher, question, k=k, doc=doc, asked=asked)


def _single(searcher: Searcher, question: str, *, k: int, doc: str | Iterable[str] | None,
            asked: Question | None = None) -> Answer:
    """One question's answer from one pool of passages: no sides, no sum of parts."""
    asked = asked or searcher.analyse(question)
    scope = searcher.scope(asked)
    weights = searcher.keyword_weights(asked.keywords)
    documents = searcher.documents
    if scope.missing and not scope.docs:
        searched = "、".join(d.title for d in documents[:5]) + ("等" if len(documents) > 5 else "")
        result = Answer(question, None, "", notice=f"报告中没有关于{scope.missing}的内容（检索了：{searched}）。")
    else:
        hits = searcher.hits(searcher.rank(asked, k=max(k, POOL_ANSWER), doc=doc, scope=scope))
        result = answer(asked, hits, weights=weights, must_name={
            documents[i].source: words for i, words in scope.must_name.items()}, k=k,
            by_document=doc is None and len(documents) > 1 and not asked.places, text_of=searcher.document_text)
        # A rate or a change the report does not state, computed from the part and whole or the from and to values
        # it does: never over a stated one.
        result = rate(asked, result, searcher.document_text) or change_between(asked, result) or result
        if scope.missing:  # some places asked are covered, these are not
            result = dataclasses.replace(result, notice=f"报告中没有关于{scope.missing}的内容。")
    if len(question) > MAX_QUERY:
        result = dataclasses.replace(result, notice=f"问题过长，只按前{MAX_QUERY}个字回答。")
    return result


class KnowledgeBase(Searcher):
    """A store opened for searching and answering; build one with `qa.build`, open it with `qa.load`."""

    def ask(self, question: str, *, k: int = 5, doc: str | Iterable[str] | None = None,
            history: Iterable[str] = ()) -> Answer:
        """Answer `question` with the exact figure and its evidence, or say the reports don't; `history`: the
        conversation's earlier questions, oldest first, for a question that leans on them."""
        return ask(self, question, k=k, doc=doc, history=history)
